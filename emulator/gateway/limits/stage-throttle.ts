import type { ApiModel, RouteModel } from '../../template/model.ts';
import { effectiveThrottle } from './limits.ts';

/** The bucket a route draws from and its limits. */
export interface RouteThrottle {
  readonly id: string;
  readonly limits: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The stage throttle of a route, `undefined` when its stage sets none. A method's (REST `MethodSettings` for its
 * path and method, or `*` for every method of the path) or route's (HTTP API `RouteSettings` by route key)
 * settings override the stage's default (`/*` `*`, or `DefaultRouteSettings`), each unset limit falling back a
 * level. Each method or route has a bucket of its own: the stage default is the limit of every method, not one
 * budget they share.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */
export function stageThrottleOf(api: ApiModel, route: RouteModel): RouteThrottle | undefined {
  const stage = api.throttle;
  if (stage === undefined) return undefined;
  const own =
    api.kind === 'rest'
      ? (stage.routes.get(`${route.method} ${route.path}`) ?? stage.routes.get(`* ${route.path}`))
      : stage.routes.get(route.path === '$default' ? '$default' : `${route.method} ${route.path}`);
  if (own === undefined && stage.default === undefined) return undefined;
  return {
    id: `stage ${api.logicalId} ${route.method} ${route.path}`,
    limits: effectiveThrottle(own, stage.default),
  };
}
