import type { ApiModel, UsagePlansModel } from '../../template/model.ts';
import { throttled } from '../gatewayErrors.ts';
import type { GatewayResponse } from '../responses.ts';
import { effectiveThrottle, type UsageLimits } from './limits.ts';
import { invalidApiKey, quotaExceeded } from './responses.ts';

/** What a method that requires an API key is given. */
export interface ApiKeyInput {
  readonly api: ApiModel;
  /** The method's own method and resource path (`ANY`, `/items/{id}`), for a usage plan's per-method throttle. */
  readonly method: string;
  readonly path: string;
  /** The `x-api-key` header, or the authorizer's `usageIdentifierKey` when the API's key source is AUTHORIZER. */
  readonly key: string | undefined;
  readonly usagePlans: UsagePlansModel | undefined;
}

/** Let through with the key's identity fields, or stopped with API Gateway's answer and, for the log, why. */
export type ApiKeyOutcome =
  | { readonly allowed: true; readonly identity: { readonly apiKey: string; readonly apiKeyId: string } }
  | { readonly allowed: false; readonly response: GatewayResponse; readonly reason: string };

/**
 * A method with `ApiKeyRequired`: the key must be one of the template's, enabled, and in a usage plan of this
 * API (else 403 Forbidden); then the plan's per-key throttle (its per-method one for this method if set) and its
 * quota apply (429 Too Many Requests, 429 Limit Exceeded). API Gateway checks keys after the authorizer, which
 * may be what supplies the key.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
 */
export function checkApiKey(input: ApiKeyInput, limits: UsageLimits): ApiKeyOutcome {
  const { api, method: httpMethod, path } = input;
  const source = api.apiKeySource === 'AUTHORIZER' ? "the authorizer's usageIdentifierKey" : 'x-api-key';
  const refuse = (reason: string): ApiKeyOutcome => ({ allowed: false, response: invalidApiKey(), reason });
  if (input.key === undefined || input.key === '') return refuse(`API key required: no ${source}`);
  const key = input.usagePlans?.keys.find((candidate) => candidate.value === input.key);
  if (key === undefined) return refuse(`${source} is not an API key of this template`);
  if (!key.enabled) return refuse(`API key ${key.logicalId} is not Enabled`);
  const plan = input.usagePlans?.plans.find(
    (candidate) => candidate.apiIds.includes(api.logicalId) && candidate.keyIds.includes(key.logicalId),
  );
  if (plan === undefined) return refuse(`API key ${key.logicalId} is in no usage plan of ${api.logicalId}`);

  const method = plan.methodThrottles.get(`${api.logicalId} ${httpMethod} ${path}`);
  if (method !== undefined || plan.throttle !== undefined) {
    const bucket = `plan ${plan.logicalId} ${key.logicalId}${method === undefined ? '' : ` ${httpMethod} ${path}`}`;
    const settings = effectiveThrottle(method, plan.throttle);
    if (!limits.take(bucket, settings)) {
      return {
        allowed: false,
        response: throttled('rest'),
        reason: `API key ${key.logicalId} exceeded the throttle of usage plan ${plan.logicalId} (rate ${settings.rateLimit}, burst ${settings.burstLimit})`,
      };
    }
  }
  if (plan.quota !== undefined && !limits.useQuota(`plan ${plan.logicalId} ${key.logicalId}`, plan.quota)) {
    return {
      allowed: false,
      response: quotaExceeded(),
      reason: `API key ${key.logicalId} used up the quota of usage plan ${plan.logicalId} (${plan.quota.limit} per ${plan.quota.period})`,
    };
  }
  return { allowed: true, identity: { apiKey: key.value, apiKeyId: key.id } };
}
