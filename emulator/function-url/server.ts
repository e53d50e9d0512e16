/**
 * The HTTP edge of one function URL: one server, one port, one function, as Lambda gives each URL its own host.
 * It reads the request, checks CORS and SigV4, builds the event and writes the function's answer, buffered or
 * streamed; every rule it applies is in the pure modules beside it.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { applyHttpCors, httpPreflight, isPreflightRequest } from '../gateway/cors.ts';
import type { GatewayRequest } from '../gateway/request.ts';
import { type GatewayResponse, isMalformed } from '../gateway/responses.ts';
import { readBody, send, toGatewayRequest } from '../gateway/server.ts';
import type { Logger } from '../log.ts';
import { limitSlowClients } from '../net.ts';
import {
  type InvokeOutcome,
  type InvokeRequest,
  type ResponseStreamSink,
  TooManyRequestsError,
} from '../runtime/pool.ts';
import type { AppModel, FunctionModel, FunctionUrlModel } from '../template/model.ts';
import { type IamCaller, toFunctionUrlEvent } from './events.ts';
import {
  forbidden,
  fromFunctionUrlResult,
  functionFailed,
  HTTP_INTEGRATION_CONTENT_TYPE,
  MAX_URL_REQUEST_BYTES,
  readPrelude,
  requestTooLarge,
  type StreamHead,
  signatureRejected,
  streamHead,
  throttled,
  withUrlRequestId,
} from './responses.ts';
import { type SigningCredentials, verifySigV4 } from './sigv4.ts';

/** What a function URL needs of the application: `App` fits. Read through a getter: a reload replaces it. */
export interface FunctionUrlTarget {
  readonly model: Pick<AppModel, 'functions' | 'region' | 'accountId'>;
  invoke(functionId: string, request: InvokeRequest): Promise<InvokeOutcome>;
  invokeStream(functionId: string, request: InvokeRequest, sink: ResponseStreamSink): Promise<InvokeOutcome>;
}

export interface FunctionUrlServerOptions {
  /** Logical id of the function this URL invokes. */
  readonly functionId: string;
  app(): FunctionUrlTarget;
  /** What AWS_IAM requests must be signed with; `undefined`: every AWS_IAM request is refused. */
  readonly credentials: SigningCredentials | undefined;
  readonly log: Logger;
  /** Epoch milliseconds, for the signature's date window; `Date.now` by default. */
  readonly now?: () => number;
}

