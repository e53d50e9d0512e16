import type { ApiKind } from '../template/model.ts';
import { isRecord } from '../template/values.ts';
import { matchesBinaryMediaTypes } from './mediaTypes.ts';
import { type GatewayRequest, headerValue, mediaTypeOf } from './request.ts';

/** What the gateway sends back to the client. Header pairs keep their order and repeats (`Set-Cookie`). */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** A function result API Gateway would reject; the reason is for the emulator's log, never for the client. */
export interface MalformedResponse {
  readonly malformed: string;
}

/** Tells a converted result from a rejected one. */
export function isMalformed(value: GatewayResponse | MalformedResponse): value is MalformedResponse {
  return 'malformed' in value;
}

/**
 * The request-id headers API Gateway puts on every response: `x-amzn-RequestId` (plus `x-amz-apigw-id`, the
 * extended id, when given) on REST APIs, `apigw-requestid` on HTTP APIs.
 */
export function withRequestId(
  response: GatewayResponse,
  kind: ApiKind,
  requestId: string,
  extendedRequestId?: string,
): GatewayResponse {
  const headers = [...response.headers];
  if (kind === 'http') {
    headers.push(['apigw-requestid', requestId]);
  } else {
    headers.push(['x-amzn-RequestId', requestId]);
    if (extendedRequestId !== undefined) headers.push(['x-amz-apigw-id', extendedRequestId]);
  }
  return { ...response, headers };
}

// REST rejects any other top-level key (SPEC §3.1, SAM CLI trials). `base64Encoded` is the legacy spelling SAM CLI
// still honours for REST; accepting it avoids a 502 that some older handlers would otherwise get only locally.
const REST_RESULT_KEYS = new Set([
  'statusCode',
  'headers',
  'multiValueHeaders',
  'body',
  'isBase64Encoded',
  'base64Encoded',
]);
// Node's own rules (`validateHeaderName` / `validateHeaderValue`): a header that breaks them would make the HTTP
// edge throw, so such a result is rejected here with a reason instead.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Converts a payload format 1.0 result. REST is strict: unknown keys, a non-string body or a bad status make it
 * malformed (502). HTTP APIs ignore unknown keys. `multiValueHeaders` wins over `headers` for the same name. A
 * missing `statusCode` is 200 on REST (SAM CLI parity; [UNCONFIRMED] for AWS) and malformed on HTTP APIs (SAM CLI).
 * `isBase64Encoded` bodies are decoded on HTTP APIs always, on REST only when the request's first `Accept` type
 * matches `binaryMediaTypes`; otherwise REST sends the base64 text as is (ministackorg/ministack#767, checked on
 * AWS). Without a Content-Type the response gets `application/json`, as SAM CLI does ([UNCONFIRMED] for AWS).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export function fromV1Result(
  result: unknown,
  kind: ApiKind,
  request: GatewayRequest,
  binaryMediaTypes: readonly string[],
): GatewayResponse | MalformedResponse {
  if (!isRecord(result)) return { malformed: `the function returned ${describe(result)}, not an object` };
  if (kind === 'rest') {
    for (const key of Object.keys(result)) {
      if (!REST_RESULT_KEYS.has(key))
        return { malformed: `unexpected key "${key}" in a REST proxy response` };
    }
  }

  let statusCode = 200;
  if (result.statusCode !== undefined && result.statusCode !== null) {
    const status = statusCodeOf(result.statusCode);
    if (status === undefined)
      return { malformed: `statusCode ${describe(result.statusCode)} is not 200-599` };
    statusCode = status;
  } else if (kind === 'http') {
    return { malformed: 'statusCode is missing' };
  }

  const headers: [string, string][] = [];
  const multiValueHeaders = result.multiValueHeaders;
  const multiNames = new Set<string>();
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders)) return { malformed: 'multiValueHeaders is not an object' };
    for (const name of Object.keys(multiValueHeaders)) multiNames.add(name.toLowerCase());
  }
  const single = result.headers;
  if (single !== undefined && single !== null) {
    if (!isRecord(single)) return { malformed: 'headers is not an object' };
    for (const [name, value] of Object.entries(single)) {
      if (multiNames.has(name.toLowerCase()) || value === null || value === undefined) continue;
      const problem = addHeader(headers, name, value);
      if (problem !== undefined) return { malformed: problem };
    }
  }
  if (isRecord(multiValueHeaders)) {
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (values === null || values === undefined) continue;
      if (!Array.isArray(values)) return { malformed: `multiValueHeaders["${name}"] is not an array` };
      for (const value of values) {
        const problem = addHeader(headers, name, value);
        if (problem !== undefined) return { malformed: problem };
      }
    }
  }
  addDefaultContentType(headers, 'Content-Type');

  const body = result.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return { malformed: `body is ${describe(body)}; it must be a string (JSON.stringify objects)` };
  }
  const flag = result.isBase64Encoded ?? (kind === 'rest' ? result.base64Encoded : undefined);
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
    return { malformed: `isBase64Encoded is ${describe(flag)}, not a boolean` };
  }
  const decode = flag === true && (kind === 'http' || acceptsBinary(request, binaryMediaTypes));
  return { statusCode, headers, body: toBuffer(body ?? '', decode) };
}

