import {
  type EventContext,
  newExtendedRequestId,
  newRequestIdV1,
  newRequestIdV2,
  toV1Event,
  toV2Event,
} from './gateway/events.ts';
import type { GatewayRequest } from './gateway/request.ts';
import { createRouter } from './gateway/router.ts';
import { scheduledEventEnvelope } from './schedule/events.ts';
import type { ApiKind, ApiModel, RouteModel } from './template/model.ts';

export interface ApiEventRequest {
  readonly method: string;
  /** The request path without the stage, e.g. `/price`. */
  readonly path: string;
  /** The resource or route template; defaults to the path. */
  readonly resource?: string;
  /** `Key=Value` pairs, in order. */
  readonly query: readonly string[];
  /** `Name: value` pairs, in order. */
  readonly headers: readonly string[];
  readonly body: string | undefined;
  readonly stage: string | undefined;
  readonly region: string;
  readonly accountId: string;
}

export class GenerateEventError extends Error {
  override readonly name = 'GenerateEventError';
}

const API_ID: Record<ApiKind, string> = { rest: 'a1b2c3d4e5', http: 'f6g7h8i9j0' };

/**
 * `generate-event apigateway aws-proxy` (REST, payload 1.0) and `apigateway http-api-proxy` (HTTP API, payload
 * 2.0): the event is built by the same code the emulator's gateway uses for real requests, from a request
 * record made of the flags, so it has exactly the shape the server would send.
 */
export function apiGatewayEvent(kind: ApiKind, options: ApiEventRequest): unknown {
  const stage = options.stage ?? (kind === 'rest' ? 'Prod' : '$default');
  if (!options.path.startsWith('/'))
    throw new GenerateEventError(`--path must start with /: ${options.path}`);
  const api: ApiModel = {
    logicalId: kind === 'rest' ? 'ServerlessRestApi' : 'ServerlessHttpApi',
    physicalId: API_ID[kind],
    kind,
    stageName: stage,
    stageVariables: undefined,
    binaryMediaTypes: [],
    cors: undefined,
  };
  const method = options.method.toUpperCase();
  const route: RouteModel = {
    apiId: api.logicalId,
    kind,
    method,
    path: options.resource ?? options.path,
    functionId: 'Function',
    eventId: 'Event',
    payloadVersion: kind === 'rest' ? '1.0' : '2.0',
    integrationTimeoutMs: 29_000,
  };
  // A REST API is reached under its stage; a named HTTP API stage is part of the path too.
  const rawPath = kind === 'rest' || stage === '$default' ? options.path : `/${stage}${options.path}`;
  const domainName = `${api.physicalId}.execute-api.${options.region}.amazonaws.com`;
  const headers: [string, string][] = [
    ['Host', domainName],
    ['User-Agent', 'generate-event'],
  ];
  for (const header of options.headers) {
    const colon = header.indexOf(':');
    if (colon <= 0)
      throw new GenerateEventError(`--header expects "Name: value", got ${JSON.stringify(header)}`);
    headers.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
  }
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body, 'utf8');
  if (options.body !== undefined && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/json']);
  }
  const request: GatewayRequest = {
    method,
    rawPath,
    rawQuery: options.query.map(encodeQueryPair).join('&'),
    headers,
    body,
    sourceIp: '203.0.113.7',
    receivedAt: Date.now(),
  };
  const match = createRouter(new Map([[api.logicalId, api]]), [route]).match(method, rawPath);
  if (!match.matched) {
    throw new GenerateEventError(`--path ${options.path} does not fit the resource ${route.path}`);
  }
  const context: EventContext = {
    requestId: kind === 'rest' ? newRequestIdV1() : newRequestIdV2(),
    extendedRequestId: newExtendedRequestId(),
    apiId: api.physicalId,
    accountId: options.accountId,
    domainName,
  };
  return kind === 'rest' ? toV1Event(request, match, context) : toV2Event(request, match, context);
}

/** `generate-event eventbridge scheduled`: the envelope an EventBridge rule (`Type: Schedule`) sends. */
export function scheduledEvent(options: { region: string; accountId: string; ruleName: string }): unknown {
  return scheduledEventEnvelope({ ...options, time: new Date(Math.floor(Date.now() / 1000) * 1000) });
}

function encodeQueryPair(pair: string): string {
  const equals = pair.indexOf('=');
  const [key, value] = equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
  return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
}
