import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SigningCredentials } from '../function-url/sigv4.ts';
import type { Logger } from '../log.ts';
import { limitSlowClients } from '../net.ts';
import { preflightAuth } from '../template/auth.ts';
import {
  type ApiKind,
  type ApiModel,
  type HttpProxyIntegration,
  integrationOf,
  type RouteModel,
  type UsagePlansModel,
} from '../template/model.ts';
import { type AuthorizationServices, authorize, newAuthorizationServices } from './auth/authorize.ts';
import type { JwtTrust } from './auth/keys.ts';
import { answerPreflight, applyHttpCors } from './cors.ts';
import {
  type EventContext,
  newExtendedRequestId,
  newRequestIdV1,
  newRequestIdV2,
  toV1Event,
  toV2Event,
} from './events.ts';
import {
  integrationError,
  integrationTimeout,
  invokePayloadTooLarge,
  invokeRefused,
  MAX_INVOKE_PAYLOAD_BYTES,
  MAX_REQUEST_BYTES,
  requestTooLarge,
  routeMissResponse,
  throttled,
} from './gatewayErrors.ts';
import { forward, mockResponse, proxyRequest, unsupportedResponse } from './integrations.ts';
import { checkApiKey } from './limits/api-keys.ts';
import { UsageLimits } from './limits/limits.ts';
import { stageThrottleOf } from './limits/stage-throttle.ts';
import { type GatewayRequest, headerValue } from './request.ts';
import { fromV1Result, fromV2Result, type GatewayResponse, isMalformed, withRequestId } from './responses.ts';
import type { RouteMatch, Router } from './router.ts';

/** What the gateway needs of an invocation's outcome (the runtime's `InvokeOutcome` fits). */
export type Invocation =
  | { readonly kind: 'success'; readonly payload: unknown }
  | { readonly kind: 'error'; readonly error: { readonly errorType: string; readonly errorMessage: string } };

/** The routes being served; replaced as a whole when the template is reloaded. */
export interface GatewayRoutes {
  readonly router: Router;
  readonly accountId: string;
  /** For the ARNs authorizers are given; `us-east-1` when absent. */
  readonly region?: string;
  /** The API keys and usage plans methods with `ApiKeyRequired` are checked against. */
  readonly usagePlans?: UsagePlansModel;
}

export interface GatewayOptions {
  routes(): GatewayRoutes;
  /** Runs a function; rejects only when the function cannot be invoked at all (unknown, throttled). */
  invoke(functionId: string, event: unknown): Promise<Invocation>;
  readonly log: Logger;
  /** What `AWS_IAM` routes check SigV4 signatures against (the credentials the functions get). */
  readonly credentials?: SigningCredentials;
  /**
   * True for a function a debugger may hold at a breakpoint: its integration timeout is suspended, as `sam local`
   * lifts timeouts while debugging, so that the paused request still gets its real answer.
   */
  readonly debugging?: (functionId: string) => boolean;
  /** Issuers whose JWTs are checked against the emulator's own key (`--jwt-issuer ISSUER=local`). */
  readonly jwtTrust?: JwtTrust;
}

interface GatewayState extends GatewayOptions {
  readonly authorization: AuthorizationServices;
  readonly limits: UsageLimits;
}

// Below this the event cannot reach Lambda's 6 MB limit, so it is not serialised just to be measured.
const EVENT_OVERHEAD_BYTES = 64 * 1024;

/**
 * The HTTP edge of the emulated API Gateway: turns each request into a route match, an event and an invocation,
 * and the function's result into the response API Gateway would send. Everything it decides is delegated to
 * the pure modules beside it; this file only moves bytes and time.
 */
