import type {
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { partitionOf } from '../template/parameters.ts';
import type { ProxyEventV1 } from './events.ts';

/** The request an authorizer is asked about, to name it in `methodArn` / `routeArn`. */
export interface AuthorizedRequest {
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  /** The request path, e.g. `/items/7`. */
  readonly path: string;
}

/**
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`: the method ARN a REST authorizer
 * gets (and the route ARN an HTTP API one gets), with the request's own path, not the resource template.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
export function executeApiArn(request: AuthorizedRequest): string {
  const { partition } = partitionOf(request.region);
  const path = request.path.replace(/^\//, '');
  return `arn:${partition}:execute-api:${request.region}:${request.accountId}:${request.apiId}/${request.stage}/${request.method.toUpperCase()}/${path}`;
}

/**
 * A REST API `TOKEN` authorizer's input: the token from the identity source header and the method ARN, nothing else.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
export function tokenAuthorizerEvent(token: string, methodArn: string): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', methodArn, authorizationToken: token };
}

/** A REST `REQUEST` authorizer's input: the proxy event's request fields, without the body. */
export type RequestAuthorizerEvent = Omit<ProxyEventV1, 'body' | 'isBase64Encoded' | 'version'> & {
  readonly type: 'REQUEST';
  readonly methodArn: string;
};

/**
 * A REST API `REQUEST` authorizer's input: `type`, `methodArn`, then what the integration would get (path,
 * headers, query strings, path parameters, stage variables, request context) except the body.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
export function requestAuthorizerEvent(proxy: ProxyEventV1, methodArn: string): RequestAuthorizerEvent {
  const { body: _body, isBase64Encoded: _encoded, version: _version, ...request } = proxy;
  return { type: 'REQUEST', methodArn, ...request };
}

/**
 * An HTTP API Lambda authorizer's input in payload format 2.0: `type` REQUEST, `routeArn`, the identity source
 * values, then the 2.0 event's request fields without the body.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
export function requestAuthorizerEventV2(
  proxy: APIGatewayProxyEventV2,
  routeArn: string,
  identitySource: readonly string[],
): APIGatewayRequestAuthorizerEventV2 {
  const { body: _body, isBase64Encoded: _encoded, cookies, ...request } = proxy;
  return {
    ...request,
    type: 'REQUEST',
    routeArn,
    identitySource: [...identitySource],
    cookies: cookies ?? [],
  };
}
