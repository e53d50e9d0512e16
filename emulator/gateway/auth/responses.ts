import type { ApiKind } from '../../template/model.ts';
import { httpJson, restJson } from '../gatewayErrors.ts';
import type { GatewayResponse } from '../responses.ts';
import type { AuthorizationOutcome } from './authorize.ts';

/**
 * API Gateway's own answers when authorization stops a request. REST bodies come from the default gateway
 * response templates (`UNAUTHORIZED` 401, `ACCESS_DENIED` 403, `AUTHORIZER_CONFIGURATION_ERROR` and
 * `AUTHORIZER_FAILURE` 500) with the exception name in `x-amzn-ErrorType`; HTTP APIs answer 401 Unauthorized,
 * 403 Forbidden and 500 Internal Server Error.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */

/** No identity (a missing header, query string…), a token failing its validation expression, or `Unauthorized`. */
export function unauthorized(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(401, '{"message":"Unauthorized"}', 'UnauthorizedException')
    : httpJson(401, '{"message":"Unauthorized"}');
}

/**
 * The authorizer's policy does not allow the method: REST 403 `AccessDeniedException`, saying whether a Deny
 * statement matched (as AWS's message does); HTTP API 403 Forbidden.
 * https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer
 */
export function accessDenied(kind: ApiKind, explicit: boolean): GatewayResponse {
  if (kind === 'http') return httpJson(403, '{"message":"Forbidden"}');
  const message = explicit
    ? 'User is not authorized to access this resource with an explicit deny'
    : 'User is not authorized to access this resource';
  return restJson(403, JSON.stringify({ Message: message }), 'AccessDeniedException');
}

/** The authorizer failed, timed out or answered something API Gateway cannot use. */
export function authorizerFailure(kind: ApiKind): GatewayResponse {
  return kind === 'rest'
    ? restJson(500, '{"message":null}', 'AuthorizerConfigurationException')
    : httpJson(500, '{"message":"Internal Server Error"}');
}

/** The refusals of one authorizer: API Gateway's answer, and for the log which authorizer refused and why. */
export function refusals(label: string): (response: GatewayResponse, reason: string) => AuthorizationOutcome {
  return (response, reason) => ({ allowed: false, response, reason: `${label}: ${reason}` });
}
