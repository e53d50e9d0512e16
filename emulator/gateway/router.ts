import type { ApiKind, ApiModel, RouteModel } from '../template/model.ts';
import { decodePercent } from './decoding.ts';

/** A request path resolved to one route of one API. */
export interface RouteMatch {
  readonly matched: true;
  readonly route: RouteModel;
  readonly api: ApiModel;
  /** The stage the event reports: the REST API's own stage, a named HTTP stage, or `$default`. */
  readonly stage: string;
  /** The request path without the stage segment: still encoded for REST, decoded once for HTTP APIs. */
  readonly path: string;
  /** Values of the route's `{name}` / `{name+}` variables (`{proxy+}` → `proxy`); `undefined` when it has none. */
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

/** No route for the request; `kind` says which gateway answers and so which error it sends. */
export interface RouteMiss {
  readonly matched: false;
  /** `rest`: 403 Missing Authentication Token; `http`: 404 Not Found. */
  readonly kind: ApiKind;
  /** The API that answers; `undefined` only when the template has no API at all. */
  readonly api: ApiModel | undefined;
}

/** The API that would serve a path whatever the method, for answering CORS preflights. */
export interface PathOwner {
  readonly api: ApiModel;
  /** The matched resource template (`$default` for an HTTP API's default route); `undefined` when none matches. */
  readonly resource: string | undefined;
  /** Methods the API declares on that resource, upper-case, `ANY` kept; empty when `resource` is undefined. */
  readonly methods: readonly string[];
}

export interface Router {
  /** Resolves a request to a route, with the stage rules of one shared local port (see `createRouter`). */
  match(method: string, rawPath: string): RouteMatch | RouteMiss;
  /** Which API, resource and declared methods a path belongs to, ignoring the method. */
  owner(rawPath: string): PathOwner | undefined;
}

const STATIC = 0;
const VARIABLE = 1;
const GREEDY = 2;

interface CompiledRoute {
  readonly route: RouteModel;
  readonly api: ApiModel;
  /** Per template segment: the literal text for a static segment, the variable name otherwise. */
  readonly names: readonly string[];
  /** Per template segment: STATIC, VARIABLE or GREEDY; lower is more specific. */
  readonly kinds: readonly number[];
  readonly isDefault: boolean;
  readonly hasVariables: boolean;
}

interface Scope {
  readonly apis: readonly ApiModel[];
  readonly routes: readonly CompiledRoute[];
  readonly hasRestRoutes: boolean;
  readonly hasHttpRoutes: boolean;
}

interface Segments {
  readonly values: readonly string[];
  readonly starts: readonly number[];
  /** The string the segments were cut from. */
  readonly path: string;
}

interface Candidate {
  readonly compiled: CompiledRoute;
  readonly segments: Segments;
}

interface Located {
  readonly scope: Scope;
  /** `undefined` when the path carries no stage segment. */
  readonly stage: string | undefined;
  /** The path with the stage segment removed, still encoded. */
  readonly path: string;
}

/**
 * Compiles the template's routes once. One port serves every API, so a path is resolved in this order:
 * (a) a first segment equal to a REST API's stage routes within the REST APIs of that stage only, stage stripped;
 * (b) a first segment equal to a named HTTP API stage routes within that HTTP API, stage stripped;
 * (c) any other path is matched against every route of every API, REST APIs as if mounted at the root (like
 * `sam local start-api`) and HTTP APIs likewise, each event naming its API's own stage;
 * (d) a miss at the root is an HTTP API 404 when the template has an HTTP API, a REST 403 otherwise.
 * Within a scope a static segment beats `{name}`, which beats a greedy `{name+}` (compared from the left), an exact
 * method beats `ANY`, and an HTTP API's `$default` route comes last.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
export function createRouter(apis: ReadonlyMap<string, ApiModel>, routes: readonly RouteModel[]): Router {
  const all: CompiledRoute[] = [];
  const methodsByApi = new Map<string, Map<string, string[]>>();
  for (const route of routes) {
    const api = apis.get(route.apiId);
    if (api === undefined) {
      throw new Error(
        `Route ${route.method} ${route.path} (${route.eventId}) refers to unknown API ${route.apiId}`,
      );
    }
    all.push(compile(route, api));
    let byResource = methodsByApi.get(route.apiId);
    if (byResource === undefined) {
      byResource = new Map();
      methodsByApi.set(route.apiId, byResource);
    }
    const methods = byResource.get(route.path);
    if (methods === undefined) byResource.set(route.path, [route.method]);
    else if (!methods.includes(route.method)) methods.push(route.method);
  }

  const restStages = new Map<string, { apis: ApiModel[]; routes: CompiledRoute[] }>();
  const httpStages = new Map<string, { apis: ApiModel[]; routes: CompiledRoute[] }>();
  for (const api of apis.values()) {
    if (api.kind === 'http' && api.stageName === '$default') continue;
    const stages = api.kind === 'rest' ? restStages : httpStages;
    const entry = stages.get(api.stageName) ?? { apis: [], routes: [] };
    entry.apis.push(api);
    stages.set(api.stageName, entry);
  }
  for (const compiled of all) {
    const stages = compiled.api.kind === 'rest' ? restStages : httpStages;
    stages.get(compiled.api.stageName)?.routes.push(compiled);
  }
  const toScope = (scopeApis: readonly ApiModel[], scopeRoutes: readonly CompiledRoute[]): Scope => ({
    apis: scopeApis,
    routes: scopeRoutes,
    hasRestRoutes: scopeRoutes.some((compiled) => compiled.api.kind === 'rest'),
    hasHttpRoutes: scopeRoutes.some((compiled) => compiled.api.kind === 'http'),
  });
  const restScopes = new Map(
    [...restStages].map(([stage, entry]) => [stage, toScope(entry.apis, entry.routes)]),
  );
  const httpScopes = new Map(
    [...httpStages].map(([stage, entry]) => [stage, toScope(entry.apis, entry.routes)]),
  );
  const allApis = [...apis.values()];
  const rootScope = toScope(allApis, all);
  // A miss at the root is answered by an HTTP API when there is one: its 404 is what its clients expect.
  const rootMissApi = allApis.find((api) => api.kind === 'http') ?? allApis[0];

  function locate(rawPath: string): Located {
    if (!rawPath.startsWith('/')) return { scope: rootScope, stage: undefined, path: rawPath };
    const slash = rawPath.indexOf('/', 1);
    const rawFirst = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
    const first = decodePercent(rawFirst);
    const scope = restScopes.get(first) ?? httpScopes.get(first);
    if (scope === undefined) return { scope: rootScope, stage: undefined, path: rawPath };
    return { scope, stage: first, path: slash === -1 ? '/' : rawPath.slice(slash) };
  }

  /** The most specific route for the path (and method, when given), with the segments it was matched on. */
  function best(located: Located, method: string | undefined): Candidate | undefined {
    const { scope, path } = located;
    if (!path.startsWith('/')) return undefined;
    const restSegments = scope.hasRestRoutes ? split(path) : undefined;
    const httpSegments = scope.hasHttpRoutes ? split(decodePercent(path)) : undefined;
    let chosen: CompiledRoute | undefined;
    let chosenSegments: Segments | undefined;
    let fallback: CompiledRoute | undefined;
    for (const compiled of scope.routes) {
      if (compiled.isDefault) {
        fallback ??= compiled;
        continue;
      }
      const routeMethod = compiled.route.method;
      if (method !== undefined && routeMethod !== method && routeMethod !== 'ANY') continue;
      const isRest = compiled.api.kind === 'rest';
      const segments = isRest ? restSegments : httpSegments;
      if (segments === undefined || !fits(compiled, segments.values, isRest)) continue;
      if (chosen === undefined || isBetter(compiled, chosen, method)) {
        chosen = compiled;
        chosenSegments = segments;
      }
    }
    if (chosen !== undefined && chosenSegments !== undefined) {
      return { compiled: chosen, segments: chosenSegments };
    }
    if (fallback !== undefined && httpSegments !== undefined) {
      return { compiled: fallback, segments: httpSegments };
    }
    return undefined;
  }

