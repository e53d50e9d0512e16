import { createHash, randomFillSync, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseQuery } from './decoding.ts';
import { isHttpApiTextType, matchesBinaryMediaTypes } from './mediaTypes.ts';
import { type GatewayRequest, headerValue, mediaTypeOf } from './request.ts';
import type { RouteMatch } from './router.ts';

/** What an event needs beyond the request and its route; ids are made by the caller so builders stay pure. */
export interface EventContext {
  /** REST: a UUID (`newRequestIdV1`); HTTP API: a 16-character id (`newRequestIdV2`), both payload versions. */
  readonly requestId: string;
  /** REST only (`newExtendedRequestId`); an HTTP API reports its `requestId` here, as AWS does. */
  readonly extendedRequestId: string;
  readonly apiId: string;
  readonly accountId: string;
  /** Should equal the Host header; `domainPrefix` is its first label. */
  readonly domainName: string;
  /** `requestContext.authorizer` as the route's authorizer left it; absent on an open route. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
  /**
   * What authorization adds to `requestContext.identity` (REST, and payload 1.0): `apiKey`, `apiKeyId`, the IAM
   * caller's `accessKey`, `accountId`, `caller`, `user`, `userArn`.
   */
  readonly identity?: Readonly<Partial<Record<AuthorizedIdentityField, string>>>;
}

/** The `requestContext.identity` fields authorization fills in. */
export type AuthorizedIdentityField =
  | 'apiKey'
  | 'apiKeyId'
  | 'accessKey'
  | 'accountId'
  | 'caller'
  | 'user'
  | 'userArn';

/** `requestContext.identity`: nulls but for what IAM authorization or an API key fills in. */
export interface ProxyEventIdentity {
  readonly cognitoIdentityPoolId: null;
  readonly accountId: string | null;
  readonly cognitoIdentityId: null;
  readonly caller: string | null;
  readonly sourceIp: string;
  readonly principalOrgId: null;
  readonly accessKey: string | null;
  readonly cognitoAuthenticationType: null;
  readonly cognitoAuthenticationProvider: null;
  readonly userArn: string | null;
  readonly userAgent: string | null;
  readonly user: string | null;
  readonly apiKey?: string;
  readonly apiKeyId?: string;
}

