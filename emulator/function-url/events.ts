import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { toV2Event } from '../gateway/events.ts';
import type { GatewayRequest } from '../gateway/request.ts';
import type { RouteMatch } from '../gateway/router.ts';
import type { FunctionUrlModel } from '../template/model.ts';

/** Who signed an AWS_IAM request, as `requestContext.authorizer.iam` reports it. */
export interface IamCaller {
  readonly accessKey: string;
  readonly accountId: string;
}

/** `requestContext.authorizer.iam` as a function URL sends it (`principalOrgId` and `cognitoIdentity` null). */
export interface UrlIamAuthorizer {
  readonly accessKey: string;
  readonly accountId: string;
  readonly callerId: string;
  readonly cognitoIdentity: null;
  readonly principalOrgId: null;
  readonly userArn: string;
  readonly userId: string;
}

/** A function URL event; with AWS_IAM, its request context names the caller. */
export type FunctionUrlEvent =
  | LambdaFunctionURLEvent
  | (LambdaFunctionURLEvent & {
      readonly requestContext: LambdaFunctionURLEvent['requestContext'] & {
        readonly authorizer: { readonly iam: UrlIamAuthorizer };
      };
    });

/** What a function URL event needs beyond the request; ids are made by the caller so the builder stays pure. */
export interface UrlEventContext {
  /** A UUID: the invocation's request id, which Lambda also reports here. */
  readonly requestId: string;
  readonly region: string;
  /** The caller of an AWS_IAM URL; `undefined` with AuthType NONE. */
  readonly caller: IamCaller | undefined;
}

/** `https://<url-id>.lambda-url.<region>.on.aws` without the scheme. */
export function functionUrlDomain(url: FunctionUrlModel, region: string): string {
  return `${url.urlId}.lambda-url.${region}.on.aws`;
}

/**
 * The event a function URL sends: payload format 2.0 as an HTTP API builds it (headers, cookies, query, base64
 * rule), except that the route and stage are always `$default`, `apiId` and `domainPrefix` are the URL id, the
 * account is `anonymous` unless the request was IAM-signed (then `authorizer.iam` names the caller), and there
 * are no `pathParameters` or `stageVariables`.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export function toFunctionUrlEvent(
  request: GatewayRequest,
  url: FunctionUrlModel,
  context: UrlEventContext,
): FunctionUrlEvent {
  const domainName = functionUrlDomain(url, context.region);
  const accountId = context.caller?.accountId ?? 'anonymous';
  const event = toV2Event(request, defaultRoute(url), {
    requestId: context.requestId,
    extendedRequestId: context.requestId,
    apiId: url.urlId,
    accountId,
    domainName,
  });
  if (context.caller === undefined) return event;
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { iam: iamOf(context.caller) } },
  };
}

/** The `$default` route of an HTTP API with no stage variables: what a function URL is, to the 2.0 builder. */
function defaultRoute(url: FunctionUrlModel): RouteMatch {
  return {
    matched: true,
    route: {
      apiId: url.urlId,
      kind: 'http',
      method: 'ANY',
      path: '$default',
      functionId: '',
      eventId: '',
      payloadVersion: '2.0',
      integrationTimeoutMs: 0,
    },
    api: {
      logicalId: url.urlId,
      kind: 'http',
      physicalId: url.urlId,
      stageName: '$default',
      stageVariables: undefined,
      binaryMediaTypes: [],
      cors: url.cors,
    },
    stage: '$default',
    path: '',
    pathParameters: undefined,
  };
}

/**
 * The emulator knows only the access key and account of the signer, so the IAM user is reported as the
 * account's root, which is what a request signed with the account's own keys is.
 */
function iamOf(caller: IamCaller): UrlIamAuthorizer {
  return {
    accessKey: caller.accessKey,
    accountId: caller.accountId,
    callerId: caller.accountId,
    cognitoIdentity: null,
    principalOrgId: null,
    userArn: `arn:aws:iam::${caller.accountId}:root`,
    userId: caller.accountId,
  };
}
