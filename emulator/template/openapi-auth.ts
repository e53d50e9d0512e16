import { authorizerNamed, DEFAULT_TTL_SECONDS, defaultRouteAuth } from './auth.ts';
import type { Diagnostics } from './errors.ts';
import type { ApiAuthModel, ApiKind, AuthorizerModel, IdentitySources, RouteAuth } from './model.ts';
import { functionOfUri } from './openapi.ts';
import type { PropertyReader } from './properties.ts';
import { isRecord, type Path } from './values.ts';

/** One security scheme of a definition: an authorizer, IAM (SigV4), or an API key. */
type Scheme =
  | { readonly kind: 'authorizer'; readonly authorizer: AuthorizerModel }
  | { readonly kind: 'iam' }
  | { readonly kind: 'apiKey' };

/**
 * The security of an OpenAPI definition as API Gateway imports it: `securityDefinitions` (Swagger 2) or
 * `components.securitySchemes` (OpenAPI 3) with `x-amazon-apigateway-authorizer` (REST `token`, `request`,
 * `cognito_user_pools`; HTTP API `jwt`, `request`), `x-amazon-apigateway-authtype: awsSigv4` for IAM, an
 * `apiKey` scheme for API keys; and the `security` each operation (or the whole document) requires.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authtype.html
 */
export class DefinitionSecurity {
  readonly #document: PropertyReader;
  readonly #kind: ApiKind;
  readonly #functionsByName: ReadonlyMap<string, string>;
  readonly #diag: Diagnostics;
  readonly #schemes = new Map<string, Scheme | undefined>();
  readonly #samAuth: ApiAuthModel | undefined;

  constructor(
    document: PropertyReader,
    kind: ApiKind,
    functionsByName: ReadonlyMap<string, string>,
    samAuth: ApiAuthModel | undefined,
    diag: Diagnostics,
  ) {
    this.#document = document;
    this.#kind = kind;
    this.#functionsByName = functionsByName;
    this.#samAuth = samAuth;
    this.#diag = diag;
  }

  /**
   * What protects one operation: its own `security`, else the document's, else (a DefinitionBody SAM edits)
   * the API's SAM `DefaultAuthorizer`, which SAM writes onto every method of the body.
   * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html
   */
  operationAuth(operation: Path, samEdits: boolean): RouteAuth | undefined {
    const own = this.#document.raw([...operation, 'security']);
    const requirements = own ?? this.#document.raw(['security']);
    if (requirements === undefined) return samEdits ? this.#samDefault() : undefined;
    if (!Array.isArray(requirements)) return undefined;
    let authorizer: RouteAuth['authorizer'];
    let scopes: string[] = [];
    let apiKeyRequired = false;
    for (const requirement of requirements) {
      if (!isRecord(requirement)) continue;
      for (const [name, scopeList] of Object.entries(requirement)) {
        const scheme = this.#scheme(name);
        if (scheme === undefined) continue;
        if (scheme.kind === 'apiKey') apiKeyRequired = this.#kind === 'rest';
        else if (authorizer === undefined) {
          authorizer = scheme.kind === 'iam' ? { kind: 'iam' } : scheme.authorizer;
          scopes = Array.isArray(scopeList) ? scopeList.filter((scope) => typeof scope === 'string') : [];
        }
      }
    }
    if (authorizer === undefined && !apiKeyRequired) return undefined;
    return { authorizer, scopes, apiKeyRequired };
  }

