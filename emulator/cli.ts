import { fstatSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { App, type DebugTarget, formatSizes } from './app.ts';
import { AwsConfigError, type AwsSettings, describeAwsSettings, loadAwsSettings } from './aws-config.ts';
import { BuildError, buildFunction, isBuildable } from './build/esbuild.ts';
import { cliCommand } from './command.ts';
import {
  ConfigError,
  type EnvVarsFile,
  NO_ENV_VARS,
  parseEnvVars,
  parseParameterOverrides,
} from './config.ts';
import {
  describeDebugging,
  describeInvokeDebugging,
  InspectorError,
  openInspector,
  warnIfExposed,
} from './debug/inspector.ts';
import { movingPrices } from './fake-binance/prices.ts';
import { startFakeBinance } from './fake-binance/server.ts';
import { GenerateEventError, generateEvent, UnknownEventError } from './generate-event.ts';
import { loadOrCreateLocalKey } from './local-issuer/key.ts';
import { parseClaim, parseDuration, signToken, templateIssuers } from './local-issuer/token.ts';
import { consoleLogger, type Logger } from './log.ts';
import { ListenError } from './net.ts';
import { readSamConfig, type SamCommand, samConfigCandidates } from './samconfig.ts';
import { ScheduleValidationError } from './schedule/scheduler.ts';
import { startEmulator } from './start.ts';
import { loadTemplate, TemplateError } from './template/load.ts';
import { functionsNamed } from './template/nested.ts';

const USAGE = `Usage: ${cliCommand().join(' ').replace(' -s ', ' ')} <command> [options]

Commands (the verbs of sam local, without Docker):
  start                     the APIs on :3000, the Lambda Invoke endpoint on :3001, the schedules, and the
                            web page on :8080 (what npm start runs)
  start-api                 the template's REST and HTTP APIs on one port (default 3000)
  start-lambda              the Lambda Invoke endpoint for @aws-sdk/client-lambda (default port 3001)
  invoke [LogicalId]        run one function once: result on stdout, logs on stderr, exit 1 on a function error
  generate-event <service> <event>
                            print an event to pipe into invoke (services and events below)
  build                     bundle every function as sam build would, into dist/<LogicalId>/
  token                     print a JWT signed with the emulator's own key (--sub, --scope, --aud, --expires,
                            --issuer, --claim below); start with --jwt-issuer ISSUER=local to have it accepted
  fake-binance              an offline stand-in for Binance's price API on :4010 (-p, --host), prices that move;
                            point the functions at it with -n env.json: {"Parameters": {"BINANCE_API_URL":
                            "http://127.0.0.1:4010"}}

Options:
  -t, --template FILE             SAM template (default: template.yaml)
  -p, --port PORT                 API port for start/start-api (3000), endpoint port for start-lambda (3001)
      --lambda-port PORT          start: the Lambda Invoke endpoint's port (default: 3001)
      --web-port PORT             start: the web page's port, its own origin (default: 8080); served only for the
                                  templates beside web/, this project's own
      --function-url-port PORT    start, start-api: the first function URL's port, the next URL's PORT+1... in
                                  template order (default: 3100); AWS_IAM URLs check SigV4 against the
                                  credentials the functions get (the shell's, or --profile's)
      --host HOST                 address to bind (default: 127.0.0.1)
  -n, --env-vars FILE             SAM env.json: {"Parameters": {...}} for all functions, {"<LogicalId>": {...}} for one
      --parameter-overrides K=V   template parameter values; repeatable, or several separated by spaces; they win
                                  over samconfig's parameter_overrides, key by key
      --config-file FILE          SAM config file (default: samconfig.toml, .yaml or .yml beside the template)
      --config-env NAME           environment in the config file (default: default)
      --profile NAME              the functions' AWS credentials (and region) from this profile of ~/.aws/credentials
                                  and ~/.aws/config (default: AWS_ACCESS_KEY_ID…, else AWS_PROFILE, else [default])
      --region R                  AWS::Region, the functions' AWS_REGION, the ARNs (default: AWS_REGION,
                                  AWS_DEFAULT_REGION, the profile's region, us-east-1)
  -e, --event FILE                invoke: the event (default: stdin when piped, else {})
      --no-watch                  do not rebuild on code changes or reload on template changes
      --no-schedules              start: do not fire the template's Schedule/ScheduleV2 events
      --retry-delay-scale N       multiply Lambda's async retry delays (1 and 2 minutes) by N, e.g. 0.01
      --max-concurrency N         workers per function without ReservedConcurrentExecutions (default: 10)
  -d, --debug-port PORT           start, start-api, start-lambda: the V8 inspector on HOST:PORT (0: any port) for
                                  VS Code, and one per execution environment (printed) for Chrome; functions are
                                  built unminified and their timeouts are suspended. invoke: the function waits
                                  on PORT for a debugger and stops before its handler runs (sam local's -d)
      --debug-function LogicalId  with -d: debug only this function (the others keep their timeouts)
      --jwt-issuer ISSUER=local   start, start-api: JWT and Cognito authorizers of this issuer (a URL, or * for
                                  all) check tokens against the emulator's own key instead of the issuer's JWKS;
                                  repeatable
  -h, --help                      this text

Exit status: 0 done, 1 the function failed (or its code does not build), 2 a wrong command, template, config
or event, 3 a port that cannot be bound, 70 a fault of the emulator itself (printed with its stack).

token (stdout: the token alone; its key is kept in node_modules/.cache/sam-emulator/local-issuer-key.json):
  --sub ID (default: local-user)  --scope S (repeatable)  --aud A (repeatable; default: the authorizer's first
  audience)  --expires 1h (s, m, h, d)  --issuer URL (default: the template's one JWT or Cognito issuer)
  --claim K=V (repeatable, V read as JSON when it parses, e.g. --claim 'cognito:groups=["admin"]')

generate-event <service> <event> (names as sam local generate-event; --region R and --account-id N for all):
  apigateway aws-proxy | http-api-proxy       --method M  --path /p  --resource /r/{id}  --query K=V (repeatable)
                                              --header "Name: value" (repeatable)  --body TEXT  --stage NAME
  apigateway authorizer (REST TOKEN) | request-authorizer (REST REQUEST) | http-api-request-authorizer (2.0)
                                              the same request flags, --token T  --api-id ID
  s3 put | delete                             --bucket NAME  --key KEY (sent URL-encoded)
  sqs receive-message                         --queue-name NAME  --body TEXT
  sns notification                            --topic NAME  --subject TEXT  --message TEXT
  dynamodb update                             --table NAME
  kinesis get-records                         --stream NAME  --data TEXT  --partition-key K  --sequence N
  cloudwatch logs                             --log-group NAME  --log-stream NAME  --message TEXT
  cloudwatch scheduled-event | eventbridge scheduled   --rule NAME
  eventbridge event                           --source S  --detail-type T  --detail JSON  --resource-arn ARN
`;

const OPTIONS = {
  template: { type: 'string', short: 't', default: 'template.yaml' },
  port: { type: 'string', short: 'p' },
  'lambda-port': { type: 'string', default: '3001' },
  'web-port': { type: 'string', default: '8080' },
  // 3100: its own hundred beside the API (3000) and Invoke (3001) ports, so N, N+1... for many URLs never reach
  // them or 8080, and not the default of a common dev server (Vite 5173, Next 3000, Angular 4200, Django 8000).
  'function-url-port': { type: 'string', default: '3100' },
  host: { type: 'string', default: '127.0.0.1' },
  'env-vars': { type: 'string', short: 'n' },
  'parameter-overrides': { type: 'string', multiple: true, default: [] as string[] },
  'config-file': { type: 'string' },
  'config-env': { type: 'string' },
  event: { type: 'string', short: 'e' },
  'no-watch': { type: 'boolean', default: false },
  'no-schedules': { type: 'boolean', default: false },
  'retry-delay-scale': { type: 'string', default: '1' },
  method: { type: 'string', default: 'GET' },
  path: { type: 'string', default: '/' },
  resource: { type: 'string' },
  query: { type: 'string', multiple: true, default: [] as string[] },
  header: { type: 'string', multiple: true, default: [] as string[] },
  body: { type: 'string' },
  stage: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'account-id': { type: 'string', default: '123456789012' },
  'max-concurrency': { type: 'string' },
  bucket: { type: 'string' },
  key: { type: 'string' },
  'queue-name': { type: 'string' },
  topic: { type: 'string' },
  subject: { type: 'string' },
  message: { type: 'string' },
  table: { type: 'string' },
  stream: { type: 'string' },
  data: { type: 'string' },
  'partition-key': { type: 'string' },
  sequence: { type: 'string' },
  'log-group': { type: 'string' },
  'log-stream': { type: 'string' },
  source: { type: 'string' },
  'detail-type': { type: 'string' },
  detail: { type: 'string' },
  'resource-arn': { type: 'string', multiple: true, default: [] as string[] },
  rule: { type: 'string' },
  token: { type: 'string' },
  'api-id': { type: 'string' },
  'debug-port': { type: 'string', short: 'd' },
  'debug-function': { type: 'string' },
  'jwt-issuer': { type: 'string', multiple: true, default: [] as string[] },
  sub: { type: 'string', default: 'local-user' },
  scope: { type: 'string', multiple: true, default: [] as string[] },
  aud: { type: 'string', multiple: true, default: [] as string[] },
  expires: { type: 'string', default: '1h' },
  issuer: { type: 'string' },
  claim: { type: 'string', multiple: true, default: [] as string[] },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
}

type Values = ReturnType<typeof parse>['values'];

/** The port the README's env.json example names. */
const FAKE_BINANCE_PORT = 4010;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function main(argv: readonly string[]): Promise<number> {
  // Lambda runs in UTC; workers share the process's time zone, so the emulator takes it on too.
  process.env.TZ = 'UTC';
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    switch (command) {
      case 'start':
        return await startCommand(values, rest, {
          api: true,
          lambda: true,
          schedules: !values['no-schedules'],
          web: true,
        });
      case 'start-api':
        return await startCommand(values, rest, { api: true, lambda: false, schedules: false, web: false });
      case 'start-lambda':
        return await startCommand(values, rest, { api: false, lambda: true, schedules: false, web: false });
      case 'generate-event':
        return generateEventCommand(values, rest);
      case 'invoke':
        return await invokeCommand(values, rest);
      case 'build':
        return await buildCommand(values, rest);
      case 'fake-binance':
        return await fakeBinanceCommand(values, rest);
      case 'token':
        return tokenCommand(values, rest);
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (error) {
    return reportFailure(error, command);
  }
}

/**
 * The exit status, documented in the README: 0 done, 1 the function failed (an error result, or code that does
 * not build), 2 the command, template, configuration or event is wrong, 3 a port cannot be bound, 70 a fault
 * of the emulator itself (sysexits' EX_SOFTWARE), with its stack to report.
 */
export const EXIT = { ok: 0, functionError: 1, usage: 2, port: 3, internal: 70 } as const;

function reportFailure(error: unknown, command: string): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (
    error instanceof AwsConfigError ||
    error instanceof TemplateError ||
    error instanceof ConfigError ||
    error instanceof ScheduleValidationError ||
    error instanceof GenerateEventError
  ) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ListenError) {
    process.stderr.write(`error: ${describeListenError(error, command)}\n`);
    return EXIT.port;
  }
  if (error instanceof InspectorError) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.port;
  }
  if (error instanceof BuildError) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.functionError;
  }
  throw error;
}

