import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import { closeServer, limitSlowClients, listen } from '../net.ts';
import { AsyncInvoker } from './async.ts';
import {
  handleLambdaRequest,
  type InvokeHandlerOptions,
  type LambdaRequest,
  MAX_KEPT_BODY_BYTES,
} from './handler.ts';
import { type LambdaResponse, serviceException } from './service-errors.ts';
import type { InvokeTarget } from './target.ts';

export interface LambdaServiceOptions {
  /** The application now; the caller owns it (loads, reloads and closes it). */
  app(): InvokeTarget;
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  /** Multiplies Lambda's asynchronous retry delays, e.g. 0.001 for local work; see {@link AsyncInvoker}. */
  readonly retryDelayScale?: number;
  /** An invoker shared with the schedules; its owner stops it. By default the service makes and stops its own. */
  readonly asyncInvoker?: AsyncInvoker;
}

export interface RunningLambdaService {
  /** `http://127.0.0.1:3001`, with the port actually bound: the `endpoint` for `LambdaClient`. */
  readonly url: string;
  /** The queue behind `Event` invocations; schedules hand their events to it too. */
  readonly asyncInvoker: AsyncInvoker;
  /**
   * Stops accepting connections and lets in-flight requests finish, then stops the async invoker: retries still
   * waiting are cancelled with a log line each, attempts already running are awaited. The App is left running.
   */
  close(): Promise<void>;
}

/**
 * The Lambda API endpoint, as `sam local start-lambda` serves it: point `@aws-sdk/client-lambda` (or
 * `aws lambda invoke --endpoint-url`) at `url`. Requests may be SigV4-signed with any credentials; signatures
 * are not checked.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
/** The start line (printed by the caller, once every server is bound) that says where the endpoint is and which of Lambda's paths it answers. */
export function describeLambdaService(url: string): string {
  return (
    `Lambda Invoke endpoint on ${url} (POST /2015-03-31/functions/{FunctionName}/invocations, ` +
    'POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations)'
  );
}

export async function startLambdaService(options: LambdaServiceOptions): Promise<RunningLambdaService> {
  const { log } = options;
  const asyncInvoker =
    options.asyncInvoker ??
    new AsyncInvoker({ app: options.app, log, retryDelayScale: options.retryDelayScale });
  const server = createLambdaServer({
    app: options.app,
    invokeAsync: (functionId, payload, invokeOptions) => {
      asyncInvoker.invokeAsync(functionId, payload, invokeOptions);
    },
    log,
  });
  const url = await listen(server, options.host, options.port, 'lambda');
  return {
    url,
    asyncInvoker,
    async close() {
      await closeServer(server);
      if (options.asyncInvoker === undefined) await asyncInvoker.stop();
    },
  };
}

export interface LambdaServerOptions extends InvokeHandlerOptions {
  readonly log: Logger;
}

/** The HTTP edge: reads the request, hands it to the pure handler, writes its answer and one log line. */
export function createLambdaServer(options: LambdaServerOptions): Server {
  const server = createServer((incoming, outgoing) => {
    const started = performance.now();
    serve(options, incoming, outgoing, started).catch((error: unknown) => {
      // A client that hangs up before its whole request has arrived is not the emulator failing.
      if (incoming.destroyed && !incoming.complete) {
        options.log.info(`${incoming.method} ${incoming.url} closed by the client before its body arrived`);
        return;
      }
      options.log.error(`lambda: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (outgoing.headersSent) {
        outgoing.destroy();
        return;
      }
      const response = serviceException('The emulator failed to handle the request; see its log.');
      send(outgoing, { ...response, headers: { ...response.headers, 'x-amzn-RequestId': randomUUID() } });
      logRequest(options.log, incoming, response.statusCode, started, response.errorType ?? '');
    });
  });
  limitSlowClients(server);
  return server;
}

async function serve(
  options: LambdaServerOptions,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  started: number,
): Promise<void> {
  const { body, bodyBytes } = await readBody(incoming);
  const url = incoming.url ?? '/';
  const question = url.indexOf('?');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers))
    if (typeof value === 'string') headers[name] = value;
  const request: LambdaRequest = {
    method: (incoming.method ?? 'GET').toUpperCase(),
    path: question === -1 ? url : url.slice(0, question),
    query: new URLSearchParams(question === -1 ? '' : url.slice(question + 1)),
    headers,
    body,
    bodyBytes,
  };
  const { response, summary, stream } = await handleLambdaRequest(request, options);
  if (stream === undefined) {
    send(outgoing, response);
    logRequest(options.log, incoming, response.statusCode, started, summary);
    return;
  }
  // The head goes out with the first event, so that a refusal found before it is still a plain error response.
  const write = (bytes: Buffer) => {
    if (outgoing.destroyed) return;
    if (!outgoing.headersSent) outgoing.writeHead(response.statusCode, response.headers);
    outgoing.write(bytes);
  };
  const result = await stream.run(write);
  if ('refusal' in result) {
    const refusal = result.refusal.response;
    send(outgoing, {
      ...refusal,
      headers: { ...refusal.headers, 'x-amzn-RequestId': response.headers['x-amzn-RequestId'] ?? '' },
    });
    logRequest(options.log, incoming, refusal.statusCode, started, result.refusal.summary);
    return;
  }
  outgoing.end();
  logRequest(options.log, incoming, response.statusCode, started, result.summary);
}

/** Keeps the body up to the largest payload Lambda accepts and only counts the rest, so its size can be told. */
function readBody(incoming: IncomingMessage): Promise<{ body: Buffer; bodyBytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    incoming.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.byteLength;
      if (bodyBytes <= MAX_KEPT_BODY_BYTES) chunks.push(chunk);
    });
    incoming.on('end', () =>
      resolve({
        body: bodyBytes <= MAX_KEPT_BODY_BYTES ? Buffer.concat(chunks, bodyBytes) : Buffer.alloc(0),
        bodyBytes,
      }),
    );
    incoming.on('error', reject);
  });
}

function send(outgoing: ServerResponse, response: LambdaResponse): void {
  if (outgoing.destroyed) return;
  outgoing.writeHead(response.statusCode, {
    ...response.headers,
    'Content-Length': String(response.body.byteLength),
  });
  outgoing.end(response.body);
}

function logRequest(
  log: Logger,
  incoming: IncomingMessage,
  status: number,
  started: number,
  summary: string,
) {
  const ms = (performance.now() - started).toFixed(1);
  log.info(`${incoming.method} ${incoming.url} ${status} ${ms} ms${summary === '' ? '' : ` ${summary}`}`);
}
