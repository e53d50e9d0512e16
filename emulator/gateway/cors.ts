import type { HttpCors, RestCors } from '../template/model.ts';
import { type GatewayRequest, headerValue } from './request.ts';
import type { GatewayResponse } from './responses.ts';
import type { PathOwner } from './router.ts';

/** What SAM writes for `ANY` when it generates `Access-Control-Allow-Methods`. */
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * The preflight API Gateway answers itself, if this OPTIONS request is one; `undefined` sends it on to routing.
 * REST: SAM adds a mock OPTIONS method to every path of an API with `Cors` that has no OPTIONS method of its own,
 * so an OPTIONS request to an existing path is answered whatever its headers. HTTP API: with `CorsConfiguration`
 * the gateway answers any path, but only a real preflight (`Origin` and `Access-Control-Request-Method`).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
export function answerPreflight(
  request: GatewayRequest,
  owner: PathOwner | undefined,
): GatewayResponse | undefined {
  if (request.method !== 'OPTIONS' || owner === undefined) return undefined;
  const { api } = owner;
  if (api.kind === 'rest' && api.cors?.kind === 'rest') {
    if (owner.resource === undefined || owner.methods.includes('OPTIONS')) return undefined;
    return restPreflight(api.cors, owner.methods);
  }
  if (api.kind === 'http' && api.cors?.kind === 'http' && isPreflightRequest(request)) {
    return httpPreflight(request, api.cors);
  }
  return undefined;
}

/**
 * SAM's mock OPTIONS integration: 200, body `{}`, Allow-Origin always, Allow-Methods (generated from the resource's
 * methods when not configured), Allow-Headers and Max-Age when configured, Allow-Credentials only when true.
 * @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-corsconfiguration.html
 */
export function restPreflight(cors: RestCors, resourceMethods: readonly string[]): GatewayResponse {
  const headers: [string, string][] = [
    ['Content-Type', 'application/json'],
    ['Access-Control-Allow-Origin', cors.allowOrigin],
  ];
  if (cors.allowHeaders !== undefined) headers.push(['Access-Control-Allow-Headers', cors.allowHeaders]);
  headers.push(['Access-Control-Allow-Methods', cors.allowMethods ?? generatedAllowMethods(resourceMethods)]);
  if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', cors.maxAge]);
  if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  return { statusCode: 200, headers, body: Buffer.from('{}') };
}

/** SAM's generated Allow-Methods: the resource's methods plus OPTIONS (`ANY` meaning all), sorted, comma-joined. */
export function generatedAllowMethods(resourceMethods: readonly string[]): string {
  const methods = new Set(['OPTIONS']);
  for (const method of resourceMethods) {
    const upper = method.toUpperCase();
    if (upper === 'ANY') for (const each of ALL_METHODS) methods.add(each);
    else methods.add(upper);
  }
  return [...methods].sort().join(',');
}

/** A CORS preflight: OPTIONS with both `Origin` and `Access-Control-Request-Method`. */
export function isPreflightRequest(request: GatewayRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    headerValue(request, 'origin') !== undefined &&
    headerValue(request, 'access-control-request-method') !== undefined
  );
}

/**
 * An HTTP API's own preflight answer. The status is 204 ([UNCONFIRMED]: AWS does not document it; a body-less
 * answer is what HTTP API preflights are reported to return). A disallowed origin gets the same 204 without any
 * CORS header, so the browser refuses. The configured methods and headers are sent as configured; the browser
 * checks the request against them.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
export function httpPreflight(request: GatewayRequest, cors: HttpCors): GatewayResponse {
  const headers: [string, string][] = [];
  const allowOrigin = allowedOriginValue(headerValue(request, 'origin'), cors);
  if (allowOrigin !== undefined) {
    headers.push(['access-control-allow-origin', allowOrigin]);
    if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (cors.allowMethods.length > 0)
      headers.push(['access-control-allow-methods', cors.allowMethods.join(',')]);
    if (cors.allowHeaders.length > 0)
      headers.push(['access-control-allow-headers', cors.allowHeaders.join(',')]);
    if (cors.maxAge !== undefined) headers.push(['access-control-max-age', String(cors.maxAge)]);
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

/**
 * An HTTP API with CORS ignores the integration's own `Access-Control-*` headers and, when the request's Origin
 * is allowed, adds the configured Allow-Origin, Allow-Credentials and Expose-Headers. A request without an allowed
 * Origin is still served, with no CORS headers ([UNCONFIRMED]; SAM CLI does the same).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
export function applyHttpCors(
  response: GatewayResponse,
  request: GatewayRequest,
  cors: HttpCors,
): GatewayResponse {
  const headers: [string, string][] = [];
  for (const header of response.headers) {
    if (!header[0].toLowerCase().startsWith('access-control-')) headers.push([header[0], header[1]]);
  }
  const allowOrigin = allowedOriginValue(headerValue(request, 'origin'), cors);
  if (allowOrigin !== undefined) {
    headers.push(['access-control-allow-origin', allowOrigin]);
    if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (cors.exposeHeaders.length > 0)
      headers.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
  }
  return { ...response, headers };
}

/**
 * Whether an Origin is allowed: an exact entry (case-insensitive), `*`, `https://*` or `http://*`. Other
 * wildcards such as `https://*.example.com` are not documented as supported, so they only match literally.
 */
export function isOriginAllowed(origin: string, allowOrigins: readonly string[]): boolean {
  const lower = origin.toLowerCase();
  for (const allowed of allowOrigins) {
    const pattern = allowed.toLowerCase();
    if (pattern === '*' || pattern === lower) return true;
    if ((pattern === 'https://*' || pattern === 'http://*') && lower.startsWith(pattern.slice(0, -1)))
      return true;
  }
  return false;
}

/**
 * `*` when every origin is allowed, otherwise the request's own origin echoed back ([UNCONFIRMED]; this is what
 * SAM CLI does, and a browser needs the echo whenever credentials are allowed).
 */
function allowedOriginValue(origin: string | undefined, cors: HttpCors): string | undefined {
  if (origin === undefined || !isOriginAllowed(origin, cors.allowOrigins)) return undefined;
  return cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
}