  #samDefault(): RouteAuth | undefined {
    return this.#samAuth === undefined ? undefined : defaultRouteAuth(this.#samAuth, this.#kind);
  }

  #scheme(name: string): Scheme | undefined {
    if (this.#schemes.has(name)) return this.#schemes.get(name);
    const at = this.#schemePath(name);
    const scheme = at === undefined ? this.#fromSam(name) : this.#read(name, at);
    this.#schemes.set(name, scheme);
    return scheme;
  }

  /** SAM writes its own authorizers into the body under their names; a body may name them without defining them. */
  #fromSam(name: string): Scheme | undefined {
    if (name === 'api_key') return { kind: 'apiKey' };
    const authorizer = authorizerNamed(this.#samAuth, name);
    if (authorizer === undefined) return undefined;
    return authorizer.kind === 'iam' ? { kind: 'iam' } : { kind: 'authorizer', authorizer };
  }

  #schemePath(name: string): Path | undefined {
    for (const base of [['securityDefinitions'], ['components', 'securitySchemes']]) {
      const schemes = this.#document.raw(base);
      if (isRecord(schemes) && isRecord(schemes[name])) return [...base, name];
    }
    return undefined;
  }

  #read(name: string, at: Path): Scheme | undefined {
    const value = (key: string) => this.#document.value([...at, key]);
    const authType = value('x-amazon-apigateway-authtype');
    if (typeof authType === 'string' && authType.toLowerCase() === 'awssigv4') return { kind: 'iam' };
    if (
      value('type') === 'apiKey' &&
      this.#document.raw([...at, 'x-amazon-apigateway-authorizer']) === undefined
    ) {
      return { kind: 'apiKey' };
    }
    const config = this.#document.value([...at, 'x-amazon-apigateway-authorizer']);
    if (!isRecord(config)) return undefined;
    const text = (key: string): string | undefined =>
      typeof config[key] === 'string' ? config[key] : undefined;
    const type = text('type')?.toLowerCase();
    const ttl =
      typeof config.authorizerResultTtlInSeconds === 'number'
        ? config.authorizerResultTtlInSeconds
        : undefined;
    const identitySource = text('identitySource');
    const where = this.#document.pathOf(at);
    if (type === 'jwt') {
      const jwt = isRecord(config.jwtConfiguration) ? config.jwtConfiguration : {};
      const audience = Array.isArray(jwt.audience)
        ? jwt.audience.filter((item) => typeof item === 'string')
        : [];
      if (typeof jwt.issuer !== 'string') {
        this.#diag.warn(
          where,
          `authorizer ${name} has no jwtConfiguration.issuer; routes it protects let every request through`,
        );
        return undefined;
      }
      return {
        kind: 'authorizer',
        authorizer: {
          kind: 'jwt',
          name,
          issuer: jwt.issuer,
          audience,
          identitySource: identitySource ?? '$request.header.Authorization',
          authorizationScopes: [],
        },
      };
    }
    if (type === 'cognito_user_pools') {
      const arns = Array.isArray(config.providerARNs)
        ? config.providerARNs.filter((item) => typeof item === 'string')
        : [];
      const header =
        identitySource === undefined
          ? 'Authorization'
          : (parseIdentitySources(identitySource).headers[0] ?? 'Authorization');
      return {
        kind: 'authorizer',
        authorizer: {
          kind: 'cognito',
          name,
          userPoolArns: arns,
          header,
          validationExpression: text('identityValidationExpression'),
          authorizationScopes: [],
          ttlSeconds: ttl ?? DEFAULT_TTL_SECONDS.rest,
        },
      };
    }
    if (type === 'token' || type === 'request') {
      const uri = text('authorizerUri') ?? '';
      const functionId = functionOfUri(uri, this.#functionsByName);
      const identity =
        identitySource === undefined
          ? {
              headers: type === 'token' ? ['Authorization'] : [],
              queryStrings: [],
              stageVariables: [],
              context: [],
            }
          : parseIdentitySources(identitySource);
      const version = text('authorizerPayloadFormatVersion');
      return {
        kind: 'authorizer',
        authorizer: {
          kind: 'lambda',
          name,
          functionId,
          functionArn: uri,
          payloadType: type === 'token' ? 'TOKEN' : 'REQUEST',
          payloadVersion: this.#kind === 'http' && version === '2.0' ? '2.0' : '1.0',
          simpleResponses: config.enableSimpleResponses === true,
          identity,
          validationExpression: type === 'token' ? text('identityValidationExpression') : undefined,
          ttlSeconds: ttl ?? DEFAULT_TTL_SECONDS[this.#kind],
        },
      };
    }
    this.#diag.warn(
      where,
      `authorizer ${name} of type ${type ?? '(none)'} is not emulated; routes it protects let every request through`,
    );
    return undefined;
  }
}

/**
 * An `identitySource` list: REST `method.request.header.X, method.request.querystring.q, stageVariables.s,
 * context.c`, HTTP API `$request.header.X, $request.querystring.q, $stageVariables.s, $context.c`.
 */
export function parseIdentitySources(text: string): IdentitySources {
  const sources = {
    headers: [] as string[],
    queryStrings: [] as string[],
    stageVariables: [] as string[],
    context: [] as string[],
  };
  const prefixes: readonly (readonly [string, string[]])[] = [
    ['method.request.header.', sources.headers],
    ['$request.header.', sources.headers],
    ['method.request.querystring.', sources.queryStrings],
    ['$request.querystring.', sources.queryStrings],
    ['stageVariables.', sources.stageVariables],
    ['$stageVariables.', sources.stageVariables],
    ['context.', sources.context],
    ['$context.', sources.context],
  ];
  for (const item of text.split(',').map((part) => part.trim())) {
    const found = prefixes.find(([prefix]) => item.startsWith(prefix));
    if (found !== undefined) found[1].push(item.slice(found[0].length));
  }
  return sources;
}