/** `port 3001 is in use: pass --lambda-port N or stop the other process`, with the flag that sets that port. */
function describeListenError(error: ListenError, command: string): string {
  const [what, flag] = {
    api: ['the APIs', '--port'],
    lambda: ['the Lambda Invoke endpoint', command === 'start-lambda' ? '--port' : '--lambda-port'],
    web: ['the web page', '--web-port'],
    'function-url': ['a function URL', '--function-url-port'],
  }[error.role ?? 'api'];
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${error.port} (${what}) is in use: pass ${flag} N or stop the other process`;
    case 'EACCES':
      return `port ${error.port} (${what}) needs privileges on this machine: pass ${flag} N with N above 1023`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `--host ${error.host} is not an address of this machine: pass --host 127.0.0.1, or one of its own`;
    default:
      return `${error.message} (${what}, ${flag})`;
  }
}

async function startCommand(
  values: Values,
  extra: readonly string[],
  serve: { api: boolean; lambda: boolean; schedules: boolean; web: boolean },
): Promise<number> {
  noExtraArguments('start', extra);
  const port = values.port === undefined ? undefined : portOf('--port', values.port);
  const samCommand = serve.api ? 'local_start_api' : 'local_start_lambda';
  const app = appOptions(values, consoleLogger, samCommand);
  const envVarsFile = values['env-vars'];
  const debug = startDebugging(values, consoleLogger, false);
  const running = await startEmulator({
    ...app,
    ...(debug === undefined ? {} : { debug }),
    settings: {
      files: [
        ...(envVarsFile === undefined ? [] : [path.resolve(envVarsFile)]),
        ...samConfigCandidates({ templatePath: app.templatePath, configFile: values['config-file'] }),
      ],
      reread: () => ({ envVars: readEnvVars(envVarsFile), ...parameterOptions(values, samCommand) }),
    },
    watch: !values['no-watch'],
    host: values.host,
    ...(serve.api ? { apiPort: port ?? 3000 } : {}),
    ...(serve.lambda
      ? { lambdaPort: serve.api ? portOf('--lambda-port', values['lambda-port']) : (port ?? 3001) }
      : {}),
    schedules: serve.schedules,
    ...(serve.web ? { webPort: portOf('--web-port', values['web-port']) } : {}),
    ...(serve.api
      ? {
          functionUrlPort: portOf('--function-url-port', values['function-url-port']),
          // AWS_IAM function URLs check signatures against the credentials the functions get.
          ...(app.aws.credentials === undefined ? {} : { credentials: app.aws.credentials }),
        }
      : {}),
    retryDelayScale: nonNegativeNumber('--retry-delay-scale', values['retry-delay-scale']),
    ...(values['jwt-issuer'].length === 0 ? {} : { jwtTrust: jwtTrustOf(values['jwt-issuer']) }),
  });
  warnUnknownIssuers(values['jwt-issuer'], templateIssuers(running.app().model));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      consoleLogger.info(`${signal}: finishing in-flight requests`);
      running.close().then(resolve, (error: unknown) => {
        consoleLogger.error(String(error));
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

/** `--jwt-issuer ISSUER=local`, repeatable; the key is loaded (or made) now, so that its file is named at start. */
function jwtTrustOf(flags: readonly string[]) {
  const localIssuers = new Set<string>();
  for (const flag of flags) {
    const equals = flag.lastIndexOf('=');
    const issuer = flag.slice(0, equals);
    if (equals <= 0 || flag.slice(equals + 1) !== 'local') {
      throw new UsageError(
        `--jwt-issuer ${flag}: expected ISSUER=local, e.g. --jwt-issuer https://example.auth0.com/=local`,
      );
    }
    localIssuers.add(issuer);
  }
  const key = loadOrCreateLocalKey();
  consoleLogger.info(
    `JWT issuers checked against the local key (${key.file}): ${[...localIssuers].join(', ')}; sign tokens with ${cliCommand().join(' ')} token`,
  );
  return { localIssuers, localKey: () => key };
}

