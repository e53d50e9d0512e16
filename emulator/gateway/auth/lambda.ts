import type { LambdaAuthorizerModel } from '../../template/model.ts';
import { isRecord } from '../../template/values.ts';
import {
  executeApiArn,
  requestAuthorizerEvent,
  requestAuthorizerEventV2,
  tokenAuthorizerEvent,
} from '../authorizer-events.ts';
import { parseQuery } from '../decoding.ts';
import { toV1Event, toV2Event } from '../events.ts';
import { headerValue } from '../request.ts';
import type { AuthorizationInput, AuthorizationOutcome, AuthorizationServices } from './authorize.ts';
import { evaluatePolicy, type PolicyDocument, readPolicyDocument } from './policy.ts';
import { accessDenied, authorizerFailure, refusals, unauthorized } from './responses.ts';

/** What an authorizer function answered, checked; cached per identity and applied to each request's ARN. */
export type LambdaAnswer =
  | {
      readonly kind: 'policy';
      readonly principalId: string | undefined;
      readonly policy: PolicyDocument;
      readonly context: Readonly<Record<string, unknown>>;
      readonly usageIdentifierKey: string | undefined;
      readonly latencyMs: number;
    }
  | {
      readonly kind: 'simple';
      readonly isAuthorized: boolean;
      readonly context: Readonly<Record<string, unknown>>;
      readonly latencyMs: number;
    };

/**
 * A Lambda authorizer, as API Gateway runs one: the identity sources must all be present (else 401 without
 * calling it), a TOKEN must match `ValidationExpression`; the function gets the TOKEN, REQUEST or HTTP API
 * event; `Error('Unauthorized')` is 401, another failure or a malformed answer 500; its IAM policy is evaluated
 * against this request's ARN (403 unless allowed), or its simple response read (`isAuthorized`). The answer is
 * cached per identity for `ReauthorizeEvery` seconds and its policy applied to later requests, whichever method
 * they are for, as AWS applies a cached policy.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
export async function authorizeWithLambda(
  authorizer: LambdaAuthorizerModel,
  input: AuthorizationInput,
  services: AuthorizationServices,
): Promise<AuthorizationOutcome> {
  const kind = input.match.api.kind;
  const denied = refusals(`authorizer ${authorizer.name}`);
  const identity = identityValues(authorizer, input);
  if (typeof identity === 'string') return denied(unauthorized(kind), identity);
  const methodArn = executeApiArn({
    region: input.region,
    accountId: input.context.accountId,
    apiId: input.context.apiId,
    stage: input.match.stage,
    method: input.request.method,
    path: kind === 'rest' ? input.match.path : input.request.rawPath,
  });
  // Without identity sources there is nothing to key a cache on: API Gateway then calls the authorizer each time.
  const cacheKey = identity.length === 0 ? undefined : JSON.stringify(identity);
  let answer = cacheKey === undefined ? undefined : services.lambdaCache.get(authorizer, cacheKey);
  if (answer === undefined) {
    if (authorizer.functionId === undefined) {
      return denied(
        authorizerFailure(kind),
        `its function ${authorizer.functionArn} is not in this template, so it cannot run locally`,
      );
    }
    const started = performance.now();
    let invocation: Awaited<ReturnType<AuthorizationServices['invoke']>>;
    try {
      invocation = await services.invoke(
        authorizer.functionId,
        authorizerEvent(authorizer, input, identity, methodArn),
      );
    } catch (error) {
      return denied(
        authorizerFailure(kind),
        `could not be invoked: ${error instanceof Error ? error.message : error}`,
      );
    }
    if (invocation.kind === 'error') {
      // A REST authorizer that throws `Unauthorized` asks for a 401; HTTP APIs answer 401 for it too.
      if (invocation.error.errorMessage === 'Unauthorized')
        return denied(unauthorized(kind), 'answered Unauthorized');
      return denied(
        authorizerFailure(kind),
        `failed: ${invocation.error.errorType}: ${invocation.error.errorMessage}`,
      );
    }
    const read = readAnswer(authorizer, invocation.payload, Math.round(performance.now() - started));
    if (typeof read === 'string')
      return denied(authorizerFailure(kind), `answered something API Gateway rejects: ${read}`);
    answer = read;
    if (cacheKey !== undefined) services.lambdaCache.set(authorizer, cacheKey, answer, authorizer.ttlSeconds);
  }

  if (answer.kind === 'simple') {
    if (!answer.isAuthorized) return denied(accessDenied(kind, false), 'isAuthorized is false');
    return { allowed: true, authorizer: integrationAuthorizer(input, answer) };
  }
  const decision = evaluatePolicy(answer.policy, methodArn);
  if (decision !== 'allow') {
    return denied(
      accessDenied(kind, decision === 'deny'),
      decision === 'deny' ? `its policy denies ${methodArn}` : `its policy does not allow ${methodArn}`,
    );
  }
  return {
    allowed: true,
    authorizer: integrationAuthorizer(input, answer),
    ...(answer.usageIdentifierKey === undefined ? {} : { usageIdentifierKey: answer.usageIdentifierKey }),
  };
}

/**
 * The identity source values, in the authorizer's order, or why the request is 401 without calling it: a
 * missing or empty one, or a token failing `ValidationExpression` (matched whole).
 */