export function createGatewayServer(gatewayOptions: GatewayOptions): Server {
  const options: GatewayState = {
    ...gatewayOptions,
    // One cache of authorizer answers per server; a reload brings new authorizer objects, and so an empty one.
    authorization: newAuthorizationServices(gatewayOptions.invoke, gatewayOptions.log, {
      credentials: gatewayOptions.credentials,
      jwtTrust: gatewayOptions.jwtTrust,
    }),
    // Throttle buckets and quota counters outlive reloads, as a deployment's usage outlives redeploys.
    limits: new UsageLimits(),
  };
  const server = createServer((request, response) => {
    serve(options, request, response).catch((error: unknown) => {
      // A client that hangs up before its whole request has arrived is not the emulator failing.
      if (request.destroyed && !request.complete) {
        options.log.info(`${request.method} ${request.url} closed by the client before its body arrived`);
        return;
      }
      options.log.error(
        `gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!response.headersSent) send(response, integrationError('http'));
      else response.destroy();
    });
  });
  limitSlowClients(server);
  return server;
}

async function serve(
  options: GatewayState,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const declaredLength = Number(incoming.headers['content-length']);
  if (declaredLength > MAX_REQUEST_BYTES) {
    rejectBody(incoming, outgoing);
    logRequest(options.log, incoming, 413, started, undefined);
    return;
  }
  const body = await readBody(incoming);
  if (body === undefined) {
    rejectBody(incoming, outgoing);
    logRequest(options.log, incoming, 413, started, undefined);
    return;
  }
  const request = toGatewayRequest(incoming, body);
  const routes = options.routes();
  const owner = routes.router.owner(request.rawPath);
  const preflight = answerPreflight(request, owner);
  if (preflight !== undefined) {
    const kind = owner?.api.kind ?? 'http';
    const guard = owner === undefined ? undefined : preflightAuth(owner.api);
    const probe =
      guard?.authorizer === undefined
        ? undefined
        : routes.router.match(owner?.methods[0] ?? 'GET', request.rawPath);
    if (guard !== undefined && probe?.matched) {
      // SAM puts the default authorizer on the OPTIONS method it generates for CORS: a browser's preflight,
      // which carries no credentials, is then refused as AWS refuses it.
      const match = { ...probe, route: { ...probe.route, method: 'OPTIONS', auth: guard } };
      const context = eventContext(routes, match.api, request);
      const outcome = await authorize(
        { request, match, auth: guard, context, region: routes.region ?? 'us-east-1' },
        options.authorization,
      );
      if (!outcome.allowed) {
        refuseRoute(options, incoming, outgoing, request, match, context, outcome, started);
        return;
      }
    }
    const keyed = owner !== undefined && preflightNeedsApiKey(owner.api);
    const usage = keyed
      ? checkApiKey(
          {
            api: owner.api,
            method: 'OPTIONS',
            path: owner.resource ?? request.rawPath,
            key: headerValue(request, 'x-api-key'),
            usagePlans: routes.usagePlans,
          },
          options.limits,
        )
      : undefined;
    if (usage?.allowed === false) options.log.warn(`${request.method} ${request.rawPath}: ${usage.reason}`);
    const answer = usage?.allowed === false ? usage.response : preflight;
    finish(options, incoming, outgoing, answer, kind, started, undefined);
    return;
  }
  const match = routes.router.match(request.method, request.rawPath);
  if (!match.matched) {
    finish(options, incoming, outgoing, routeMissResponse(match.kind), match.kind, started, undefined);
    return;
  }
  let context = eventContext(routes, match.api, request);
  const refuse = (response: GatewayResponse, reason: string) =>
    refuseRoute(options, incoming, outgoing, request, match, context, { response, reason }, started);
  // Stage and method throttles come before authorization, so a flood reaches neither the authorizer nor the
  // function: "If the rate limiting is enforced by API setting on the resource/method then the custom authorizer
  // does not need to get invoked" (https://repost.aws/questions/QUtakrX7znRKqmzjBV_YKlWg, and the API Gateway
  // security whitepaper it cites). Usage plan throttles need the key, so they come after.
  const stageThrottle = stageThrottleOf(match.api, match.route);
  if (stageThrottle !== undefined && !options.limits.take(stageThrottle.id, stageThrottle.limits)) {
    const { rateLimit, burstLimit } = stageThrottle.limits;
    refuse(throttled(match.api.kind), `throttled by the stage (rate ${rateLimit}, burst ${burstLimit})`);
    return;
  }
  const auth = match.route.auth;
  if (auth !== undefined) {
    const outcome = await authorize(
      { request, match, auth, context, region: routes.region ?? 'us-east-1' },
      options.authorization,
    );
    if (!outcome.allowed) {
      refuse(outcome.response, outcome.reason);
      return;
    }
    context = {
      ...context,
      ...(outcome.authorizer === undefined ? {} : { authorizer: outcome.authorizer }),
      ...(outcome.identity === undefined ? {} : { identity: outcome.identity }),
    };
    // Keys are checked once the authorizer has run: with ApiKeySourceType AUTHORIZER the key is its answer's
    // usageIdentifierKey. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
    if (auth.apiKeyRequired) {
      const usage = checkApiKey(
        {
          api: match.api,
          method: match.route.method,
          path: match.route.path,
          key:
            match.api.apiKeySource === 'AUTHORIZER'
              ? outcome.usageIdentifierKey
              : headerValue(request, 'x-api-key'),
          usagePlans: routes.usagePlans,
        },
        options.limits,
      );
      if (!usage.allowed) {
        refuse(usage.response, usage.reason);
        return;
      }
      context = { ...context, identity: { ...context.identity, ...usage.identity } };
    }
  }
  const response = await integrate(options, request, match, context);
  finishRoute(options, incoming, outgoing, request, match, response.response, started, response.requestId);
}

/** Answers a request a throttle, an authorizer or an API key stopped, with its request ids, and logs why. */
function refuseRoute(
  options: GatewayState,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  request: GatewayRequest,
  match: RouteMatch,
  context: EventContext,
  refusal: { readonly response: GatewayResponse; readonly reason: string },
  started: number,
): void {
  options.log.warn(`${request.method} ${request.rawPath}: ${refusal.reason}`);
  const denied = withRequestId(
    refusal.response,
    match.api.kind,
    context.requestId,
    match.api.kind === 'rest' ? context.extendedRequestId : undefined,
  );
  finishRoute(options, incoming, outgoing, request, match, denied, started, context.requestId);
}

/** Sends a matched route's response, with an HTTP API's CORS headers applied as the gateway applies them. */
function finishRoute(
  options: GatewayState,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  request: GatewayRequest,
  match: RouteMatch,
  response: GatewayResponse,
  started: number,
  requestId: string,
): void {
  const cors = match.api.cors;
  const final = cors?.kind === 'http' ? applyHttpCors(response, request, cors) : response;
  finish(options, incoming, outgoing, final, match.api.kind, started, targetOf(match.route), requestId);
}

/**
 * SAM puts `ApiKeyRequired` of the API's `Auth` on the OPTIONS methods its `Cors` generates too, unless
 * `AddApiKeyRequiredToCorsPreflight: false`; browsers send no `x-api-key` with a preflight, so in AWS it then
 * gets 403 Forbidden. With the AUTHORIZER key source the key would come from an authorizer the preflight does
 * not run here, so it is left open.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html
 */
function preflightNeedsApiKey(api: ApiModel): boolean {
  return (
    api.kind === 'rest' &&
    api.auth?.apiKeyRequired === true &&
    api.auth.addApiKeyRequiredToCorsPreflight &&
    api.apiKeySource !== 'AUTHORIZER'
  );
}

/** Builds the event, invokes the function within the integration timeout, and converts what it returned. */
async function integrate(
  options: GatewayOptions,
  request: GatewayRequest,
  match: RouteMatch,
  context: EventContext,
): Promise<{ response: GatewayResponse; requestId: string }> {
  const { api, route } = match;
  const withId = (response: GatewayResponse) => ({
    response: withRequestId(
      response,
      api.kind,
      context.requestId,
      api.kind === 'rest' ? context.extendedRequestId : undefined,
    ),
    requestId: context.requestId,
  });
  const integration = integrationOf(route);
  if (integration.kind === 'mock') return withId(mockResponse(integration));
  if (integration.kind === 'unsupported') return withId(unsupportedResponse(route, integration.reason));
  if (integration.kind === 'http') return withId(await proxy(options, request, match, integration));

  const event =
    route.payloadVersion === '2.0' ? toV2Event(request, match, context) : toV1Event(request, match, context);
  if (request.body.byteLength * 1.34 + EVENT_OVERHEAD_BYTES > MAX_INVOKE_PAYLOAD_BYTES) {
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_INVOKE_PAYLOAD_BYTES)
      return withId(invokePayloadTooLarge(api.kind));
  }

  let outcome: Invocation | 'timeout';
  try {
    const invocation = options.invoke(integration.functionId, event);
    outcome =
      options.debugging?.(integration.functionId) === true
        ? await invocation
        : await withinTimeout(invocation, route.integrationTimeoutMs);
  } catch (error) {
    options.log.error(
      `${route.functionId}: invoke refused: ${error instanceof Error ? error.message : String(error)}`,
    );
    return withId(invokeRefused(api.kind));
  }
  if (outcome === 'timeout') {
    // API Gateway stops waiting; the function itself runs on until its own Timeout, as in AWS.
    options.log.warn(`${route.functionId}: integration timed out after ${route.integrationTimeoutMs} ms`);
    return withId(integrationTimeout(api.kind));
  }
  if (outcome.kind === 'error') {
    options.log.warn(`${route.functionId}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    return withId(integrationError(api.kind));
  }
  const converted =
    route.payloadVersion === '2.0'
      ? fromV2Result(outcome.payload)
      : fromV1Result(outcome.payload, api.kind, request, api.binaryMediaTypes);
  if (isMalformed(converted)) {
    options.log.warn(`${route.functionId}: malformed Lambda proxy response: ${converted.malformed}`);
    return withId(integrationError(api.kind));
  }
  return withId(converted);
}

/** Forwards the request to an `http_proxy` integration's backend within the integration timeout. */
async function proxy(
  options: GatewayOptions,
  request: GatewayRequest,
  match: RouteMatch,
  integration: HttpProxyIntegration,
): Promise<GatewayResponse> {
  const target = proxyRequest(request, match, integration);
  const outcome = await forward(target, request.body, match.route.integrationTimeoutMs);
  if (outcome === 'timeout') {
    options.log.warn(
      `${target.method} ${target.url}: integration timed out after ${match.route.integrationTimeoutMs} ms`,
    );
    return integrationTimeout(match.api.kind);
  }
  if (outcome === 'failed') {
    options.log.warn(`${target.method} ${target.url}: the HTTP backend could not be reached`);
    return integrationError(match.api.kind);
  }
  return outcome;
}

/** What the request log names as the route's target. */
function targetOf(route: RouteModel): string {
  const integration = integrationOf(route);
  switch (integration.kind) {
    case 'lambda':
      return integration.functionId;
    case 'mock':
      return 'mock';
    case 'http':
      return integration.uri;
    case 'unsupported':
      return 'not emulated';
  }
}

/**
 * The invocation's outcome, or `'timeout'` once `ms` have passed. Node keeps timers of one duration in a single
 * list, so the timer itself is cheap; what this saves, against a race with a timeout promise, is a promise and
 * its reactions on every request.
 */
function withinTimeout(invocation: Promise<Invocation>, ms: number): Promise<Invocation | 'timeout'> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms, 'timeout');
    invocation.then(
      (outcome) => {
        clearTimeout(timer);
        // After a stalled turn of the event loop, a late answer can come before the timer that expired first.
        resolve(performance.now() < deadline ? outcome : 'timeout');
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function eventContext(routes: GatewayRoutes, api: ApiModel, request: GatewayRequest): EventContext {
  const apiId = api.physicalId;
  return {
    requestId: api.kind === 'rest' ? newRequestIdV1() : newRequestIdV2(),
    extendedRequestId: newExtendedRequestId(),
    apiId,
    accountId: routes.accountId,
    domainName: headerValue(request, 'host') ?? `${apiId}.execute-api.localhost`,
  };
}

export function toGatewayRequest(incoming: IncomingMessage, body: Buffer): GatewayRequest {
  const url = incoming.url ?? '/';
  const question = url.indexOf('?');
  const raw = incoming.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i] ?? '', raw[i + 1] ?? '']);
  const peer = incoming.socket.remoteAddress ?? '127.0.0.1';
  return {
    method: (incoming.method ?? 'GET').toUpperCase(),
    rawPath: question === -1 ? url : url.slice(0, question),
    rawQuery: question === -1 ? '' : url.slice(question + 1),
    headers,
    body,
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; API Gateway reports plain IPv4.
    sourceIp: peer.startsWith('::ffff:') ? peer.slice(7) : peer,
    receivedAt: Date.now(),
  };
}

/** The whole body, or `undefined` once it passes API Gateway's 10 MB limit (chunked bodies have no length). */
export function readBody(incoming: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_REQUEST_BYTES) {
        incoming.off('data', onData);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.on('end', () => resolve(size === 0 ? EMPTY : Buffer.concat(chunks, size)));
    incoming.on('error', reject);
  });
}