/** A server for one function URL; listen on it with net.ts `listen`. */
export function createFunctionUrlServer(options: FunctionUrlServerOptions): Server {
  const server = createServer((incoming, outgoing) => {
    serve(options, incoming, outgoing).catch((error: unknown) => {
      if (incoming.destroyed && !incoming.complete) return;
      options.log.error(
        `function URL ${options.functionId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!outgoing.headersSent) send(outgoing, functionFailed());
      else outgoing.destroy();
    });
  });
  limitSlowClients(server);
  return server;
}

async function serve(
  options: FunctionUrlServerOptions,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const reply = (response: GatewayResponse) => {
    send(outgoing, withUrlRequestId(response, requestId));
    logRequest(options, incoming, response.statusCode, started);
  };
  const declared = Number(incoming.headers['content-length']);
  const body = declared > MAX_URL_REQUEST_BYTES ? undefined : await readBody(incoming);
  if (body === undefined || body.byteLength > MAX_URL_REQUEST_BYTES) {
    outgoing.shouldKeepAlive = false;
    incoming.resume();
    reply(requestTooLarge());
    return;
  }
  const app = options.app();
  const fn = app.model.functions.get(options.functionId);
  const url = fn?.functionUrl;
  if (fn === undefined || url === undefined) {
    // The template was reloaded without this URL; Lambda answers a URL that no longer exists this way too.
    reply(forbidden());
    return;
  }
  const request = toGatewayRequest(incoming, body);
  // Lambda answers the preflight itself when the URL has CORS, before (and without) authorization.
  if (url.cors !== undefined && isPreflightRequest(request)) {
    reply(httpPreflight(request, url.cors));
    return;
  }
  const auth = authorize(options, app, url, request);
  if ('response' in auth) {
    reply(auth.response);
    return;
  }
  const event = toFunctionUrlEvent(request, url, {
    requestId,
    region: app.model.region,
    caller: auth.caller,
  });
  if (Buffer.byteLength(JSON.stringify(event)) > MAX_URL_REQUEST_BYTES) {
    reply(requestTooLarge());
    return;
  }
  const finishWithCors = (response: GatewayResponse) =>
    url.cors === undefined ? response : applyHttpCors(response, request, url.cors);
  if (url.invokeMode === 'RESPONSE_STREAM') {
    await stream(options, app, fn, { event, requestId, request }, outgoing, finishWithCors);
    logRequest(options, incoming, outgoing.statusCode, started);
    return;
  }
  reply(finishWithCors(await buffered(options, app, fn, event, requestId)));
}

function authorize(
  options: FunctionUrlServerOptions,
  app: FunctionUrlTarget,
  url: FunctionUrlModel,
  request: GatewayRequest,
): { caller: IamCaller | undefined } | { response: GatewayResponse } {
  if (url.authType === 'NONE') return { caller: undefined };
  if (options.credentials === undefined) {
    options.log.warn(
      `function URL ${options.functionId}: AuthType AWS_IAM, but the emulator has no credentials to check ` +
        'signatures with (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile); request refused',
    );
    return { response: forbidden() };
  }
  const verified = verifySigV4(request, {
    credentials: options.credentials,
    region: app.model.region,
    service: 'lambda',
    now: (options.now ?? Date.now)(),
  });
  if (verified.ok) return { caller: { accessKey: verified.accessKeyId, accountId: app.model.accountId } };
  if (verified.unsigned) return { response: forbidden() };
  options.log.warn(`function URL ${options.functionId}: ${verified.errorType}: ${verified.message}`);
  return { response: signatureRejected(verified.errorType, verified.message) };
}

/** BUFFERED: Invoke, then the 2.0 result rules; every failure of the function is a 502. */
async function buffered(
  options: FunctionUrlServerOptions,
  app: FunctionUrlTarget,
  fn: FunctionModel,
  event: unknown,
  requestId: string,
): Promise<GatewayResponse> {
  let outcome: InvokeOutcome;
  try {
    outcome = await app.invoke(fn.logicalId, { payload: event, requestId });
  } catch (error) {
    return refused(options, error);
  }
  if (outcome.kind === 'error') {
    options.log.warn(`${fn.logicalId}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    return functionFailed();
  }
  if (outcome.raw !== undefined && outcome.payload === undefined) {
    // A streaming handler behind a BUFFERED URL: its stream is no 2.0 result. Users report a 200 without
    // content in this case (middy's streamifyResponse guide); the log says why.
    options.log.warn(
      `${fn.logicalId}: streams its response (awslambda.streamifyResponse) behind a BUFFERED function URL; ` +
        'set InvokeMode: RESPONSE_STREAM',
    );
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.alloc(0) };
  }
  const converted = fromFunctionUrlResult(outcome.payload);
  if (isMalformed(converted)) {
    options.log.warn(`${fn.logicalId}: malformed function URL response: ${converted.malformed}`);
    return functionFailed();
  }
  return converted;
}

function refused(options: FunctionUrlServerOptions, error: unknown): GatewayResponse {
  if (error instanceof TooManyRequestsError) return throttled();
  options.log.error(
    `${options.functionId}: invoke refused: ${error instanceof Error ? error.message : String(error)}`,
  );
  return functionFailed();
}

/**
 * RESPONSE_STREAM: InvokeWithResponseStream, each write sent to the client as a chunk as soon as it arrives.
 * The head comes from the `HttpResponseStream.from` prelude (or is 200 with the stream's content type); a
 * function that does not stream answers its whole result by the 2.0 rules. A failure before the head is a 502;
 * after it, the connection is cut, so that the client sees an incomplete response rather than a complete one.
 */
async function stream(
  options: FunctionUrlServerOptions,
  app: FunctionUrlTarget,
  fn: FunctionModel,
  call: { event: unknown; requestId: string; request: GatewayRequest },
  outgoing: ServerResponse,
  finishWithCors: (response: GatewayResponse) => GatewayResponse,
): Promise<void> {
  // An object, not two lets: the sink's callbacks change them, which narrowing after the await cannot see.
  const state: { mode: 'prelude' | 'body' | 'result' | 'failed'; pending: Buffer } = {
    mode: 'body',
    pending: Buffer.alloc(0),
  };
  const writeHead = (head: StreamHead) => {
    const { headers } = withUrlRequestId(finishWithCors({ ...head, body: Buffer.alloc(0) }), call.requestId);
    const flat: string[] = [];
    for (const [name, value] of headers) flat.push(name, value);
    outgoing.writeHead(head.statusCode, flat);
    // The head goes out now, not with the first chunk, so a client sees the status as early as Lambda sends it.
    outgoing.flushHeaders();
  };
  const write = (bytes: Uint8Array) => {
    if (bytes.byteLength > 0 && !outgoing.destroyed) outgoing.write(bytes);
  };
  const sink: ResponseStreamSink = {
    start(contentType, streamed) {
      if (!streamed) state.mode = 'result';
      else if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) state.mode = 'prelude';
      else {
        const head = streamHead(undefined, contentType);
        if (!('malformed' in head)) writeHead(head);
      }
    },
    chunk(bytes) {
      if (state.mode === 'body') return write(bytes);
      if (state.mode !== 'prelude') return;
      state.pending = Buffer.concat([state.pending, bytes]);
      const prelude = readPrelude(state.pending);
      if (prelude === undefined) return;
      if ('malformed' in prelude) {
        options.log.warn(`${fn.logicalId}: malformed response stream: ${prelude.malformed}`);
        state.mode = 'failed';
        return;
      }
      writeHead(prelude.head);
      state.mode = 'body';
      write(prelude.rest);
    },
  };
  let outcome: InvokeOutcome;
  try {
    outcome = await app.invokeStream(fn.logicalId, { payload: call.event, requestId: call.requestId }, sink);
  } catch (error) {
    send(outgoing, withUrlRequestId(refused(options, error), call.requestId));
    return;
  }
  if (outcome.kind === 'error') {
    options.log.warn(`${fn.logicalId}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    if (outgoing.headersSent) outgoing.destroy();
    else send(outgoing, withUrlRequestId(functionFailed(), call.requestId));
    return;
  }
  if (state.mode === 'result') {
    // The pool already parsed the result of a function that does not stream.
    const converted = fromFunctionUrlResult(outcome.payload);
    if (isMalformed(converted)) {
      options.log.warn(`${fn.logicalId}: malformed function URL response: ${converted.malformed}`);
      send(outgoing, withUrlRequestId(functionFailed(), call.requestId));
    } else send(outgoing, withUrlRequestId(finishWithCors(converted), call.requestId));
    return;
  }
  if (!outgoing.headersSent) {
    // A prelude that never ended (or was malformed), or a stream the function never wrote to.
    if (state.mode === 'prelude' || state.mode === 'failed') {
      if (state.mode === 'prelude')
        options.log.warn(`${fn.logicalId}: the response stream ended inside its prelude`);
      send(outgoing, withUrlRequestId(functionFailed(), call.requestId));
      return;
    }
  }
  outgoing.end();
}

function logRequest(
  options: FunctionUrlServerOptions,
  incoming: IncomingMessage,
  status: number,
  started: number,
): void {
  const ms = (performance.now() - started).toFixed(1);
  options.log.info(
    `${incoming.method} ${incoming.url} ${status} ${ms} ms ${options.functionId} (function URL)`,
  );
}
