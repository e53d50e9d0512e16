import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  executeApiArn,
  requestAuthorizerEvent,
  requestAuthorizerEventV2,
  tokenAuthorizerEvent,
} from './gateway/authorizer-events.ts';
import {
  type EventContext,
  newExtendedRequestId,
  newRequestIdV1,
  newRequestIdV2,
  type ProxyEventV1,
  toV1Event,
  toV2Event,
} from './gateway/events.ts';
import type { GatewayRequest } from './gateway/request.ts';
import { createRouter, type RouteMatch } from './gateway/router.ts';
import { scheduledEventEnvelope } from './schedule/events.ts';
import { cloudWatchLogsEvent } from './sources/cloudwatch-logs.ts';
import { dynamoDbEvent } from './sources/dynamodb.ts';
import { eventBridgeEvent } from './sources/eventbridge.ts';
import { kinesisEvent } from './sources/kinesis.ts';
import { s3Event } from './sources/s3.ts';
import { snsEvent } from './sources/sns.ts';
import { sqsEvent } from './sources/sqs.ts';
import type { ApiKind, ApiModel, RouteModel } from './template/model.ts';
import { isRecord } from './template/values.ts';

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
  /** The API's id in `requestContext.apiId` and ARNs; the emulator's stand-in id by default. */
  readonly apiId?: string;
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
  return kind === 'rest' ? restProxyEvent(options) : httpProxyEvent(options);
}

/** The REST (payload 1.0) event for the request the flags describe. */
export function restProxyEvent(options: ApiEventRequest): ProxyEventV1 {
  const { request, match, context } = gatewayRequest('rest', options);
  return toV1Event(request, match, context);
}

/** The HTTP API (payload 2.0) event for the request the flags describe. */
export function httpProxyEvent(options: ApiEventRequest): APIGatewayProxyEventV2 {
  const { request, match, context } = gatewayRequest('http', options);
  return toV2Event(request, match, context);
}