const EMPTY = Buffer.alloc(0);

/** How long the rest of a refused body may keep arriving, to be dropped, before the connection is cut. */
const LINGER_MS = 1000;

/**
 * 413 before reading the rest of an oversized body, which is then dropped as it arrives rather than kept. Closing
 * at once would reset a connection that still has unread bytes, and a client still sending would lose the 413
 * with it; a body that has not ended within a second is cut off.
 */
function rejectBody(incoming: IncomingMessage, outgoing: ServerResponse): void {
  const response = requestTooLarge();
  outgoing.shouldKeepAlive = false;
  send(outgoing, response);
  incoming.resume();
  if (incoming.complete) return;
  const cutOff = setTimeout(() => incoming.socket.destroy(), LINGER_MS);
  incoming.once('end', () => clearTimeout(cutOff));
  incoming.once('close', () => clearTimeout(cutOff));
}

function finish(
  options: GatewayOptions,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  response: GatewayResponse,
  kind: ApiKind,
  started: number,
  functionId: string | undefined,
  requestId?: string,
): void {
  send(outgoing, requestId === undefined ? withRequestId(response, kind, newRequestIdFor(kind)) : response);
  logRequest(options.log, incoming, response.statusCode, started, functionId);
}

function newRequestIdFor(kind: ApiKind): string {
  return kind === 'rest' ? newRequestIdV1() : newRequestIdV2();
}

export function send(outgoing: ServerResponse, response: GatewayResponse): void {
  if (outgoing.destroyed) return;
  const flat: string[] = [];
  for (const [name, value] of response.headers) flat.push(name, value);
  flat.push('Content-Length', String(response.body.byteLength));
  outgoing.writeHead(response.statusCode, flat);
  outgoing.end(response.body);
}

function logRequest(
  log: Logger,
  incoming: IncomingMessage,
  status: number,
  started: number,
  functionId: string | undefined,
): void {
  const ms = (performance.now() - started).toFixed(1);
  log.info(
    `${incoming.method} ${incoming.url} ${status} ${ms} ms${functionId === undefined ? '' : ` ${functionId}`}`,
  );
}
