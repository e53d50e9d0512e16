/**
 * The Invoke operation of the Lambda API, as `@aws-sdk/client-lambda` and the AWS CLI call it, decided without
 * any I/O: a request in, a response out. The HTTP edge is server.ts.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { randomUUID } from 'node:crypto';
import { UnknownFunctionError } from '../app.ts';
import { type InvokeOutcome, TooManyRequestsError } from '../runtime/pool.ts';
import { isRecord } from '../template/values.ts';
import type { AsyncInvokeOptions } from './async.ts';
import { invokeCompleteEvent, payloadChunkEvent } from './event-stream.ts';
import {
  findFunction,
  functionArn,
  isNameProblem,
  LATEST,
  parseFunctionName,
  parseQualifier,
} from './function-name.ts';
import {
  enumProblem,
  invalidClientContext,
  invalidParameterValue,
  invalidPayload,
  type LambdaResponse,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_CLIENT_CONTEXT_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
  methodNotAllowed,
  requestTooLarge,
  resourceNotFound,
  serviceException,
  tooManyRequests,
  unknownOperation,
  validationError,
} from './service-errors.ts';
import type { InvokeTarget } from './target.ts';

export interface LambdaRequest {
  readonly method: string;
  /** The path as it arrived, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body; empty when it was larger than any payload Lambda accepts (see {@link MAX_KEPT_BODY_BYTES}). */
  readonly body: Buffer;
  /** The body's full length, which is what a too-large answer reports. */
  readonly bodyBytes: number;
}

export interface InvokeHandlerOptions {
  /** The application now (a template reload replaces it). */
  app(): InvokeTarget;
  /** Queues an `Event` invocation; the async invoker's `invokeAsync`. */
  invokeAsync(functionId: string, payload: unknown, options: AsyncInvokeOptions): void;
}

/**
 * An InvokeWithResponseStream answer, run by the HTTP edge: `run` invokes the function and hands each encoded
 * event to `write` as it happens (the edge sends `response`'s status and headers before the first). It resolves
 * with a service error to send instead when the invocation was refused before anything was written, else with
 * the summary for the request log.
 */
export interface StreamedInvocation {
  run(write: (bytes: Buffer) => void): Promise<{ readonly refusal: Handled } | { readonly summary: string }>;
}

/** What the request log says about a handled request, besides its status. */
export interface Handled {
  readonly response: LambdaResponse;
  /** Present for a response-streaming invocation: the body is written by it, not taken from `response`. */
  readonly stream?: StreamedInvocation;
  /** `MultiplyFunction RequestResponse`, `ThrowsFunction RequestResponse Unhandled Error`; or the error name. */
  readonly summary: string;
}

/** Bodies beyond the largest payload any invocation type accepts are counted, not kept. */
export const MAX_KEPT_BODY_BYTES = MAX_SYNC_PAYLOAD_BYTES;

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const;
type InvocationType = (typeof INVOCATION_TYPES)[number];
const LOG_TYPES = ['None', 'Tail'] as const;
/** `X-Amz-Log-Result` carries the last 4 KB of the log. */
export const LOG_TAIL_BYTES = 4096;

// The name may hold `/` as sent (a nested stack's full path, as sam local's `function_path` converter reads it).
const INVOKE_PATH = /^\/2015-03-31\/functions\/(.+)\/invocations\/?$/;
/** InvokeWithResponseStream: https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html */
const STREAM_PATH = /^\/2021-11-15\/functions\/(.+)\/response-streaming-invocations\/?$/;
const STREAM_INVOCATION_TYPES = ['RequestResponse', 'DryRun'] as const;

/**
 * Answers one request to the Lambda API. Only Invoke is served: `RequestResponse` runs the function and answers
 * its result (or its error, with `X-Amz-Function-Error`), `Event` queues it and answers 202, `DryRun` only
 * checks the request and answers 204. Every response carries `x-amzn-RequestId`; for an invocation it is the
 * invocation's request id, as on Lambda.
 */
export async function handleLambdaRequest(
  request: LambdaRequest,
  options: InvokeHandlerOptions,
): Promise<Handled> {
  const requestId = randomUUID();
  const handled = await handle(request, options, requestId);
  return {
    ...handled,
    response: {
      ...handled.response,
      headers: { ...handled.response.headers, 'x-amzn-RequestId': requestId },
    },
  };
}