  function missApi(located: Located): ApiModel | undefined {
    return located.stage === undefined ? rootMissApi : located.scope.apis[0];
  }

  return {
    match(method, rawPath) {
      const located = locate(rawPath);
      const found = best(located, method);
      if (found === undefined) {
        const api = missApi(located);
        return { matched: false, kind: api?.kind ?? 'rest', api };
      }
      const { compiled, segments } = found;
      const api = compiled.api;
      return {
        matched: true,
        route: compiled.route,
        api,
        // An event always names its API's own stage, so the function sees the same event with or without the
        // stage in the URL: an HTTP API with a named stage has no `$default` stage to be on.
        stage: api.stageName,
        path: segments.path,
        pathParameters: compiled.hasVariables ? parametersOf(compiled, segments) : undefined,
      };
    },

    owner(rawPath) {
      const located = locate(rawPath);
      const found = best(located, undefined);
      if (found === undefined) {
        const api = missApi(located);
        return api === undefined ? undefined : { api, resource: undefined, methods: [] };
      }
      const { route, api } = found.compiled;
      return { api, resource: route.path, methods: methodsByApi.get(route.apiId)?.get(route.path) ?? [] };
    },
  };
}

function compile(route: RouteModel, api: ApiModel): CompiledRoute {
  if (route.path === '$default') {
    return { route, api, names: [], kinds: [], isDefault: true, hasVariables: false };
  }
  const parts = split(route.path).values;
  const names: string[] = [];
  const kinds: number[] = [];
  parts.forEach((part, index) => {
    if (part.startsWith('{') && part.endsWith('+}')) {
      if (index !== parts.length - 1) {
        throw new Error(
          `Route ${route.method} ${route.path} (${route.eventId}): a greedy variable must be the last path segment`,
        );
      }
      names.push(part.slice(1, -2));
      kinds.push(GREEDY);
    } else if (part.startsWith('{') && part.endsWith('}')) {
      names.push(part.slice(1, -1));
      kinds.push(VARIABLE);
    } else {
      names.push(part);
      kinds.push(STATIC);
    }
  });
  return { route, api, names, kinds, isDefault: false, hasVariables: kinds.some((kind) => kind !== STATIC) };
}

