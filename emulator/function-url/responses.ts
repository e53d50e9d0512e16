import type { GatewayResponse, MalformedResponse } from '../gateway/responses.ts';
import { fromV2Result, isMalformed } from '../gateway/responses.ts';

export { fromV2Result as fromFunctionUrlResult } from '../gateway/responses.ts';

/** Lambda's limit on the request a function URL accepts (the Invoke payload limit). */
export const MAX_URL_REQUEST_BYTES = 6_291_456;

/** The content type `awslambda.HttpResponseStream.from` gives a stream: a JSON prelude, 8 NUL bytes, the body. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_BYTES = 8;

function json(statusCode: number, body: unknown, errorType?: string): GatewayResponse {
  const headers: [string, string][] = [['content-type', 'application/json']];
  if (errorType !== undefined) headers.push(['x-amzn-ErrorType', errorType]);
  return { statusCode, headers, body: Buffer.from(JSON.stringify(body)) };
}

/**
 * 502 for everything the function got wrong: an error, a timeout, a result too large or malformed. The client
 * learns nothing more; the reason is in the emulator's log ([UNCONFIRMED] beyond the status and the text,
 * which users report).
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
export function functionFailed(): GatewayResponse {
  return {
    statusCode: 502,
    headers: [['content-type', 'text/plain']],
    body: Buffer.from('Internal Server Error'),
  };
}

/** 429 when the function's concurrency is exhausted (reserved concurrency 0) ([UNCONFIRMED] body). */
export function throttled(): GatewayResponse {
  return json(429, { Message: 'Rate Exceeded.' }, 'TooManyRequestsException');
}

/** 413: the request is beyond the 6 MB an invocation accepts; the message is Lambda's. */
export function requestTooLarge(): GatewayResponse {
  return json(
    413,
    {
      Message: `Request must be smaller than ${MAX_URL_REQUEST_BYTES} bytes for the InvokeFunction operation`,
    },
    'RequestEntityTooLargeException',
  );
}

/**
 * 403 for an AWS_IAM URL called without a signature (or without the emulator knowing any credentials): the body
 * Lambda sends for every authorization failure of a function URL.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
export function forbidden(): GatewayResponse {
  return json(
    403,
    {
      Message:
        'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    },
    'AccessDeniedException',
  );
}

/** 403 for a signature that does not verify: the SigV4 error type and message AWS services answer. */
export function signatureRejected(errorType: string, message: string): GatewayResponse {
  return json(403, { message }, errorType);
}

/** Every function URL response carries the invocation's request id. */
export function withUrlRequestId(response: GatewayResponse, requestId: string): GatewayResponse {
  return { ...response, headers: [...response.headers, ['x-amzn-RequestId', requestId]] };
}

/** The status line and headers a streamed response starts with. */
export type StreamHead = Pick<GatewayResponse, 'statusCode' | 'headers'>;

/**
 * The metadata prelude at the start of an `HttpResponseStream.from` stream: `undefined` while its 8 NUL
 * delimiter has not arrived, else the head it describes (status 200 unless it says otherwise, its headers and
 * cookies) and the body bytes that followed the delimiter.
 */
export function readPrelude(
  buffered: Buffer,
): { head: StreamHead; rest: Buffer } | MalformedResponse | undefined {
  const end = buffered.indexOf(0);
  if (end === -1 || buffered.length < end + DELIMITER_BYTES) return undefined;
  for (let index = end; index < end + DELIMITER_BYTES; index++) {
    if (buffered[index] !== 0) return { malformed: 'the prelude is not followed by 8 NUL bytes' };
  }
  let prelude: unknown;
  try {
    prelude = JSON.parse(buffered.subarray(0, end).toString('utf8'));
  } catch {
    return { malformed: 'the HttpResponseStream prelude is not JSON' };
  }
  const head = streamHead(prelude, undefined);
  if ('malformed' in head) return head;
  return { head, rest: buffered.subarray(end + DELIMITER_BYTES) };
}

/**
 * The head of a streamed response: from the prelude's statusCode, headers and cookies (the 2.0 rules), or
 * status 200 with the stream's content type when the function streamed without a prelude.
 */
export function streamHead(
  prelude: unknown,
  contentType: string | undefined,
): StreamHead | MalformedResponse {
  if (prelude === undefined && contentType !== undefined) {
    return { statusCode: 200, headers: [['content-type', contentType]] };
  }
  if (typeof prelude !== 'object' || prelude === null || Array.isArray(prelude)) {
    return { malformed: 'the HttpResponseStream prelude is not an object' };
  }
  const converted = fromV2Result({
    statusCode: 200,
    ...prelude,
    body: undefined,
    isBase64Encoded: undefined,
  });
  if (isMalformed(converted)) return converted;
  return { statusCode: converted.statusCode, headers: converted.headers };
}