function gatewayRequest(
  kind: ApiKind,
  options: ApiEventRequest,
): { request: GatewayRequest; match: RouteMatch; context: EventContext } {
  const stage = options.stage ?? (kind === 'rest' ? 'Prod' : '$default');
  if (!options.path.startsWith('/'))
    throw new GenerateEventError(`--path must start with /: ${options.path}`);
  const api: ApiModel = {
    logicalId: kind === 'rest' ? 'ServerlessRestApi' : 'ServerlessHttpApi',
    physicalId: options.apiId ?? API_ID[kind],
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
  return { request, match, context };
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

/** The flags `generate-event` reads; each event takes the ones it needs and defaults the rest. */
export interface EventFlags extends ApiEventRequest {
  readonly bucket?: string;
  readonly key?: string;
  readonly queueName?: string;
  readonly topic?: string;
  readonly subject?: string;
  readonly message?: string;
  readonly table?: string;
  readonly stream?: string;
  readonly data?: string;
  readonly partitionKey?: string;
  readonly sequence?: string;
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly source?: string;
  readonly detailType?: string;
  /** JSON text of an object. */
  readonly detail?: string;
  readonly resources?: readonly string[];
  readonly rule?: string;
  /** The bearer token of an authorizer event (also sent as `Authorization` by the request authorizers). */
  readonly token?: string;
}

/** A service/event pair that `generate-event` does not know. */
export class UnknownEventError extends GenerateEventError {}

type Builder = (flags: EventFlags) => unknown;

/** A REST API authorizer's stage and id: the emulator's implicit API (`Prod`) unless the flags say otherwise. */
function restAuthorizerTarget(flags: EventFlags) {
  return {
    region: flags.region,
    accountId: flags.accountId,
    apiId: flags.apiId ?? API_ID.rest,
    stage: flags.stage ?? 'Prod',
    method: flags.method,
    path: flags.path,
  };
}

/** The request with the token as its `Authorization` header unless the flags give one. */
function withAuthorization(flags: EventFlags): EventFlags {
  if (flags.headers.some((header) => /^\s*authorization\s*:/i.test(header))) return flags;
  return { ...flags, headers: [...flags.headers, `Authorization: ${tokenOf(flags)}`] };
}

function tokenOf(flags: EventFlags): string {
  return flags.token ?? 'incoming-client-token';
}

function parseDetail(text: string | undefined): Readonly<Record<string, unknown>> | undefined {
  if (text === undefined) return undefined;
  let detail: unknown;
  try {
    detail = JSON.parse(text);
  } catch {
    throw new GenerateEventError(`--detail expects a JSON object, got ${JSON.stringify(text)}`);
  }
  if (!isRecord(detail)) throw new GenerateEventError(`--detail expects a JSON object, got ${text}`);
  return detail;
}

/**
 * Every event `generate-event` prints, by service and event, named as `sam local generate-event` names them
 * (samcli/lib/generated_sample_events/event-mapping.json); `eventbridge scheduled`, `eventbridge event` and
 * `apigateway http-api-request-authorizer` are this emulator's own (SAM has no such names).
 */
const EVENTS: Readonly<Record<string, Readonly<Record<string, Builder>>>> = {
  apigateway: {
    'aws-proxy': (flags) => restProxyEvent(flags),
    'http-api-proxy': (flags) => httpProxyEvent(flags),
    authorizer: (flags) => tokenAuthorizerEvent(tokenOf(flags), executeApiArn(restAuthorizerTarget(flags))),
    'request-authorizer': (flags) => {
      const target = restAuthorizerTarget(flags);
      return requestAuthorizerEvent(
        restProxyEvent({ ...withAuthorization(flags), stage: target.stage, apiId: target.apiId }),
        executeApiArn(target),
      );
    },
    'http-api-request-authorizer': (flags) => {
      const event = httpProxyEvent(withAuthorization(flags));
      const routeArn = executeApiArn({
        region: flags.region,
        accountId: flags.accountId,
        apiId: event.requestContext.apiId,
        stage: event.requestContext.stage,
        method: flags.method,
        path: flags.path,
      });
      // The default identity source, `$request.header.Authorization`.
      const authorization = event.headers.authorization;
      return requestAuthorizerEventV2(event, routeArn, authorization === undefined ? [] : [authorization]);
    },
  },
  cloudwatch: {
    logs: (flags) =>
      cloudWatchLogsEvent({
        ...flags,
        ...(flags.message === undefined ? {} : { messages: [flags.message] }),
      }),
    'scheduled-event': (flags) => scheduledEvent({ ...flags, ruleName: flags.rule ?? 'ExampleRule' }),
  },
  dynamodb: { update: (flags) => dynamoDbEvent(flags) },
  eventbridge: {
    event: (flags) => eventBridgeEvent({ ...flags, detail: parseDetail(flags.detail) }),
    scheduled: (flags) => scheduledEvent({ ...flags, ruleName: flags.rule ?? 'local-schedule' }),
  },
  kinesis: { 'get-records': (flags) => kinesisEvent(flags) },
  s3: {
    put: (flags) => s3Event('put', flags),
    delete: (flags) => s3Event('delete', flags),
  },
  sns: { notification: (flags) => snsEvent(flags) },
  sqs: { 'receive-message': (flags) => sqsEvent(flags) },
};

/** `apigateway aws-proxy`, … : every service/event pair, for the usage text and errors. */
export function knownEvents(): string[] {
  return Object.entries(EVENTS).flatMap(([service, events]) =>
    Object.keys(events).map((event) => `${service} ${event}`),
  );
}

/** The event `generate-event <service> <event>` prints; an UnknownEventError lists the pairs that exist. */
export function generateEvent(
  service: string | undefined,
  event: string | undefined,
  flags: EventFlags,
): unknown {
  // Own keys only: `toString` or `__proto__` are no events.
  const events = service !== undefined && Object.hasOwn(EVENTS, service) ? EVENTS[service] : undefined;
  const build =
    events !== undefined && event !== undefined && Object.hasOwn(events, event) ? events[event] : undefined;
  if (build === undefined) {
    const asked = [service, event].filter((part) => part !== undefined).join(' ');
    throw new UnknownEventError(
      `generate-event has no "${asked}" event; it knows:\n  ${knownEvents().join('\n  ')}`,
    );
  }
  return build(flags);
}