/**
 * Converts a payload format 2.0 result. A value without a `statusCode` key is the body: a string as is, anything
 * else as its JSON text, with 200 and `application/json`. A structured result may carry `cookies` (one
 * `Set-Cookie` each, on top of any in `headers`) and `isBase64Encoded`, always honoured. A structured `body` that is
 * not a string is treated as malformed ([UNCONFIRMED] for AWS), as is a non-integer status.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 */
export function fromV2Result(result: unknown): GatewayResponse | MalformedResponse {
  if (typeof result === 'string') {
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(result) };
  }
  if (!isRecord(result) || !('statusCode' in result)) {
    // `null` and `undefined` (which the runtime sends as JSON null) are valid JSON without a statusCode, so
    // they are inferred like any other value ([UNCONFIRMED] for AWS).
    let text: string | undefined;
    try {
      text = JSON.stringify(result);
    } catch (error) {
      return { malformed: `the result cannot be written as JSON: ${String(error)}` };
    }
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(text ?? 'null'),
    };
  }

  const statusCode = statusCodeOf(result.statusCode);
  if (statusCode === undefined)
    return { malformed: `statusCode ${describe(result.statusCode)} is not 200-599` };
  const headers: [string, string][] = [];
  const single = result.headers;
  if (single !== undefined && single !== null) {
    if (!isRecord(single)) return { malformed: 'headers is not an object' };
    for (const [name, value] of Object.entries(single)) {
      if (value === null || value === undefined) continue;
      const problem = addHeader(headers, name, value);
      if (problem !== undefined) return { malformed: problem };
    }
  }
  const cookies = result.cookies;
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) return { malformed: 'cookies is not an array' };
    for (const cookie of cookies) {
      if (typeof cookie !== 'string') return { malformed: `cookie ${describe(cookie)} is not a string` };
      const problem = addHeader(headers, 'set-cookie', cookie);
      if (problem !== undefined) return { malformed: problem };
    }
  }
  addDefaultContentType(headers, 'content-type');

  const body = result.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return { malformed: `body is ${describe(body)}; it must be a string (JSON.stringify objects)` };
  }
  const flag = result.isBase64Encoded;
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
    return { malformed: `isBase64Encoded is ${describe(flag)}, not a boolean` };
  }
  return { statusCode, headers, body: toBuffer(body ?? '', flag === true) };
}

/**
 * An integer from 200 to 599; a string of three digits is accepted like the number, as API Gateway does. A 1xx
 * is informational and cannot end an exchange: node:http would send it as an interim response and the client
 * would wait for a final one that never comes. What AWS answers is [UNCONFIRMED]; malformed is the safe rule.
 */
function statusCodeOf(value: unknown): number | undefined {
  let status: number | undefined;
  if (typeof value === 'number') status = value;
  else if (typeof value === 'string' && /^\d{3}$/.test(value)) status = Number(value);
  return status !== undefined && Number.isInteger(status) && status >= 200 && status <= 599
    ? status
    : undefined;
}

/** Adds one header, or says why it cannot be sent; numbers and booleans are sent as their text. */
function addHeader(headers: [string, string][], name: string, value: unknown): string | undefined {
  if (!HEADER_NAME.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP token`;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else return `header "${name}" has ${describe(value)}, not a string, number or boolean`;
  if (INVALID_HEADER_VALUE.test(text)) return `header "${name}" has characters HTTP cannot carry`;
  headers.push([name, text]);
  return undefined;
}

function addDefaultContentType(headers: [string, string][], name: string): void {
  for (const [existing] of headers) if (existing.toLowerCase() === 'content-type') return;
  headers.push([name, 'application/json']);
}

/** REST negotiates binary responses on the first media type of the request's `Accept` header only. */
function acceptsBinary(request: GatewayRequest, binaryMediaTypes: readonly string[]): boolean {
  const accept = headerValue(request, 'accept');
  const first = accept === undefined ? undefined : mediaTypeOf(accept.split(',', 1)[0] ?? '');
  return matchesBinaryMediaTypes(first, binaryMediaTypes);
}

function toBuffer(body: string, base64: boolean): Buffer {
  return Buffer.from(body, base64 ? 'base64' : 'utf8');
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