/** A `--jwt-issuer` that no authorizer names is most often a typo (a missing trailing slash, say). */
function warnUnknownIssuers(flags: readonly string[], known: readonly { issuer: string }[]): void {
  for (const flag of flags) {
    const issuer = flag.slice(0, flag.lastIndexOf('='));
    if (issuer === '*' || known.some((entry) => entry.issuer === issuer)) continue;
    const names = [...new Set(known.map((entry) => entry.issuer))];
    consoleLogger.warn(
      `--jwt-issuer ${issuer}: no JWT or Cognito authorizer of the template has this issuer` +
        (names.length === 0 ? '' : ` (they have ${names.join(', ')})`),
    );
  }
}

/** Prints one signed token on stdout and nothing else, so that `$(npm run -s local -- token …)` is the token. */
function tokenCommand(values: Values, extra: readonly string[]): number {
  noExtraArguments('token', extra);
  const expiresInSeconds = parseDuration(values.expires);
  if (expiresInSeconds === undefined) {
    throw new UsageError(`--expires ${values.expires}: expected a duration such as 3600, 30s, 15m, 1h or 7d`);
  }
  const claims: Record<string, unknown> = {};
  for (const flag of values.claim) {
    const claim = parseClaim(flag);
    if (claim === undefined) throw new UsageError(`--claim ${flag}: expected NAME=VALUE`);
    claims[claim[0]] = claim[1];
  }
  const target = tokenTarget(values);
  const token = signToken(loadOrCreateLocalKey(), {
    issuer: target.issuer,
    subject: values.sub,
    audience: values.aud.length > 0 ? values.aud : target.audience,
    scopes: values.scope,
    expiresInSeconds,
    claims,
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

/**
 * `--issuer`, else the one issuer of the template's JWT and Cognito authorizers; with the first audience a JWT
 * authorizer of that issuer names (a pool behind both kinds: the app client).
 */
function tokenTarget(values: Values): { issuer: string; audience: string[] } {
  let issuers: { issuer: string; audience: string[] }[] = [];
  try {
    issuers = templateIssuers(loadTemplate(values.template, parameterOptions(values, 'build')));
  } catch {
    // No template, or one that does not load: then --issuer must say which issuer.
  }
  const audienceOf = (issuer: string) =>
    issuers.find((entry) => entry.issuer === issuer && entry.audience.length > 0)?.audience ?? [];
  if (values.issuer !== undefined) return { issuer: values.issuer, audience: audienceOf(values.issuer) };
  const distinct = [...new Set(issuers.map((entry) => entry.issuer))];
  const [only] = distinct;
  if (distinct.length === 1 && only !== undefined) return { issuer: only, audience: audienceOf(only) };
  throw new UsageError(
    distinct.length === 0
      ? `token needs --issuer URL: ${values.template} has no JWT or Cognito authorizer with a known issuer`
      : `token needs --issuer: ${values.template} has several issuers (${distinct.join(', ')})`,
  );
}

/** The README's offline upstream: serves until SIGINT or SIGTERM. */
async function fakeBinanceCommand(values: Values, extra: readonly string[]): Promise<number> {
  noExtraArguments('fake-binance', extra);
  const fake = await startFakeBinance({
    prices: movingPrices(),
    host: values.host,
    port: portOf('--port', values.port ?? String(FAKE_BINANCE_PORT)),
    log: (line) => consoleLogger.info(line),
  });
  consoleLogger.info(
    `Fake Binance on ${fake.url} (GET /api/v3/ticker/price): run the functions with -n env.json, where env.json ` +
      `is {"Parameters": {"BINANCE_API_URL": "${fake.url}"}}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => fake.close().then(resolve, resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function generateEventCommand(values: Values, extra: readonly string[]): number {
  const [service, kind, ...more] = extra;
  noExtraArguments('generate-event', more);
  let event: unknown;
  try {
    event = generateEvent(service, kind, {
      method: values.method,
      path: values.path,
      resource: values.resource,
      query: values.query,
      headers: values.header,
      body: values.body,
      stage: values.stage,
      region: values.region ?? 'us-east-1',
      accountId: values['account-id'],
      apiId: values['api-id'],
      bucket: values.bucket,
      key: values.key,
      queueName: values['queue-name'],
      topic: values.topic,
      subject: values.subject,
      message: values.message,
      table: values.table,
      stream: values.stream,
      data: values.data,
      partitionKey: values['partition-key'],
      sequence: values.sequence,
      logGroup: values['log-group'],
      logStream: values['log-stream'],
      source: values.source,
      detailType: values['detail-type'],
      detail: values.detail,
      resources: values['resource-arn'],
      rule: values.rule,
      token: values.token,
    });
  } catch (error) {
    if (error instanceof UnknownEventError) throw new UsageError(error.message);
    throw error;
  }
  process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
  return 0;
}

async function invokeCommand(values: Values, extra: readonly string[]): Promise<number> {
  if (extra.length > 1) throw new UsageError(`invoke takes one function, got ${extra.join(' ')}`);
  // stdout carries only the result, so that it can be piped into jq.
  const log: Logger = { ...consoleLogger, info: (line) => process.stderr.write(`${line}\n`) };
  const event = await readEvent(values.event);
  const debug = startDebugging(values, log, true);
  const app = await App.load({
    ...appOptions(values, log, 'local_invoke'),
    ...(debug === undefined ? {} : { debug }),
    watch: false,
    maxConcurrency: 1,
  });
  try {
    const functionId = chooseFunction(app, extra[0]);
    const outcome = await app.invoke(functionId, { payload: event });
    if (outcome.kind === 'error') {
      process.stdout.write(`${JSON.stringify(outcome.error)}\n`);
      return 1;
    }
    // A response-streaming function answers the bytes it wrote, as Lambda's Invoke returns them.
    if (outcome.raw !== undefined) process.stdout.write(outcome.raw);
    else process.stdout.write(`${JSON.stringify(outcome.payload)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

async function buildCommand(values: Values, extra: readonly string[]): Promise<number> {
  noExtraArguments('build', extra);
  const model = loadTemplate(values.template, parameterOptions(values, 'build'));
  const outRoot = path.resolve('dist');
  for (const fn of model.functions.values()) {
    if (!isBuildable(fn)) {
      consoleLogger.info(`${fn.logicalId}: no Metadata.BuildMethod esbuild, runs from ${fn.codeUri} as is`);
      continue;
    }
    const outdir = path.join(outRoot, fn.logicalId);
    rmSync(outdir, { recursive: true, force: true });
    const built = await buildFunction(fn, outdir);
    consoleLogger.info(`${fn.logicalId}: ${path.relative(process.cwd(), outdir)}/ (${formatSizes(built)})`);
  }
  return 0;
}

/**
 * Parameter values from the command line over those of the SAM config file's section for `command`; the deploy
 * section's values stand in only for parameters that would otherwise have none.
 */
function parameterOptions(values: Values, command: SamCommand) {
  const config = readSamConfig({
    templatePath: path.resolve(values.template),
    configFile: values['config-file'],
    configEnv: values['config-env'],
    command,
  });
  const source = config.file === undefined ? '' : path.basename(config.file);
  return {
    parameterOverrides: {
      ...config.parameterOverrides,
      ...parseParameterOverrides(values['parameter-overrides']),
    },
    parameterFallbacks: {
      values: config.deployParameterOverrides,
      source: `${source} [${values['config-env'] ?? 'default'}.deploy.parameters]`,
    },
  };
}

function appOptions(values: Values, log: Logger, command: SamCommand) {
  const maxConcurrency = values['max-concurrency'];
  return {
    templatePath: path.resolve(values.template),
    ...parameterOptions(values, command),
    envVars: readEnvVars(values['env-vars']),
    aws: awsSettings(values, log),
    log,
    ...(maxConcurrency === undefined
      ? {}
      : { maxConcurrency: positiveInteger('--max-concurrency', maxConcurrency) }),
  };
}

/** Resolved once per run; a template reload keeps them. Says where they came from, never what they are. */
function awsSettings(values: Values, log: Logger): AwsSettings {
  const settings = loadAwsSettings({ profile: values.profile, region: values.region });
  for (const warning of settings.warnings) log.warn(warning);
  log.info(describeAwsSettings(settings));
  return settings;
}

function readEnvVars(file: string | undefined): EnvVarsFile {
  if (file === undefined) return NO_ENV_VARS;
  return parseEnvVars(readText(file, '--env-vars'), file);
}

async function readEvent(file: string | undefined): Promise<unknown> {
  let text: string;
  let source: string;
  if (file !== undefined && file !== '-') {
    text = readText(file, '--event');
    source = file;
  } else if (file === '-' || stdinCarriesEvent()) {
    text = await readStdin();
    source = 'stdin';
    // An empty pipe is most often the command before `|` having failed: running the function with {} would hide it.
    if (text.trim() === '') {
      throw new ConfigError(
        'invoke: stdin gave no event (did the command before | fail?): pass one with -e FILE, or run without a pipe for {}',
      );
    }
  } else {
    return {};
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${source}: the event is not valid JSON (${error instanceof Error ? error.message : error})`,
    );
  }
}

/**
 * Whether stdin is something that delivers an event (a pipe, a file, a socket), rather than a terminal or
 * /dev/null, which mean "no event": `{}`, as `sam local invoke` sends without `-e`.
 */
function stdinCarriesEvent(): boolean {
  if (process.stdin.isTTY) return false;
  try {
    const stats = fstatSync(0);
    return stats.isFIFO() || stats.isFile() || stats.isSocket();
  } catch {
    return false;
  }
}

/**
 * All of stdin, read as a stream, which waits for data: `readFileSync(0)` fails with EAGAIN on a non-blocking
 * pipe that is still empty, as stdin is under `npm run` when the event comes late (`npm run -s local --
 * generate-event … | npm run -s local -- invoke Fn`).
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function chooseFunction(app: App, requested: string | undefined): string {
  const ids = [...app.model.functions.keys()];
  if (requested === undefined) {
    if (ids.length === 1 && ids[0] !== undefined) return ids[0];
    throw new UsageError(`invoke needs a function: one of ${ids.join(', ')}`);
  }
  if (app.model.functions.has(requested)) return requested;
  // Not a full path (`Child/Function`): a logical id or name in any stack, the first by full path, as in sam local.
  const [first, ...others] = functionsNamed(app.model.functions, requested);
  if (first !== undefined) {
    if (others.length > 0) {
      const all = [first, ...others].map((fn) => fn.logicalId).join(', ');
      consoleLogger.warn(
        `${all} are all named ${requested}; invoking ${first.logicalId} (name it by its full path)`,
      );
    }
    return first.logicalId;
  }
  throw new UsageError(`No function ${requested} in the template: one of ${ids.join(', ')}`);
}

/**
 * `-d PORT` (`--debug-port`, SAM's name; `--debug-function` needs it, as in SAM). `start*` opens the process's
 * inspector on PORT before the template is built, so that a debugger can attach meanwhile, and each execution
 * environment opens one of its own on a port the OS picks. `invoke` runs one environment, whose own inspector
 * takes PORT and waits there for a debugger, as `sam local invoke -d` does. `undefined` without `-d`.
 */
function startDebugging(values: Values, log: Logger, invoke: boolean): DebugTarget | undefined {
  const functionId = values['debug-function'];
  if (values['debug-port'] === undefined) {
    if (functionId !== undefined) throw new UsageError('--debug-function needs -d/--debug-port PORT');
    return undefined;
  }
  const port = portOf('--debug-port', values['debug-port']);
  const host = values.host;
  const only = functionId === undefined ? {} : { functionId };
  if (invoke) {
    warnIfExposed(host, port, log);
    log.info(describeInvokeDebugging(host, port));
    return { breakBeforeHandler: true, workerInspector: { host, port, wait: true }, ...only };
  }
  log.info(describeDebugging(openInspector({ port, host, log })));
  return { breakBeforeHandler: false, workerInspector: { host, port: 0, wait: false }, ...only };
}

function portOf(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag}: ${value} is not a port number`);
  }
  return port;
}

function nonNegativeNumber(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`${flag}: ${value} is not a number >= 0`);
  return number;
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${flag}: ${value} is not a positive integer`);
  return number;
}

function noExtraArguments(command: string, extra: readonly string[]): void {
  if (extra.length > 0) throw new UsageError(`${command} takes no arguments, got ${extra.join(' ')}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `internal error of the emulator (please report it with this trace):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.internal;
  },
);
