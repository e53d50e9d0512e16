import type { Diagnostics } from './errors.ts';
import type { ApiKind, ApiModel, RouteModel, StageThrottleModel, ThrottleModel } from './model.ts';
import type { PropertyReader } from './properties.ts';
import { describe, expectString, type Path } from './values.ts';

/**
 * The stage throttles of an `AWS::Serverless::Api` (`MethodSettings`: each item's `ResourcePath` and `HttpMethod`,
 * `/*` and `*` for all) or `AWS::Serverless::HttpApi` (`DefaultRouteSettings`, `RouteSettings` by route key);
 * `undefined` when it sets no throttle. REST resource paths are written with `~1` for `/` (`/~1items~1{id}`).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-stage-methodsetting.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigatewayv2-stage-routesettings.html
 */
export function readStageThrottle(
  properties: PropertyReader,
  kind: ApiKind,
  diag: Diagnostics,
): StageThrottleModel | undefined {
  const routes = new Map<string, ThrottleModel>();
  let fallback: ThrottleModel | undefined;
  if (kind === 'rest') {
    (properties.list(['MethodSettings']) ?? []).forEach((_item, index) => {
      const at: Path = ['MethodSettings', index];
      const throttle = readThrottle(properties, at, 'Throttling', diag);
      if (throttle === undefined) return;
      const resource = requiredString(properties, [...at, 'ResourcePath'], diag);
      const method = requiredString(properties, [...at, 'HttpMethod'], diag).toUpperCase();
      const path = resourcePathOf(resource);
      if (path === '/*' && method === '*') fallback = throttle;
      else routes.set(`${method} ${path}`, throttle);
    });
  } else {
    fallback = readThrottle(properties, ['DefaultRouteSettings'], 'Throttling', diag);
    for (const routeKey of Object.keys(properties.map(['RouteSettings']) ?? {})) {
      const throttle = readThrottle(properties, ['RouteSettings', routeKey], 'Throttling', diag);
      if (throttle !== undefined) routes.set(routeKey, throttle);
    }
  }
  if (fallback === undefined && routes.size === 0) return undefined;
  return { default: fallback, routes };
}

/**
 * `/~1items~1{id}` (CloudFormation's form: a `/`, then the path with each `/` written `~1`) or `/items/{id}` as
 * written: `/items/{id}`. `/` is the root resource and `/*` every resource.
 */
export function resourcePathOf(written: string): string {
  return written.startsWith('/~1') ? written.slice(1).replaceAll('~1', '/') : written.replaceAll('~1', '/');
}

/**
 * `<prefix>RateLimit` and `<prefix>BurstLimit` at `at` (`ThrottlingRateLimit` on stages, `RateLimit` in usage
 * plans); `undefined` when neither is set.
 */
export function readThrottle(
  properties: PropertyReader,
  at: Path,
  prefix: 'Throttling' | '',
  diag: Diagnostics,
): ThrottleModel | undefined {
  const rateLimit = readNumber(properties, [...at, `${prefix}RateLimit`], diag);
  const burstLimit = readNumber(properties, [...at, `${prefix}BurstLimit`], diag);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return { rateLimit, burstLimit };
}

/** A non-negative number, also written as a numeric string (what `Ref` to a `Number` parameter gives). */
function readNumber(properties: PropertyReader, at: Path, diag: Diagnostics): number | undefined {
  const value = properties.value(at);
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
    return diag.fail(properties.pathOf(at), `expected a number of 0 or more, got ${describe(value)}`);
  }
  return number;
}

function requiredString(properties: PropertyReader, at: Path, diag: Diagnostics): string {
  const value = properties.value(at);
  if (value === undefined) return diag.fail(properties.pathOf(at), 'is required in each MethodSettings item');
  return expectString(value, properties.pathOf(at), diag);
}

/**
 * An `HttpApi` event's own `RouteSettings`, which SAM merges into its API's `RouteSettings` under the event's
 * route key, the event's values winning; the API unchanged when the event sets no throttle.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html
 */
export function withEventRouteSettings(
  api: ApiModel,
  route: RouteModel,
  functionProperties: PropertyReader,
  diag: Diagnostics,
): ApiModel {
  const at: Path = ['Events', route.eventId, 'Properties', 'RouteSettings'];
  const own = readThrottle(functionProperties, at, 'Throttling', diag);
  if (own === undefined) return api;
  const key = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
  const routes = new Map(api.throttle?.routes);
  const written = routes.get(key);
  routes.set(key, {
    rateLimit: own.rateLimit ?? written?.rateLimit,
    burstLimit: own.burstLimit ?? written?.burstLimit,
  });
  return { ...api, throttle: { default: api.throttle?.default, routes } };
}
