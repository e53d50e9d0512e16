import type { ApiKind } from '../template/model.ts';
import type { GatewayResponse } from './responses.ts';

/**
 * Responses API Gateway sends on its own. Bodies are byte-for-byte what AWS sends (SPEC §3.3, §4): some REST bodies
 * have a space after the colon and some do not. Request-id headers are added by `withRequestId`, as for every
 * response. None carries CORS headers: on REST they need `GatewayResponses`, which the emulator does not model.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */

/** API Gateway's payload limit for REST and HTTP APIs (10 MB, not increasable). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** Lambda's synchronous invoke limit, for the event and for the function's response (6 MB). */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** REST: no resource or method at this path in the stage (403, `MissingAuthenticationTokenException`). */
export function missingAuthenticationToken(): GatewayResponse {
  return restJson(403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException');
}

/** HTTP API: no route and no `$default` route (404). */
export function notFound(): GatewayResponse {
  return httpJson(404, '{"message":"Not Found"}');
}

/** The answer to a `RouteMiss`: REST 403 Missing Authentication Token, HTTP API 404 Not Found. */
export function routeMissResponse(kind: ApiKind): GatewayResponse {
  return kind === 'rest' ? missingAuthenticationToken() : notFound();
}

/**
 * The function failed, timed out on its own, or returned a malformed result: REST 502 with
 * `InternalServerErrorException`, HTTP API 500.
 */
export function integrationError(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(502, '{"message": "Internal server error"}', 'InternalServerErrorException')
    : httpJson(500, '{"message":"Internal Server Error"}');
}

/** Lambda refused the invoke (permissions, throttling): 500 on both kinds. */
export function invokeRefused(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(500, '{"message": "Internal server error"}', 'InternalServerErrorException')
    : httpJson(500, '{"message":"Internal Server Error"}');
}

/**
 * API Gateway stopped waiting for the function (REST 29 s by default, HTTP API up to 30 s): REST 504, HTTP API 503.
 * No `x-amzn-ErrorType` is sent for the REST 504 because no capture shows one.
 */
export function integrationTimeout(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(504, '{"message": "Endpoint request timed out"}')
    : httpJson(503, '{"message":"Service Unavailable"}');
}

/** A request body over 10 MB: 413 with the plain-text body captured from AWS, on both kinds. */
export function requestTooLarge(): GatewayResponse {
  return {
    statusCode: 413,
    headers: [['Content-Type', 'text; charset=utf-8']],
    body: Buffer.from(`HTTP content length exceeded ${MAX_REQUEST_BYTES} bytes.`),
  };
}

/**
 * An event over Lambda's 6 MB invoke limit: REST 413 `Request Too Long` with `BadRequestException`. The HTTP API
 * answer is [UNCONFIRMED]; the REST body is used for it too.
 */
export function invokePayloadTooLarge(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(413, '{"message": "Request Too Long"}', 'BadRequestException')
    : httpJson(413, '{"message": "Request Too Long"}');
}

/**
 * Throttled (429). The exact body is [UNCONFIRMED]; `Too Many Requests` is what clients commonly report, and
 * `TooManyRequestsException` is API Gateway's name for it.
 */
export function throttled(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(429, '{"message":"Too Many Requests"}', 'TooManyRequestsException')
    : httpJson(429, '{"message":"Too Many Requests"}');
}

/** A REST gateway response: JSON, with API Gateway's exception name in `x-amzn-ErrorType` when it sends one. */
export function restJson(statusCode: number, body: string, errorType?: string): GatewayResponse {
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  if (errorType !== undefined) headers.push(['x-amzn-ErrorType', errorType]);
  return { statusCode, headers, body: Buffer.from(body) };
}

/** An HTTP API gateway response: JSON, lower-case headers, no exception name. */
export function httpJson(statusCode: number, body: string): GatewayResponse {
  return { statusCode, headers: [['content-type', 'application/json']], body: Buffer.from(body) };
}