function identityValues(authorizer: LambdaAuthorizerModel, input: AuthorizationInput): string[] | string {
  const values: string[] = [];
  const { request, match } = input;
  for (const name of authorizer.identity.headers) {
    const value = headerValue(request, name.toLowerCase());
    if (value === undefined || value === '') return `no ${name} header`;
    values.push(value);
  }
  // Parsed only for an authorizer that reads query strings: this runs before every protected request.
  const query = authorizer.identity.queryStrings.length > 0 ? parseQuery(request.rawQuery) : [];
  for (const name of authorizer.identity.queryStrings) {
    const value = query.findLast(([key]) => key === name)?.[1];
    if (value === undefined || value === '') return `no ${name} query string parameter`;
    values.push(value);
  }
  for (const name of authorizer.identity.stageVariables) {
    const value = match.api.stageVariables?.[name];
    if (value === undefined || value === '') return `no ${name} stage variable`;
    values.push(value);
  }
  for (const name of authorizer.identity.context) {
    const value = contextVariable(name, input);
    if (value === undefined || value === '') return `no $context.${name}`;
    values.push(value);
  }
  if (authorizer.payloadType === 'TOKEN' && authorizer.validationExpression !== undefined) {
    const token = values[0] ?? '';
    if (!new RegExp(`^(?:${authorizer.validationExpression})$`).test(token)) {
      return 'the token does not match the ValidationExpression';
    }
  }
  return values;
}

/** The `$context` variables an identity source can name that the emulator knows at this point. */
function contextVariable(name: string, input: AuthorizationInput): string | undefined {
  const { request, match, context } = input;
  const variables: Record<string, string | undefined> = {
    'identity.sourceIp': request.sourceIp,
    'identity.userAgent': headerValue(request, 'user-agent'),
    requestId: context.requestId,
    httpMethod: request.method,
    stage: match.stage,
    apiId: context.apiId,
    accountId: context.accountId,
    domainName: context.domainName,
    path: request.rawPath,
    resourcePath: match.route.path,
    routeKey: match.route.path === '$default' ? '$default' : `${match.route.method} ${match.route.path}`,
  };
  return variables[name];
}

function authorizerEvent(
  authorizer: LambdaAuthorizerModel,
  input: AuthorizationInput,
  identity: readonly string[],
  methodArn: string,
): unknown {
  if (authorizer.payloadType === 'TOKEN') return tokenAuthorizerEvent(identity[0] ?? '', methodArn);
  const { request, match, context } = input;
  if (authorizer.payloadVersion === '2.0') {
    return requestAuthorizerEventV2(toV2Event(request, match, context), methodArn, identity);
  }
  const event = requestAuthorizerEvent(toV1Event(request, match, context), methodArn);
  if (match.api.kind === 'rest') return event;
  // An HTTP API's 1.0 event also carries the identity values, comma-joined, as REST's TOKEN event does its token.
  const joined = identity.join(',');
  return { version: '1.0', ...event, identitySource: joined, authorizationToken: joined };
}

/**
 * An answer API Gateway accepts, or what is wrong with it: an IAM policy answer (`principalId`,
 * `policyDocument`, `context` of strings, numbers and booleans on REST) or, with simple responses, a boolean
 * `isAuthorized`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
function readAnswer(
  authorizer: LambdaAuthorizerModel,
  payload: unknown,
  latencyMs: number,
): LambdaAnswer | string {
  if (!isRecord(payload)) return 'the answer is not a JSON object';
  const context = payload.context ?? {};
  if (!isRecord(context)) return 'context is not an object';
  if (authorizer.simpleResponses) {
    if (typeof payload.isAuthorized !== 'boolean') return 'isAuthorized is missing or not a boolean';
    return { kind: 'simple', isAuthorized: payload.isAuthorized, context, latencyMs };
  }
  const principalId = payload.principalId;
  if (principalId !== undefined && typeof principalId !== 'string') return 'principalId is not a string';
  if (authorizer.payloadVersion === '1.0' && principalId === undefined) return 'principalId is missing';
  const policy = readPolicyDocument(payload.policyDocument);
  if (typeof policy === 'string') return policy;
  if (authorizer.payloadVersion === '1.0') {
    for (const [key, value] of Object.entries(context)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        return `context.${key} is not a string, number or boolean (nested values are refused)`;
      }
    }
  }
  const key = payload.usageIdentifierKey;
  return {
    kind: 'policy',
    principalId,
    policy,
    context,
    usageIdentifierKey: typeof key === 'string' ? key : undefined,
    latencyMs,
  };
}

/**
 * `requestContext.authorizer` of the integration's event: on payload 2.0 `{lambda: context}`; on payload 1.0
 * the context values as strings (as API Gateway passes them) with `principalId` and `integrationLatency`.
 */
function integrationAuthorizer(input: AuthorizationInput, answer: LambdaAnswer): Record<string, unknown> {
  if (input.match.route.payloadVersion === '2.0') return { lambda: { ...answer.context } };
  const stringified = Object.fromEntries(
    Object.entries(answer.context).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
  return {
    ...stringified,
    ...(answer.kind === 'policy' && answer.principalId !== undefined
      ? { principalId: answer.principalId }
      : {}),
    integrationLatency: answer.latencyMs,
  };
}
