import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { App, type AppOptions } from './app.ts';
import { cliCommand } from './command.ts';
import { createFunctionUrlServer } from './function-url/server.ts';
import type { SigningCredentials } from './function-url/sigv4.ts';
import type { JwtTrust } from './gateway/auth/keys.ts';
import { apiKeyLines, protectionOf } from './gateway/protection.ts';
import { createRouter } from './gateway/router.ts';
import { createGatewayServer, type GatewayRoutes } from './gateway/server.ts';
import { AsyncInvoker } from './invoke/async.ts';
import { describeLambdaService, type RunningLambdaService, startLambdaService } from './invoke/server.ts';
import { closeServer, listen } from './net.ts';
import type { InvokeOutcome } from './runtime/pool.ts';
import { describeSchedule, Scheduler, validateSchedules } from './schedule/scheduler.ts';
import { loadTemplate } from './template/load.ts';
import { type AppModel, integrationOf, type RouteModel } from './template/model.ts';
import { watchFiles } from './watch.ts';
import { emulatorWebConfig, type RunningWebServer, startWebServer, webRootFor } from './web.ts';

export interface EmulatorOptions extends AppOptions {
  readonly host: string;
  /** Serve the template's REST and HTTP APIs on this port (`start-api`); absent: no API server. */
  readonly apiPort?: number;
  /** Serve the Lambda Invoke API on this port (`start-lambda`); absent: no endpoint. */
  readonly lambdaPort?: number;
  /** Fire the template's Schedule and ScheduleV2 events. */
  readonly schedules?: boolean;
  /** Multiplies Lambda's asynchronous retry delays (1 minute, 2 minutes…); e.g. 0.01 for local work. */
  readonly retryDelayScale?: number;
  /** Serve the web page in `web/` on this port, its own origin, configured for the API server. */
  readonly webPort?: number;
  /**
   * Serve each function URL on its own port: this one for the first function with `FunctionUrlConfig` in
   * template order, the next one for the next, and so on; 0 lets the OS pick each. Absent: no function URLs.
   */
  readonly functionUrlPort?: number;
  /** Issuers whose JWTs the gateway checks against the emulator's own key (`--jwt-issuer ISSUER=local`). */
  readonly jwtTrust?: JwtTrust;
  /** What AWS_IAM function URLs and API routes verify SigV4 signatures with; without it they refuse every request. */
  readonly credentials?: SigningCredentials;
  /**
   * What the CLI read from env.json and the SAM config file: with `watch`, a change to one of `files` (also
   * one created later, such as a first samconfig.toml) reloads the template with what `reread` reads then.
   */
  readonly settings?: {
    readonly files: readonly string[];
    reread(): Pick<AppOptions, 'envVars' | 'parameterOverrides' | 'parameterFallbacks'>;
  };
}

export interface RunningEmulator {
  /** `http://127.0.0.1:3000`, with the port actually bound, when the APIs are served. */
  readonly apiUrl: string | undefined;
  /** The `endpoint` for `@aws-sdk/client-lambda`, when the Invoke API is served. */
  readonly lambdaUrl: string | undefined;
  /** The web page's origin, when it is served. */
  readonly webUrl: string | undefined;
  /** `http://127.0.0.1:PORT/` of each function URL being served, by function logical id, in template order. */
  functionUrls(): ReadonlyMap<string, string>;
  /** Event invocations and scheduled runs, with Lambda's retries. */
  readonly asyncInvoker: AsyncInvoker;
  /** The application being served now (replaced when the template is reloaded). */
  app(): App;
  /** Stops accepting requests, lets in-flight ones finish, stops schedules and retries, then every worker. */
  close(): Promise<void>;
}

