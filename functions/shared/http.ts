import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError } from './errors.ts';
import { isRecord, isString, type UnknownRecord } from './guards.ts';

/**
 * What a handler answers to API Gateway. `statusCode`, `headers`, `body` and `isBase64Encoded` mean the same
 * in payload format 1.0 and in the structured 2.0 result, so one value answers either event.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export type ApiResult = APIGatewayProxyResult & APIGatewayProxyStructuredResultV2;

/** A request as the handlers see it, whichever payload format carried it. */
export interface ApiRequest {
  readonly payloadVersion: '1.0' | '2.0';
  readonly method: string;
  /** Every query value, decoded, repeated keys kept in order. */
  readonly query: URLSearchParams;
  /** The body as text (base64 already decoded), or `undefined` when the request had none. */
  readonly body: string | undefined;
}

export type ApiRoute = (request: ApiRequest) => Promise<ApiResult>;

const DEFAULT_ALLOWED_ORIGIN = '*';

/** Reads an API Gateway proxy event of payload format 1.0 (REST, or HTTP API 1.0) or 2.0 (HTTP API). */
export function toApiRequest(event: unknown): ApiRequest | undefined {
  if (!isRecord(event)) return undefined;
  // `version` alone is not enough: only 2.0 events carry `requestContext.http`, and HTTP APIs on 1.0 send "1.0".
  if (event.version === '2.0' && isRecord(event.requestContext) && isRecord(event.requestContext.http)) {
    const http = event.requestContext.http;
    return {
      payloadVersion: '2.0',
      method: isString(http.method) ? http.method : 'GET',
      query: queryOfV2(event),
      body: bodyOf(event),
    };
  }
  if (isString(event.httpMethod)) {
    return { payloadVersion: '1.0', method: event.httpMethod, query: queryOfV1(event), body: bodyOf(event) };
  }
  return undefined;
}

export function isApiEvent(event: unknown): boolean {
  return toApiRequest(event) !== undefined;
}

/** Runs `route` for an API Gateway event and turns every failure into a JSON error response. */
export async function handleApiEvent(event: unknown, route: ApiRoute): Promise<ApiResult> {
  const request = toApiRequest(event);
  if (request === undefined) {
    return errorResponse(
      new HttpError(
        400,
        'Unsupported event: expected an API Gateway proxy event (payload format 1.0 or 2.0)',
      ),
    );
  }
  try {
    return await route(request);
  } catch (error) {
    return errorResponse(error);
  }
}

/** A JSON response that a browser on `ALLOWED_ORIGIN` may read: a REST proxy integration must add CORS itself. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): ApiResult {
  return {
    statusCode,
    headers: {
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': process.env.ALLOWED_ORIGIN || DEFAULT_ALLOWED_ORIGIN,
      ...headers,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/**
 * The one place where errors become responses: an `HttpError` keeps its status and client message;
 * anything else is a 500 whose detail stays in the log, never in the body.
 */
export function errorResponse(error: unknown): ApiResult {
  if (error instanceof HttpError) {
    const record = {
      msg: 'Request failed',
      statusCode: error.statusCode,
      error: error.message,
      cause: summarize(error.cause),
    };
    if (error.statusCode >= 500) console.error(record);
    else console.warn(record);
    return jsonResponse(
      error.statusCode,
      { error: error.message },
      { 'Cache-Control': 'no-store', ...error.headers },
    );
  }
  console.error({ msg: 'Unexpected error', error: describe(error) });
  return jsonResponse(500, { error: 'Internal server error' }, { 'Cache-Control': 'no-store' });
}

/**
 * An expected failure's cause in one line: its message says what went wrong (the URL tried, Binance's answer),
 * where a stack would only show the same lines of the price client every time.
 */
function summarize(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error)
    return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}

function describe(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function queryOfV1(event: UnknownRecord): URLSearchParams {
  const query = new URLSearchParams();
  // The multi-value map holds every value in order; the single-value map only the last one of each key.
  const multi = event.multiValueQueryStringParameters;
  if (isRecord(multi)) {
    for (const [key, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) continue;
      for (const value of values) if (isString(value)) query.append(key, value);
    }
    return query;
  }
  appendStrings(query, event.queryStringParameters);
  return query;
}

function queryOfV2(event: UnknownRecord): URLSearchParams {
  // rawQueryString keeps repeated keys apart; queryStringParameters joins them with commas.
  if (isString(event.rawQueryString)) return new URLSearchParams(event.rawQueryString);
  const query = new URLSearchParams();
  appendStrings(query, event.queryStringParameters);
  return query;
}

function appendStrings(query: URLSearchParams, map: unknown): void {
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) if (isString(value)) query.append(key, value);
}

function bodyOf(event: UnknownRecord): string | undefined {
  const body = event.body;
  if (!isString(body)) return undefined;
  return event.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body;
}
