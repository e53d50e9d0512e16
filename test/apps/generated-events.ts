import path from 'node:path';
import { readSamConfig } from '../../emulator/samconfig.ts';
import { loadTemplate } from '../../emulator/template/load.ts';
import { type AppModel, integrationOf, type RouteModel } from '../../emulator/template/model.ts';
import { isRecord } from '../../emulator/template/values.ts';

/**
 * One `generate-event … | invoke <function>` a user would run for a function's trigger: the event is whatever
 * `generate-event` prints for these arguments.
 */
export interface GeneratedInvoke {
  readonly function: string;
  /** The `generate-event` arguments: service, event, flags. */
  readonly args: readonly string[];
  /** The proxy payload version an API or function URL event has; `undefined` for other services' events. */
  readonly payloadVersion: '1.0' | '2.0' | undefined;
  /** A `RESPONSE_STREAM` function URL: `invoke` prints the streamed bytes, not a JSON result. */
  readonly streams: boolean;
}

/** Methods whose request a user generates with a JSON body. */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/** The path `{proxy+}` and an HTTP API's `$default` route are requested on. */
const SAMPLE_PATH = 'sample/path';

/**
 * The model of `<folder>/template.yaml` as `invoke` loads it from that folder: its samconfig's parameters
 * (the `local_invoke` section, the deploy section for parameters with no other value).
 */
export function loadAppModel(folder: string): AppModel {
  const templatePath = path.join(folder, 'template.yaml');
  const config = readSamConfig({
    templatePath,
    configFile: undefined,
    configEnv: undefined,
    command: 'local_invoke',
  });
  return loadTemplate(templatePath, {
    parameterOverrides: { ...config.parameterOverrides },
    parameterFallbacks: { values: config.deployParameterOverrides, source: 'samconfig deploy parameters' },
  });
}

/**
 * Every generated invocation of an app's functions, from what the emulator knows of them: one per API route
 * whose integration is the function, per function URL, per schedule and per other service's event that
 * `generate-event` can stand for (as the start screen prints it), each said once. A schedule or rule with an
 * `Input` sends that text rather than an event, and a function nothing triggers has no event to generate.
 */
export function generatedInvokes(model: AppModel): GeneratedInvoke[] {
  const invokes: GeneratedInvoke[] = [];
  for (const route of model.routes) {
    const integration = integrationOf(route);
    // A mock or HTTP integration, or a function ARN of another stack, invokes no function of this template.
    if (integration.kind !== 'lambda' || !model.functions.has(integration.functionId)) continue;
    invokes.push({
      function: integration.functionId,
      args: routeEventArgs(route, model.apis.get(route.apiId)?.stageName),
      payloadVersion: route.payloadVersion,
      streams: false,
    });
  }
  for (const fn of model.functions.values()) {
    if (fn.functionUrl === undefined) continue;
    // A function URL sends the payload 2.0 shape of an HTTP API request, on its root by default.
    invokes.push({
      function: fn.logicalId,
      args: ['apigateway', 'http-api-proxy', '--method', 'GET', '--path', '/'],
      payloadVersion: '2.0',
      streams: fn.functionUrl.invokeMode === 'RESPONSE_STREAM',
    });
  }
  for (const schedule of model.schedules) {
    if (schedule.input !== undefined) continue;
    invokes.push({
      function: schedule.functionId,
      args: ['eventbridge', 'scheduled'],
      payloadVersion: undefined,
      streams: false,
    });
  }
  for (const source of model.eventSources) {
    if (source.input !== undefined || source.generateEvent === undefined) continue;
    invokes.push({
      function: source.functionId,
      args: source.generateEvent,
      payloadVersion: undefined,
      streams: false,
    });
  }
  const seen = new Set<string>();
  return invokes.filter((invoke) => {
    const key = JSON.stringify([invoke.function, invoke.args]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The `generate-event apigateway …` arguments for a request to the route: `aws-proxy` for payload 1.0 (a REST
 * API, or an HTTP API route with `PayloadFormatVersion: '1.0'`), `http-api-proxy` for 2.0; ANY as GET, path
 * parameters filled with samples, a JSON body where the method carries one. The API's stage goes along where
 * it is not generate-event's default and the event is of the API's own kind.
 */
function routeEventArgs(route: RouteModel, stageName: string | undefined): string[] {
  const event = route.payloadVersion === '1.0' ? 'aws-proxy' : 'http-api-proxy';
  const method = route.method === 'ANY' ? 'GET' : route.method;
  const path = samplePath(route.path);
  const args = ['apigateway', event, '--method', method, '--path', path];
  if (path !== route.path) args.push('--resource', route.path);
  // generate-event's stage is `Prod` for aws-proxy and `$default` for http-api-proxy, as the implicit APIs'.
  const defaultStage = event === 'aws-proxy' ? 'Prod' : '$default';
  const sameKind = (route.kind === 'rest') === (event === 'aws-proxy');
  if (sameKind && stageName !== undefined && stageName !== defaultStage) args.push('--stage', stageName);
  if (WITH_BODY.has(method)) args.push('--header', 'content-type: application/json', '--body', '{}');
  return args;
}

/** `/items/{id}` → `/items/sample-id`, `/files/{proxy+}` → `/files/sample/path`, `$default` → `/sample/path`. */
export function samplePath(resource: string): string {
  if (resource === '$default') return `/${SAMPLE_PATH}`;
  return resource.replace(/\{([^}]+)\+\}/g, SAMPLE_PATH).replace(/\{([^}]+)\}/g, 'sample-$1');
}

/**
 * Why a function's result is not a valid proxy result for the payload version, or `undefined` when it is.
 * Payload 1.0 needs an object with an integer `statusCode` in 100–599 and a string `body` if any; payload 2.0
 * takes any JSON value, reading it as a proxy result only when it is an object with a `statusCode`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 */
export function proxyResultProblem(result: unknown, payloadVersion: '1.0' | '2.0'): string | undefined {
  if (payloadVersion === '2.0' && !(isRecord(result) && 'statusCode' in result)) return undefined;
  if (!isRecord(result)) return `a payload ${payloadVersion} result must be an object`;
  const status = result.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    return `statusCode must be an integer from 100 to 599, got ${JSON.stringify(status)}`;
  }
  if (result.body !== undefined && typeof result.body !== 'string') {
    return `body must be a string, got ${JSON.stringify(result.body)}`;
  }
  return undefined;
}

/**
 * Why an `invoke` output is not a function's own error, or `undefined` when it is: the JSON error Lambda
 * returns, whose `errorType` is not one of the runtime's (`Runtime.ImportModuleError`,
 * `Runtime.HandlerNotFound`, `Runtime.UserCodeSyntaxError`…) or the sandbox's (`Sandbox.Timedout`).
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 */
export function functionErrorProblem(printed: unknown): string | undefined {
  if (!isRecord(printed) || typeof printed.errorType !== 'string') {
    return `expected a JSON error with an errorType, got ${JSON.stringify(printed)}`;
  }
  if (/^(Runtime|Sandbox)\./.test(printed.errorType)) {
    return `${printed.errorType} is the runtime's failure, not the function's: ${String(printed.errorMessage)}`;
  }
  return undefined;
}

/** The arguments as a POSIX shell reads them back, for test names: plain words as is, others single-quoted. */
export function shellWords(words: readonly string[]): string {
  return words
    .map((word) => (/^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