/**
 * Cuts `/a/b` into `['a', 'b']`, remembering where each segment starts. A trailing slash is dropped so `/price/`
 * routes like `/price` ([UNCONFIRMED] for AWS; SAM also treats such paths as one).
 */
function split(path: string): Segments {
  const values: string[] = [];
  const starts: number[] = [];
  if (path.length > 1) {
    let start = 1;
    for (;;) {
      const slash = path.indexOf('/', start);
      values.push(slash === -1 ? path.slice(start) : path.slice(start, slash));
      starts.push(start);
      if (slash === -1) break;
      start = slash + 1;
    }
    if (values.length > 0 && values[values.length - 1] === '') {
      values.pop();
      starts.pop();
    }
  }
  return { values, starts, path };
}

function fits(compiled: CompiledRoute, values: readonly string[], isRest: boolean): boolean {
  const { kinds, names } = compiled;
  const count = kinds.length;
  const greedy = count > 0 && kinds[count - 1] === GREEDY;
  // A greedy variable needs at least one segment: `/{proxy+}` does not match `/`.
  if (greedy ? values.length < count : values.length !== count) return false;
  const fixed = greedy ? count - 1 : count;
  for (let index = 0; index < fixed; index++) {
    const value = values[index];
    if (value === undefined || value === '') return false;
    if (kinds[index] !== STATIC) continue;
    const literal = names[index];
    // REST keeps the path encoded, so compare decoded text against the template's literal.
    if (value !== literal && !(isRest && value.includes('%') && decodePercent(value) === literal))
      return false;
  }
  return true;
}

function isBetter(candidate: CompiledRoute, current: CompiledRoute, method: string | undefined): boolean {
  const length = Math.min(candidate.kinds.length, current.kinds.length);
  for (let index = 0; index < length; index++) {
    const difference = (candidate.kinds[index] ?? STATIC) - (current.kinds[index] ?? STATIC);
    if (difference !== 0) return difference < 0;
  }
  if (method === undefined) return false;
  return candidate.route.method === method && current.route.method !== method;
}

function parametersOf(compiled: CompiledRoute, segments: Segments): Record<string, string> {
  // HTTP APIs decode a parameter once more after routing on the decoded path (hotsock/voker captures); REST
  // passes it still encoded (`{proxy+}` of `/capture/space%20value` is `capture/space%20value`).
  const decode = compiled.api.kind === 'http';
  const entries: [string, string][] = [];
  compiled.kinds.forEach((kind, index) => {
    if (kind === STATIC) return;
    const raw =
      kind === GREEDY
        ? segments.path.slice(segments.starts[index] ?? segments.path.length)
        : (segments.values[index] ?? '');
    entries.push([compiled.names[index] ?? '', decode ? decodePercent(raw) : raw]);
  });
  return Object.fromEntries(entries);
}