export interface RestRequestContext {
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly extendedRequestId: string;
  readonly requestTime: string;
  /** With the stage: `/Prod/price`. */
  readonly path: string;
  readonly accountId: string;
  readonly protocol: string;
  readonly stage: string;
  readonly domainPrefix: string;
  readonly requestTimeEpoch: number;
  readonly requestId: string;
  readonly identity: ProxyEventIdentity;
  readonly domainName: string;
  readonly deploymentId: string;
  readonly apiId: string;
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** HTTP API payload 1.0 `requestContext`: REST-like, keys in the alphabetical order AWS sends. */
export interface HttpApiV1RequestContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly domainName: string;
  readonly domainPrefix: string;
  readonly extendedRequestId: string;
  readonly httpMethod: string;
  readonly identity: ProxyEventIdentity & { readonly cognitoAmr: null };
  readonly path: string;
  readonly protocol: string;
  readonly requestId: string;
  readonly requestTime: string;
  readonly requestTimeEpoch: number;
  /** The route key, `$default` for the default route. */
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly stage: string;
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** Payload format 1.0, for REST APIs and for HTTP API routes with `PayloadFormatVersion: '1.0'`. */
export interface ProxyEventV1 {
  /** HTTP APIs only. */
  readonly version?: '1.0';
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Record<string, string> | null;
  readonly multiValueHeaders: Record<string, string[]> | null;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  readonly pathParameters: Record<string, string> | null;
  readonly stageVariables: Record<string, string> | null;
  readonly requestContext: RestRequestContext | HttpApiV1RequestContext;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

/** A REST request id: a UUID. */
export function newRequestIdV1(): string {
  return randomUUID();
}

/** An HTTP API request id: 16 base64 characters (11 random bytes), like `ZhNHJhhLjoEEPiw=`. */
export function newRequestIdV2(): string {
  return randomId();
}

/** A REST `extendedRequestId`, same form as an HTTP API request id. */
export function newExtendedRequestId(): string {
  return randomId();
}

const ID_BYTES = 11;
/**
 * Random bytes for 512 ids at a time: asking the system for 11 bytes per id cost a few percent of the gateway's
 * time under load. (`randomUUID` keeps a cache of its own.)
 */
const idBytes = Buffer.alloc(ID_BYTES * 512);
let idOffset = idBytes.length;

function randomId(): string {
  if (idOffset === idBytes.length) {
    randomFillSync(idBytes);
    idOffset = 0;
  }
  const id = idBytes.toString('base64', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

/**
 * Payload format 1.0 event: the REST shape, or for an HTTP API the same plus `version: "1.0"`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function toV1Event(request: GatewayRequest, match: RouteMatch, context: EventContext): ProxyEventV1 {
  const { route, api } = match;
  const isRest = api.kind === 'rest';
  const groups = groupHeaders(request);
  // REST orders header names case-insensitively (`accept`, `Host`, `User-Agent`); HTTP API 1.0 orders them
  // byte-wise (`Host`, `X-Forwarded-Proto`, `accept`), as the captured events show.
  const lowerNames = [...groups.keys()];
  if (isRest) lowerNames.sort();
  else lowerNames.sort((a, b) => compareStrings(groups.get(a)?.name ?? a, groups.get(b)?.name ?? b));
  const headerGroups: HeaderGroup[] = [];
  for (const lower of lowerNames) {
    const group = groups.get(lower);
    if (group !== undefined) headerGroups.push(group);
  }
  // Object.fromEntries keeps names such as `__proto__` or `constructor` as plain own keys.
  const headers = Object.fromEntries(headerGroups.map((group) => [group.name, group.values.at(-1) ?? '']));
  const multiValueHeaders = Object.fromEntries(headerGroups.map((group) => [group.name, group.values]));

  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  const query = queryValues(request.rawQuery);
  if (query.size > 0) {
    queryStringParameters = Object.fromEntries([...query].map(([key, values]) => [key, values.at(-1) ?? '']));
    multiValueQueryStringParameters = Object.fromEntries(query);
  }

  const mediaType = contentMediaType(request);
  const isBase64Encoded = isRest
    ? matchesBinaryMediaTypes(mediaType, api.binaryMediaTypes)
    : !isHttpApiTextType(mediaType);
  const body = encodeBody(request.body, isBase64Encoded);
  const userAgent = headerValue(request, 'user-agent') ?? null;
  const requestTime = formatRequestTime(request.receivedAt);
  const pathParameters = match.pathParameters ?? null;
  const stageVariables = stageVariablesOf(api.stageVariables) ?? null;

  if (isRest) {
    return {
      resource: route.path,
      path: match.path,
      httpMethod: request.method,
      headers,
      multiValueHeaders,
      queryStringParameters,
      multiValueQueryStringParameters,
      pathParameters,
      stageVariables,
      requestContext: {
        resourceId: shortId(`${context.apiId} ${route.path}`),
        resourcePath: route.path,
        httpMethod: request.method,
        extendedRequestId: context.extendedRequestId,
        requestTime,
        path: `/${match.stage}${match.path}`,
        accountId: context.accountId,
        protocol: 'HTTP/1.1',
        stage: match.stage,
        domainPrefix: domainPrefixOf(context.domainName),
        requestTimeEpoch: request.receivedAt,
        requestId: context.requestId,
        identity: {
          cognitoIdentityPoolId: null,
          accountId: null,
          cognitoIdentityId: null,
          caller: null,
          sourceIp: request.sourceIp,
          principalOrgId: null,
          accessKey: null,
          cognitoAuthenticationType: null,
          cognitoAuthenticationProvider: null,
          userArn: null,
          userAgent,
          user: null,
          ...context.identity,
        },
        domainName: context.domainName,
        deploymentId: shortId(`${context.apiId} ${match.stage}`),
        apiId: context.apiId,
        ...(context.authorizer !== undefined && { authorizer: context.authorizer }),
      },
      body,
      isBase64Encoded,
    };
  }

  // An HTTP API hands 1.0 integrations the whole received path, stage included (serverless-http#143).
  const path = request.rawPath;
  return {
    version: '1.0',
    resource: route.path,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName,
      domainPrefix: domainPrefixOf(context.domainName),
      extendedRequestId: context.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAmr: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
        ...context.identity,
      },
      path,
      protocol: 'HTTP/1.1',
      requestId: context.requestId,
      requestTime,
      requestTimeEpoch: request.receivedAt,
      resourceId: routeKeyOf(match),
      resourcePath: route.path,
      stage: match.stage,
      ...(context.authorizer !== undefined && { authorizer: context.authorizer }),
    },
    pathParameters,
    stageVariables,
    body,
    isBase64Encoded,
  };
}

/**
 * Payload format 2.0 event for an HTTP API route.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export function toV2Event(
  request: GatewayRequest,
  match: RouteMatch,
  context: EventContext,
): APIGatewayProxyEventV2 {
  const groups = groupHeaders(request);
  let cookies: string[] | undefined;
  const cookieGroup = groups.get('cookie');
  if (cookieGroup !== undefined) {
    groups.delete('cookie');
    for (const header of cookieGroup.values) {
      for (const cookie of header.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed === '') continue;
        cookies ??= [];
        cookies.push(trimmed);
      }
    }
  }
  const headers = Object.fromEntries(
    [...groups]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([lower, group]) => [lower, group.values.join(',')]),
  );

  const query = queryValues(request.rawQuery);
  const queryStringParameters =
    query.size > 0
      ? Object.fromEntries([...query].map(([key, values]) => [key, values.join(',')]))
      : undefined;

  const isBase64Encoded = !isHttpApiTextType(contentMediaType(request));
  const body = encodeBody(request.body, isBase64Encoded) ?? undefined;
  const rawPath = request.rawPath;
  const routeKey = routeKeyOf(match);
  const pathParameters = match.pathParameters;
  const stageVariables = stageVariablesOf(match.api.stageVariables);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: request.rawQuery,
    ...(cookies !== undefined && { cookies }),
    headers,
    ...(queryStringParameters !== undefined && { queryStringParameters }),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName,
      domainPrefix: domainPrefixOf(context.domainName),
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headerValue(request, 'user-agent') ?? '',
      },
      requestId: context.requestId,
      routeKey,
      stage: match.stage,
      time: formatRequestTime(request.receivedAt),
      timeEpoch: request.receivedAt,
      ...(context.authorizer !== undefined && { authorizer: context.authorizer }),
    },
    ...(body !== undefined && { body }),
    ...(pathParameters !== undefined && { pathParameters }),
    isBase64Encoded,
    ...(stageVariables !== undefined && { stageVariables }),
  };
}

interface HeaderGroup {
  /** The first-seen spelling of the name. */
  readonly name: string;
  readonly values: string[];
}

/**
 * The request headers grouped by lower-case name, plus the `X-Forwarded-*` headers API Gateway adds. The
 * emulator speaks plain HTTP, so the proto is `http` and the port comes from the Host header.
 */
function groupHeaders(request: GatewayRequest): Map<string, HeaderGroup> {
  const groups = new Map<string, HeaderGroup>();
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    const group = groups.get(lower);
    if (group === undefined) groups.set(lower, { name, values: [value] });
    else group.values.push(value);
  }
  const forwardedFor = groups.get('x-forwarded-for');
  const chain =
    forwardedFor === undefined ? request.sourceIp : `${forwardedFor.values.join(', ')}, ${request.sourceIp}`;
  groups.set('x-forwarded-for', { name: 'X-Forwarded-For', values: [chain] });
  groups.set('x-forwarded-port', {
    name: 'X-Forwarded-Port',
    values: [portOf(groups.get('host')?.values[0])],
  });
  groups.set('x-forwarded-proto', { name: 'X-Forwarded-Proto', values: ['http'] });
  return groups;
}

/** Query values by decoded key, in request order. */
function queryValues(rawQuery: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [key, value] of parseQuery(rawQuery)) {
    const existing = values.get(key);
    if (existing === undefined) values.set(key, [value]);
    else existing.push(value);
  }
  return values;
}

function portOf(host: string | undefined): string {
  if (host === undefined) return '80';
  const colon = host.lastIndexOf(':');
  // `[::1]` has colons but no port; only digits after the last colon (and after any `]`) are a port.
  if (colon === -1 || colon < host.lastIndexOf(']')) return '80';
  const port = host.slice(colon + 1);
  return /^\d+$/.test(port) ? port : '80';
}

function contentMediaType(request: GatewayRequest): string | undefined {
  const contentType = headerValue(request, 'content-type');
  return contentType === undefined ? undefined : mediaTypeOf(contentType);
}

function encodeBody(body: Buffer, isBase64Encoded: boolean): string | null {
  if (body.length === 0) return null;
  return body.toString(isBase64Encoded ? 'base64' : 'utf8');
}

function stageVariablesOf(
  variables: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (variables === undefined) return undefined;
  return Object.keys(variables).length === 0 ? undefined : variables;
}

function routeKeyOf(match: RouteMatch): string {
  return match.route.path === '$default' ? '$default' : `${match.route.method} ${match.route.path}`;
}

function domainPrefixOf(domainName: string): string {
  const dot = domainName.indexOf('.');
  return dot === -1 ? domainName : domainName.slice(0, dot);
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const shortIds = new Map<string, string>();

/** A stable 6-character id (`2gxmpl`-like) for a resource or deployment, so repeated calls agree. */
function shortId(seed: string): string {
  let id = shortIds.get(seed);
  if (id === undefined) {
    const digest = createHash('sha1').update(seed).digest();
    id = '';
    for (let index = 0; index < 6; index++) id += ((digest[index] ?? 0) % 36).toString(36);
    shortIds.set(seed, id);
  }
  return id;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Common Log Format in UTC, `10/Mar/2020:00:03:59 +0000`. */
function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const day = String(date.getUTCDate()).padStart(2, '0');
  const hours = String(date.getUTCHours()).padStart(2, '0');
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  const seconds = String(date.getUTCSeconds()).padStart(2, '0');
  return `${day}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${hours}:${minutes}:${seconds} +0000`;
}