async function handle(
  request: LambdaRequest,
  options: InvokeHandlerOptions,
  requestId: string,
): Promise<Handled> {
  const streamed = STREAM_PATH.exec(request.path);
  const matched = streamed ?? INVOKE_PATH.exec(request.path);
  if (matched?.[1] === undefined) return refused(unknownOperation(request.method, request.path));
  if (request.method !== 'POST') return refused(methodNotAllowed(request.method));

  const invocationType = headerValue(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  const allowedTypes = streamed === null ? INVOCATION_TYPES : STREAM_INVOCATION_TYPES;
  if (!isInvocationType(invocationType) || !allowedTypes.some((type) => type === invocationType))
    return refused(validationError(enumProblem('invocationType', invocationType, allowedTypes)));
  const logType = headerValue(request, 'x-amz-log-type') ?? 'None';
  if (!LOG_TYPES.some((allowed) => allowed === logType))
    return refused(validationError(enumProblem('logType', logType, LOG_TYPES)));

  let rawName: string;
  try {
    rawName = decodeURIComponent(matched[1]);
  } catch {
    rawName = matched[1];
  }
  const reference = parseFunctionName(rawName);
  if (isNameProblem(reference)) return refused(validationError(reference));
  const queryQualifier = parseQualifier(request.query.get('Qualifier'));
  if (isNameProblem(queryQualifier)) return refused(validationError(queryQualifier));
  if (
    reference.qualifier !== undefined &&
    queryQualifier !== undefined &&
    reference.qualifier !== queryQualifier
  ) {
    return refused(
      invalidParameterValue(
        'The derived qualifier from the function name does not match the specified qualifier.',
      ),
    );
  }
  const qualifier = reference.qualifier ?? queryQualifier;

  const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  if (request.bodyBytes > limit) return refused(requestTooLarge(request.bodyBytes, invocationType, limit));

  const app = options.app();
  const { region, accountId } = app.model;
  const fn = findFunction(app.model.functions, reference.name);
  if (fn === undefined || (qualifier !== undefined && qualifier !== LATEST)) {
    const arn = functionArn(
      reference.region ?? region,
      reference.accountId ?? accountId,
      fn?.functionName ?? reference.name,
      qualifier,
    );
    return refused(resourceNotFound(arn));
  }

  const payload = parsePayload(request.body);
  if (payload instanceof SyntaxError) return refused(invalidPayload(payload.message));

  const summary = `${fn.logicalId} ${invocationType}`;
  // The ARN the function sees names the qualifier when the caller used one, as on Lambda.
  const invokedFunctionArn =
    qualifier === undefined ? undefined : functionArn(region, accountId, fn.functionName, qualifier);
  if (invocationType === 'DryRun') return { response: empty(204), summary };
  if (invocationType === 'Event') {
    // ClientContext and Tail apply to synchronous invocations only; Lambda ignores them here.
    options.invokeAsync(fn.logicalId, payload, { requestId, invokedFunctionArn });
    return { response: empty(202), summary };
  }

  const clientContext = decodeClientContext(headerValue(request, 'x-amz-client-context'));
  if (clientContext instanceof ClientContextError) return refused(clientContext.response);
  const invokeRequest = { payload, requestId, clientContext, invokedFunctionArn };
  if (streamed !== null) {
    const notFound = () =>
      refused(resourceNotFound(functionArn(region, accountId, fn.functionName, qualifier)));
    return streamingInvocation(app, fn.logicalId, invokeRequest, logType === 'Tail', summary, notFound);
  }

  let outcome: InvokeOutcome;
  try {
    outcome = await app.invoke(fn.logicalId, invokeRequest);
  } catch (error) {
    if (error instanceof TooManyRequestsError) return refused(tooManyRequests());
    // The template was reloaded without this function between the lookup and the call.
    if (error instanceof UnknownFunctionError)
      return refused(resourceNotFound(functionArn(region, accountId, fn.functionName, qualifier)));
    return refused(serviceException(error instanceof Error ? error.message : String(error)));
  }
  return { response: invocationResponse(outcome, logType === 'Tail'), summary: describe(summary, outcome) };
}

/**
 * InvokeWithResponseStream: 200 `application/vnd.amazon.eventstream`, one `PayloadChunk` event per write of
 * the function (a function that does not stream sends its whole result as one), then `InvokeComplete`, which
 * carries the function's error (type as `ErrorCode`, message as `ErrorDetails`, [UNCONFIRMED] beyond the
 * member names) and the log tail. A refusal before the stream starts (throttled, function gone) is an ordinary
 * service error.
 * https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
 */
function streamingInvocation(
  app: InvokeTarget,
  functionId: string,
  invokeRequest: Parameters<InvokeTarget['invoke']>[1],
  tail: boolean,
  summary: string,
  notFound: () => Handled,
): Handled {
  const response: LambdaResponse = {
    statusCode: 200,
    headers: { 'Content-Type': 'application/vnd.amazon.eventstream', 'X-Amz-Executed-Version': LATEST },
    body: Buffer.alloc(0),
  };
  const stream: StreamedInvocation = {
    async run(write) {
      if (app.invokeStream === undefined)
        return { refusal: refused(serviceException('response streaming is not available')) };
      let outcome: InvokeOutcome;
      try {
        outcome = await app.invokeStream(functionId, invokeRequest, {
          start: () => {},
          chunk: (bytes) => write(payloadChunkEvent(bytes)),
        });
      } catch (error) {
        if (error instanceof TooManyRequestsError) return { refusal: refused(tooManyRequests()) };
        if (error instanceof UnknownFunctionError) return { refusal: notFound() };
        return { refusal: refused(serviceException(error instanceof Error ? error.message : String(error))) };
      }
      write(
        invokeCompleteEvent({
          ...(outcome.kind === 'error'
            ? { errorCode: outcome.error.errorType, errorDetails: outcome.error.errorMessage }
            : {}),
          ...(tail ? { logResult: logTail(outcome.log) } : {}),
        }),
      );
      return { summary: describe(summary, outcome) };
    },
  };
  return { response, stream, summary };
}

function refused(response: LambdaResponse): Handled {
  return { response, summary: response.errorType ?? '' };
}

function empty(statusCode: number): LambdaResponse {
  return { statusCode, headers: {}, body: Buffer.alloc(0) };
}

function headerValue(request: LambdaRequest, name: string): string | undefined {
  const value = request.headers[name];
  // The SDK leaves out empty headers; an empty one sent by hand means the same as none.
  return value === undefined || value === '' ? undefined : value;
}

function isInvocationType(value: string): value is InvocationType {
  return INVOCATION_TYPES.some((type) => type === value);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The event: the body as JSON, or `{}` for an empty body (what the SDK sends when `Payload` is unset). */
function parsePayload(body: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return new SyntaxError('Invalid UTF-8 in the payload');
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    return error instanceof SyntaxError ? error : new SyntaxError(String(error));
  }
}

class ClientContextError extends Error {
  readonly response: LambdaResponse;
  constructor(response: LambdaResponse) {
    super('invalid client context');
    this.response = response;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `X-Amz-Client-Context`: base64 of a JSON object, at most 3583 bytes as sent. */
function decodeClientContext(
  header: string | undefined,
): Record<string, unknown> | undefined | ClientContextError {
  if (header === undefined) return undefined;
  if (Buffer.byteLength(header) > MAX_CLIENT_CONTEXT_BYTES) {
    return new ClientContextError(
      invalidParameterValue(
        `Client context is ${Buffer.byteLength(header)} bytes; at most ${MAX_CLIENT_CONTEXT_BYTES} bytes of base64 are allowed.`,
      ),
    );
  }
  if (!BASE64.test(header)) return new ClientContextError(invalidClientContext());
  let decoded: unknown;
  try {
    decoded = JSON.parse(strictUtf8.decode(Buffer.from(header, 'base64')));
  } catch {
    return new ClientContextError(invalidClientContext());
  }
  return isRecord(decoded) ? decoded : new ClientContextError(invalidClientContext());
}

/** 200 with the function's result, or with its error document and `X-Amz-Function-Error`. */
function invocationResponse(outcome: InvokeOutcome, tail: boolean): LambdaResponse {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': LATEST,
  };
  // Modern runtimes report every failure, thrown errors and timeouts alike, as Unhandled.
  if (outcome.kind === 'error') headers['X-Amz-Function-Error'] = 'Unhandled';
  if (tail) headers['X-Amz-Log-Result'] = logTail(outcome.log);
  // A response-streaming function invoked with Invoke answers the bytes it streamed, as they are.
  if (outcome.kind === 'success' && outcome.raw !== undefined)
    return { statusCode: 200, headers, body: outcome.raw };
  const body =
    outcome.kind === 'error' ? JSON.stringify(outcome.error) : (JSON.stringify(outcome.payload) ?? 'null');
  return { statusCode: 200, headers, body: Buffer.from(body) };
}

/**
 * Base64 of the last 4 KB of the invocation's log, newline-terminated as CloudWatch stores it, starting on a
 * character boundary.
 */
export function logTail(log: string): string {
  const bytes = Buffer.from(log === '' ? '' : `${log}\n`);
  let start = Math.max(0, bytes.byteLength - LOG_TAIL_BYTES);
  // Skip UTF-8 continuation bytes (10xxxxxx) so that the tail decodes cleanly.
  while (start < bytes.byteLength && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('base64');
}

function describe(summary: string, outcome: InvokeOutcome): string {
  if (outcome.kind === 'success') return summary;
  return `${summary} Unhandled ${outcome.error.errorType}: ${outcome.error.errorMessage}`;
}
