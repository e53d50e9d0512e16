import type { ApiModel, RouteModel, UsagePlansModel } from '../template/model.ts';
import { stageThrottleOf } from './limits/stage-throttle.ts';

/**
 * What stands between a client and a route, in a few words for the start screen: the authorizer (name and kind),
 * IAM, an API key, the stage throttle (rate per second and burst); `-` when the route is open.
 */
export function protectionOf(route: RouteModel, api: ApiModel | undefined): string {
  const parts: string[] = [];
  const authorizer = route.auth?.authorizer;
  if (authorizer?.kind === 'iam') parts.push('iam');
  else if (authorizer?.kind === 'lambda') {
    const type = route.kind === 'rest' ? authorizer.payloadType : `payload ${authorizer.payloadVersion}`;
    parts.push(`${authorizer.name} (lambda ${type})`);
  } else if (authorizer !== undefined) parts.push(`${authorizer.name} (${authorizer.kind})`);
  if (route.auth?.apiKeyRequired) parts.push('api key');
  const throttle = api === undefined ? undefined : stageThrottleOf(api, route);
  if (throttle !== undefined) {
    parts.push(`${throttle.limits.rateLimit}/s burst ${throttle.limits.burstLimit}`);
  }
  return parts.length === 0 ? '-' : parts.join(', ');
}

/**
 * The API keys to send as `x-api-key`, for the start screen. Printing them is fine: they open a local emulator
 * only, and a generated key (which API Gateway would show in its console) is told nowhere else.
 */
export function apiKeyLines(usagePlans: UsagePlansModel | undefined): string[] {
  if (usagePlans === undefined || usagePlans.keys.length === 0) return [];
  const rows = usagePlans.keys.map((key) => {
    const plans = usagePlans.plans.filter((plan) => plan.keyIds.includes(key.logicalId));
    const apis = [...new Set(plans.flatMap((plan) => plan.apiIds))];
    const status = !key.enabled ? 'disabled' : apis.length === 0 ? 'in no usage plan' : apis.join(', ');
    return [key.logicalId, key.value, key.generated ? `${status} (generated here)` : status];
  });
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const aligned = rows.map(
    ([name = '', value = '', status = '']) =>
      `  ${name.padEnd(widths[0] ?? 0)}  ${value.padEnd(widths[1] ?? 0)}  ${status}`,
  );
  return ['API keys (send one as x-api-key):', ...aligned];
}
