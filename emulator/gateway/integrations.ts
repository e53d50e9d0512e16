import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpProxyIntegration, MockIntegration, RouteModel } from '../template/model.ts';
import { decodePercent } from './decoding.ts';
import type { GatewayRequest } from './request.ts';
import type { GatewayResponse } from './responses.ts';
import type { RouteMatch } from './router.ts';

/**
 * Integrations other than Lambda, read from an OpenAPI definition: a mock answers as configured, an HTTP proxy
 * forwards the request, and one the emulator cannot run answers 500 saying why. The request builders are pure;
 * only `forward` opens a socket.
 */

/** The response a REST mock integration was configured with. */
export function mockResponse(integration: MockIntegration): GatewayResponse {
  return {
    statusCode: integration.statusCode,
    headers: integration.headers,
    body: Buffer.from(integration.body),
  };
}

/** 500 naming the route and why it is not emulated, so that the developer sees it in the client too. */
export function unsupportedResponse(route: RouteModel, reason: string): GatewayResponse {
  const body = {
    message: 'Internal server error: this integration is not emulated',
    route: `${route.method} ${route.path}`,
    api: route.apiId,
    reason,
  };
  return {
    statusCode: 500,
    headers: [['Content-Type', 'application/json']],
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** What is sent to the HTTP backend. */
export interface ProxyRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: readonly (readonly [string, string])[];
}

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, never forwarded; Host names the backend, and
// Content-Length is recomputed for the body actually sent.
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/**
 * The backend request of an `http_proxy` integration: the request's method (unless the integration sets one), its
 * headers and query string passed through, `{name}` variables of the URI filled with the route's path parameters
 * and REST `requestParameters` mappings (`integration.request.path|querystring|header.*` from
 * `method.request.path|querystring|header.*` or a `'static'` value).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html
 */
export function proxyRequest(
  request: GatewayRequest,
  match: RouteMatch,
  integration: HttpProxyIntegration,
): ProxyRequest {
  const isRest = match.api.kind === 'rest';
  const parameters = match.pathParameters ?? {};
  const mapped = {
    path: new Map<string, string>(),
    querystring: new Map<string, string>(),
    header: new Map<string, string>(),
  };
  for (const [target, source] of Object.entries(integration.requestParameters)) {
    const to = /^integration\.request\.(path|querystring|header)\.(.+)$/.exec(target);
    const value = sourceValue(source, request, parameters);
    if (to === null || value === undefined) continue;
    const [, where = 'path', name = ''] = to;
    if (where === 'path' || where === 'querystring' || where === 'header') mapped[where].set(name, value);
  }

  const question = integration.uri.indexOf('?');
  const base = question === -1 ? integration.uri : integration.uri.slice(0, question);
  const path = base.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const explicit = mapped.path.get(name);
    // REST path parameters are still encoded, as the backend must receive them; HTTP API ones are decoded.
    const raw = explicit ?? parameters[name] ?? parameters[name.replace(/\+$/, '')] ?? '';
    return isRest || explicit !== undefined ? raw : encodePath(raw);
  });
  const query = [
    question === -1 ? '' : integration.uri.slice(question + 1),
    request.rawQuery,
    ...[...mapped.querystring].map(
      ([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
    ),
  ].filter((part) => part !== '');

  const headers: [string, string][] = [];
  let forwardedFor: string | undefined;
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || mapped.header.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    headers.push([name, value]);
  }
  for (const [name, value] of mapped.header) headers.push([name, value]);
  headers.push([
    'X-Forwarded-For',
    forwardedFor === undefined ? request.sourceIp : `${forwardedFor}, ${request.sourceIp}`,
  ]);
  return {
    url: query.length === 0 ? path : `${path}?${query.join('&')}`,
    method: integration.method ?? request.method,
    headers,
  };
}

/** A mapping source: `method.request.path|querystring|header.name` or a `'static'` literal. */
function sourceValue(
  source: string,
  request: GatewayRequest,
  pathParameters: Readonly<Record<string, string>>,
): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal !== null) return literal[1];
  const from = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(source);
  if (from === null) return undefined;
  const [, where, name = ''] = from;
  if (where === 'path') return pathParameters[name];
  if (where === 'header') {
    const lower = name.toLowerCase();
    return request.headers.findLast(([header]) => header.toLowerCase() === lower)?.[1];
  }
  for (const pair of request.rawQuery.split('&').reverse()) {
    const equals = pair.indexOf('=');
    const key = decodePercent(equals === -1 ? pair : pair.slice(0, equals));
    if (key === name) return decodePercent(equals === -1 ? '' : pair.slice(equals + 1));
  }
  return undefined;
}

function encodePath(value: string): string {
  return value.split('/').map(encodeURIComponent).join('/');
}

const HOP_BY_HOP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'content-length',
]);

/**
 * Sends the backend request and reads its whole answer; `'timeout'` after `timeoutMs`, `'failed'` when the backend
 * cannot be reached or breaks the connection.
 */
export function forward(
  target: ProxyRequest,
  body: Buffer,
  timeoutMs: number,
): Promise<GatewayResponse | 'timeout' | 'failed'> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Given headers as a flat list, Node adds no Host of its own: the backend's host is named here.
    const headers: string[] = ['Host', url.host, ...target.headers.flat()];
    if (body.byteLength > 0) headers.push('Content-Length', String(body.byteLength));
    let settled = false;
    const settle = (outcome: GatewayResponse | 'timeout' | 'failed') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const outgoing = send(url, { method: target.method, headers, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', () => settle('failed'));
      incoming.on('end', () => {
        const raw = incoming.rawHeaders;
        const responseHeaders: [string, string][] = [];
        for (let i = 0; i + 1 < raw.length; i += 2) {
          const name = raw[i] ?? '';
          if (!HOP_BY_HOP_RESPONSE.has(name.toLowerCase())) responseHeaders.push([name, raw[i + 1] ?? '']);
        }
        settle({
          statusCode: incoming.statusCode ?? 502,
          headers: responseHeaders,
          body: Buffer.concat(chunks),
        });
      });
    });
    const timer = setTimeout(() => {
      settle('timeout');
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on('error', () => settle('failed'));
    outgoing.end(body);
  });
}