/**
 * `start`, `start-api` and `start-lambda`: one loaded template behind up to three edges (the API Gateway
 * server, the Lambda Invoke endpoint, the scheduler). With `watch`, code changes are rebuilt by the App, and a
 * template change loads a new App that replaces the old one only once it has loaded, built and passed the
 * schedule checks: a broken template or build keeps the previous one serving.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { log } = options;
  const urlServers = new FunctionUrlServers(options, () => app);
  let app: App;
  try {
    // The URL servers are bound before the template is loaded, so that `!GetAtt <Fn>Url.FunctionUrl` (in
    // environment variables, say) resolves to the port each actually listens on, also when the OS picks it.
    await urlServers.bindFor(options);
    app = await loadChecked({ ...options, functionUrls: urlServers.urls() });
  } catch (error) {
    await urlServers.close();
    throw error;
  }
  let routes = routesOf(app.model);
  const asyncInvoker = new AsyncInvoker({ app: () => app, log, retryDelayScale: options.retryDelayScale });
  let scheduler = options.schedules ? startScheduler(app.model, asyncInvoker, options) : undefined;

  // Every port is bound before anything is printed as served, and a port that cannot be bound stops the whole
  // start: nothing is left listening and half-started.
  const apiServer =
    options.apiPort === undefined
      ? undefined
      : createGatewayServer({
          routes: () => routes,
          invoke: async (functionId, event) =>
            bufferedForGateway(await app.invoke(functionId, { payload: event })),
          log,
          ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
          debugging: (functionId) => app.isDebugged(functionId),
          ...(options.jwtTrust === undefined ? {} : { jwtTrust: options.jwtTrust }),
        });
  let apiUrl: string | undefined;
  let lambda: RunningLambdaService | undefined;
  let web: RunningWebServer | undefined;
  try {
    apiUrl =
      apiServer === undefined
        ? undefined
        : await listen(apiServer, options.host, options.apiPort ?? 0, 'api');
    if (options.lambdaPort !== undefined) {
      lambda = await startLambdaService({
        app: () => app,
        host: options.host,
        port: options.lambdaPort,
        log,
        asyncInvoker,
      });
    }
    const webRoot = webRootFor(options.templatePath);
    web =
      apiUrl === undefined || options.webPort === undefined || webRoot === undefined
        ? undefined
        : await startWebServer({
            root: webRoot,
            host: options.host,
            port: options.webPort,
            log,
            config: emulatorWebConfig(apiUrl),
          });
  } catch (error) {
    scheduler?.stop();
    await Promise.all([
      apiServer?.listening ? closeServer(apiServer) : undefined,
      lambda?.close(),
      urlServers.close(),
    ]);
    await asyncInvoker.stop();
    await app.close();
    throw error;
  }
  if (apiUrl !== undefined) log.info(routeTable(app.model, apiUrl));
  else if (app.model.eventSources.length > 0) log.info(eventSourceTable(app.model));
  if (urlServers.size > 0) log.info(functionUrlTable(app.model));
  if (lambda !== undefined) log.info(describeLambdaService(lambda.url));
  if (web !== undefined) log.info(`Web page on ${web.url}/`);
  else if (apiUrl !== undefined && options.webPort !== undefined) {
    log.info(`No web page: the page in web/ is for the templates beside it, not for ${options.templatePath}`);
  }

  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      try {
        const current = { ...options, ...options.settings?.reread() };
        await urlServers.bindFor(current);
        const next = await loadChecked({ ...current, functionUrls: urlServers.urls() });
        const previous = app;
        app = next;
        routes = routesOf(next.model);
        watchDefinitions(next.model);
        if (urlServers.size > 0) log.info(functionUrlTable(next.model));
        if (scheduler !== undefined) {
          scheduler.stop();
          scheduler = startScheduler(next.model, asyncInvoker, options);
        }
        log.info(`template reloaded${apiUrl === undefined ? '' : `\n${routeTable(next.model, apiUrl)}`}`);
        await previous.close();
      } catch (error) {
        // A save by delete-and-create, or a checkout, can leave the template missing for a moment.
        if (!existsSync(options.templatePath)) {
          log.warn(`${options.templatePath} is gone: still serving the previous template until it is back`);
          return;
        }
        log.error(
          `${error instanceof Error ? error.message : String(error)}\n  (still serving the previous template)`,
        );
      }
    });
  };
  // The template, the OpenAPI files and nested templates it includes, env.json and the SAM config file: a
  // change to any of them reloads the template.
  const definitionFiles = (model: AppModel) => [
    options.templatePath,
    ...(model.definitionFiles ?? []),
    ...(model.nestedTemplates ?? []),
    ...(options.settings?.files ?? []),
  ];
  const definitions = options.watch ? watchFiles(definitionFiles(app.model), reload) : undefined;
  const watchDefinitions = (model: AppModel) => definitions?.set(definitionFiles(model));

  return {
    apiUrl,
    lambdaUrl: lambda?.url,
    webUrl: web?.url,
    functionUrls: () => urlServers.urls(),
    asyncInvoker,
    app: () => app,
    async close() {
      definitions?.close();
      scheduler?.stop();
      await Promise.all([
        apiServer === undefined ? undefined : closeServer(apiServer),
        lambda?.close(),
        web?.close(),
        urlServers.close(),
      ]);
      await reloading;
      await asyncInvoker.stop();
      await app.close();
    },
  };
}

/** Loads the App and checks its schedules, so that an invalid expression fails the start (or the reload). */
async function loadChecked(options: EmulatorOptions): Promise<App> {
  const app = await App.load(options);
  if (!options.schedules) return app;
  try {
    validateSchedules(app.model.schedules);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

function startScheduler(model: AppModel, asyncInvoker: AsyncInvoker, options: EmulatorOptions): Scheduler {
  const scheduler = new Scheduler({
    app: model,
    invokeAsync: (functionId, event) => {
      asyncInvoker.invokeAsync(functionId, event);
    },
    log: options.log,
  });
  const now = new Date();
  const lines = model.schedules.map((schedule) => `  ${describeSchedule(schedule, now)}`);
  if (lines.length > 0) options.log.info(['Schedules (UTC):', ...lines].join('\n'));
  scheduler.start();
  return scheduler;
}

/**
 * One HTTP server per function URL, bound in template order from `functionUrlPort` on (0: each on a port the OS
 * picks). A reload binds servers for functions that gained a URL and keeps the others on their ports, so a URL
 * once printed stays valid; a function that lost its URL answers 403, as a deleted URL does.
 */
class FunctionUrlServers {
  readonly #servers = new Map<string, { readonly server: Server; readonly url: string }>();
  readonly #options: EmulatorOptions;
  readonly #app: () => App;
  #nextPort: number | undefined;

  constructor(options: EmulatorOptions, app: () => App) {
    this.#options = options;
    this.#app = app;
    this.#nextPort = options.functionUrlPort;
  }

  get size(): number {
    return this.#servers.size;
  }

  urls(): ReadonlyMap<string, string> {
    return new Map([...this.#servers].map(([id, { url }]) => [id, url]));
  }

  /** Reads which functions have a URL (a pure parse of the template) and binds a server for each new one. */
  async bindFor(options: EmulatorOptions): Promise<void> {
    if (this.#nextPort === undefined) return;
    const model = loadTemplate(options.templatePath, {
      parameterOverrides: { ...options.parameterOverrides },
    });
    for (const fn of model.functions.values()) {
      if (fn.functionUrl === undefined || this.#servers.has(fn.logicalId)) continue;
      const server = createFunctionUrlServer({
        functionId: fn.logicalId,
        app: () => this.#app(),
        credentials: this.#options.credentials,
        log: this.#options.log,
      });
      const port: number = this.#nextPort;
      const base = await listen(server, this.#options.host, port, 'function-url');
      if (port !== 0) this.#nextPort = port + 1;
      this.#servers.set(fn.logicalId, { server, url: `${base}/` });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#servers.values()].map(({ server }) => closeServer(server)));
  }
}

/** The `Function URLs:` block printed next to the route table. */
export function functionUrlTable(model: AppModel): string {
  const rows = [...model.functions.values()].flatMap((fn) =>
    fn.functionUrl?.url === undefined
      ? []
      : [[fn.logicalId, fn.functionUrl.authType, fn.functionUrl.invokeMode, fn.functionUrl.url]],
  );
  return ['Function URLs:', ...columns(rows, '  ')].join('\n');
}

/** Rows as aligned columns two spaces apart, each line after `indent`, without trailing blanks. */
function columns(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length);
    });
  return rows.map(
    (row) =>
      `${indent}${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd()}`,
  );
}

/**
 * API Gateway invokes with Invoke and reads the answer as a proxy result: the bytes of a response-streaming
 * function that are not JSON (an `HttpResponseStream` prelude, plain text) are an integration failure.
 */
function bufferedForGateway(outcome: InvokeOutcome): InvokeOutcome {
  if (outcome.kind !== 'success' || outcome.raw === undefined || outcome.payload !== undefined)
    return outcome;
  return {
    ...outcome,
    kind: 'error',
    timedOut: false,
    error: {
      errorType: 'StreamedResponse',
      errorMessage:
        'the function streams its response (awslambda.streamifyResponse); API Gateway cannot read the streamed bytes as a proxy result',
    },
  };
}

function routesOf(model: AppModel): GatewayRoutes {
  return {
    router: createRouter(model.apis, model.routes),
    accountId: model.accountId,
    region: model.region,
    ...(model.usagePlans === undefined ? {} : { usagePlans: model.usagePlans }),
  };
}

/** The FUNCTION column: the function, or what answers instead (a mock, an HTTP backend, nothing). */
function targetColumn(route: RouteModel): string {
  const integration = integrationOf(route);
  switch (integration.kind) {
    case 'lambda':
      return integration.functionId;
    case 'mock':
      return `(mock ${integration.statusCode})`;
    case 'http':
      return `(http ${integration.uri})`;
    case 'unsupported':
      return '(not emulated)';
  }
}

/** The start-up table: one line per route, then one per function, as `sam local start-api` prints its mounts. */
export function routeTable(model: AppModel, url: string): string {
  const rows = model.routes.map((route) => {
    const kind = route.kind === 'rest' ? 'REST' : 'HTTP';
    const path = route.path === '$default' ? '/{any}' : route.path;
    return [
      route.method,
      route.path,
      targetColumn(route),
      `${kind} ${route.apiId}`,
      // A payload format is what a Lambda function receives; mocks and HTTP backends get none.
      integrationOf(route).kind === 'lambda' ? route.payloadVersion : '-',
      protectionOf(route, model.apis.get(route.apiId)),
      `${url}${path}`,
    ];
  });
  const header = ['METHOD', 'PATH', 'FUNCTION', 'API', 'PAYLOAD', 'PROTECTION', 'URL'];
  const lines =
    rows.length === 0
      ? ['No API routes: the template declares no Api or HttpApi events and no OpenAPI paths.']
      : columns([header, ...rows]);
  const functions = columns(
    [...model.functions.values()].map((fn) => [
      fn.logicalId,
      fn.runtime,
      `${fn.memorySize} MB`,
      `timeout ${fn.timeout} s`,
      `handler ${fn.handler}`,
    ]),
    '  ',
  );
  // Nested stacks often each have a REST API on the same stage: name each stage once.
  const restStages = [
    ...new Set(
      [...model.apis.values()].filter((api) => api.kind === 'rest').map((api) => `/${api.stageName}`),
    ),
  ];
  const note =
    restStages.length > 0
      ? `REST routes also answer under their stage (${restStages.join(', ')}), as on execute-api.`
      : '';
  const unsupported = model.routes.flatMap((route) => {
    const integration = integrationOf(route);
    return integration.kind === 'unsupported'
      ? [`  ${route.method} ${route.path} (${route.apiId}): ${integration.reason}`]
      : [];
  });
  const notEmulated =
    unsupported.length > 0 ? ['Integrations not emulated (they answer 500 saying why):', ...unsupported] : [];
  return [
    `Serving on ${url}`,
    ...lines,
    note,
    ...notEmulated,
    ...apiKeyLines(model.usagePlans),
    'Functions:',
    ...functions,
    eventSourceTable(model),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * "Invoked by other services (run them by hand):" and, per function and event, the command that runs it:
 * `generate-event … | invoke Fn`, the rule's `Input` piped in, or `invoke Fn -e event.json` when no event can
 * be generated, in the form the CLI was run by (command.ts). '' without such events.
 */
export function eventSourceTable(model: AppModel, cwd = process.cwd(), cli = cliCommand()): string {
  if (model.eventSources.length === 0) return '';
  const relative = path.relative(cwd, model.templatePath);
  const template = relative === 'template.yaml' ? [] : ['-t', relative];
  const rows = model.eventSources.map((source) => {
    const from = source.sourceId ?? source.sourceArn;
    const label = `${source.functionId} ${source.eventId} (${source.type}${from === undefined ? '' : ` ${from}`})`;
    const invoke = [...cli, 'invoke', ...template, source.functionId];
    let command: string;
    if (source.input !== undefined) {
      command = `echo ${shellWord(source.input)} | ${shellLine(invoke)}`;
    } else if (source.generateEvent !== undefined) {
      const generate = [...cli, 'generate-event', ...source.generateEvent];
      command = `${shellLine(generate)} | ${shellLine(invoke)}`;
    } else {
      command = shellLine([...invoke, '-e', 'event.json']);
    }
    return [label, command] as const;
  });
  return ['Invoked by other services (run them by hand):', ...columns(rows, '  ')].join('\n');
}

function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: as is when plain, else single-quoted. */
function shellWord(word: string): string {
  if (/^[\w./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
