import { restJson } from '../gatewayErrors.ts';
import type { GatewayResponse } from '../responses.ts';

/**
 * REST answers of usage plans, from API Gateway's default gateway responses: `INVALID_API_KEY` 403 for a missing,
 * unknown or disabled key (`ForbiddenException`), and `QUOTA_EXCEEDED` 429 `Limit Exceeded` for a used-up quota.
 * The 429 of a throttle is gatewayErrors' `throttled` (`THROTTLED`, `Too Many Requests`). Both bodies are what
 * clients report; both `x-amzn-ErrorType` values are [UNCONFIRMED] (`ForbiddenException`, and
 * `LimitExceededException`, the names API Gateway gives those errors).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * https://repost.aws/knowledge-center/api-gateway-429-limit
 */

export function invalidApiKey(): GatewayResponse {
  return restJson(403, '{"message":"Forbidden"}', 'ForbiddenException');
}

export function quotaExceeded(): GatewayResponse {
  return restJson(429, '{"message":"Limit Exceeded"}', 'LimitExceededException');
}
