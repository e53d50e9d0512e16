import type { Diagnostics } from './errors.ts';
import { referencedResource } from './event-sources.ts';
import type {
  ApiAuthModel,
  ApiKind,
  ApiModel,
  AuthorizerModel,
  CognitoAuthorizerModel,
  IdentitySources,
  JwtAuthorizerModel,
  LambdaAuthorizerModel,
  RouteAuth,
} from './model.ts';
import type { PropertyReader } from './properties.ts';
import { expectBoolean, expectInteger, expectOneOf, expectString, type Path } from './values.ts';

/**
 * How long API Gateway caches an authorizer's result when nothing says: REST 300 s (SAM `ReauthorizeEvery`, 0 to
 * 3600 s); HTTP APIs nothing (`AuthorizerResultTtlInSeconds` 0).
 */
export const DEFAULT_TTL_SECONDS: Readonly<Record<ApiKind, number>> = { rest: 300, http: 0 };
const MAX_TTL_SECONDS = 3600;
const IAM = 'AWS_IAM';
const NONE = 'NONE';

/**
 * `Auth` of an API (Globals merged), its authorizers read as SAM reads them: on a REST API one with `UserPoolArn`
 * is a Cognito authorizer, else a Lambda one (`FunctionPayloadType` TOKEN by default, or REQUEST); on an HTTP API
 * one with `JwtConfiguration` is a JWT authorizer, else a Lambda one (`AuthorizerPayloadFormatVersion` required).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-httpapiauth.html
 */
export function readApiAuth(
  properties: PropertyReader,
  kind: ApiKind,
  diag: Diagnostics,
): ApiAuthModel | undefined {
  if (properties.map(['Auth']) === undefined) return undefined;
  const at = (...keys: (string | number)[]): Path => ['Auth', ...keys];
  const authorizers = new Map<string, AuthorizerModel>();
  for (const name of Object.keys(properties.map(at('Authorizers')) ?? {})) {
    if (properties.map(at('Authorizers', name)) === undefined) continue;
    const reader = new AuthorizerReader(properties, at('Authorizers', name), name, diag);
    authorizers.set(name, kind === 'rest' ? reader.rest() : reader.http());
  }
  const defaultValue = properties.value(at('DefaultAuthorizer'));
  const defaultAuthorizer =
    defaultValue === undefined
      ? undefined
      : expectString(defaultValue, properties.pathOf(at('DefaultAuthorizer')), diag);
  if (defaultAuthorizer !== undefined && defaultAuthorizer !== IAM && !authorizers.has(defaultAuthorizer)) {
    diag.fail(
      properties.pathOf(at('DefaultAuthorizer')),
      `${defaultAuthorizer} is not one of the API's Authorizers (${[...authorizers.keys(), IAM].join(', ')})`,
    );
  }
  const flag = (key: string, fallback: boolean): boolean => {
    const value = properties.value(at(key));
    return value === undefined ? fallback : expectBoolean(value, properties.pathOf(at(key)), diag);
  };
  return {
    authorizers,
    defaultAuthorizer,
    apiKeyRequired: flag('ApiKeyRequired', false),
    addDefaultAuthorizerToCorsPreflight: flag('AddDefaultAuthorizerToCorsPreflight', true),
    addApiKeyRequiredToCorsPreflight: flag('AddApiKeyRequiredToCorsPreflight', true),
  };
}

/** One entry of `Auth.Authorizers`. */
class AuthorizerReader {
  readonly #properties: PropertyReader;
  readonly #at: Path;
  readonly #name: string;
  readonly #diag: Diagnostics;

  constructor(properties: PropertyReader, at: Path, name: string, diag: Diagnostics) {
    this.#properties = properties;
    this.#at = at;
    this.#name = name;
    this.#diag = diag;
  }

  rest(): AuthorizerModel {
    if (this.#value(['UserPoolArn']) !== undefined) return this.#cognito();
    const payloadType = expectOneOf(
      this.#string(['FunctionPayloadType']) ?? 'TOKEN',
      ['TOKEN', 'REQUEST'] as const,
      this.#path(['FunctionPayloadType']),
      this.#diag,
    );
    const header = this.#string(['Identity', 'Header']) ?? 'Authorization';
    return {
      ...this.#lambda(),
      payloadType,
      payloadVersion: '1.0',
      simpleResponses: false,
      identity:
        payloadType === 'TOKEN'
          ? { headers: [header], queryStrings: [], stageVariables: [], context: [] }
          : this.#identity(),
      validationExpression:
        payloadType === 'TOKEN' ? this.#string(['Identity', 'ValidationExpression']) : undefined,
      ttlSeconds: this.#ttl(DEFAULT_TTL_SECONDS.rest),
    };
  }

  http(): AuthorizerModel {
    if (this.#value(['JwtConfiguration']) !== undefined) return this.#jwt();
    const version = this.#value(['AuthorizerPayloadFormatVersion']);
    if (version === undefined) {
      this.#diag.fail(
        this.#path([]),
        'AuthorizerPayloadFormatVersion is required for an HTTP API Lambda authorizer (1.0 or 2.0)',
      );
    }
    const payloadVersion = expectOneOf(
      version === 1 || version === 2 ? `${version}.0` : version,
      ['1.0', '2.0'] as const,
      this.#path(['AuthorizerPayloadFormatVersion']),
      this.#diag,
    );
    const simple = this.#value(['EnableSimpleResponses']);
    const simpleResponses =
      simple === undefined ? false : expectBoolean(simple, this.#path(['EnableSimpleResponses']), this.#diag);
    if (simpleResponses && payloadVersion === '1.0') {
      this.#diag.fail(
        this.#path(['EnableSimpleResponses']),
        'simple responses need AuthorizerPayloadFormatVersion 2.0',
      );
    }
    return {
      ...this.#lambda(),
      payloadType: 'REQUEST',
      payloadVersion,
      simpleResponses,
      identity: this.#identity(),
      validationExpression: undefined,
      ttlSeconds: this.#ttl(DEFAULT_TTL_SECONDS.http),
    };
  }

  #lambda(): Pick<LambdaAuthorizerModel, 'kind' | 'name' | 'functionId' | 'functionArn'> {
    const raw = this.#properties.raw([...this.#at, 'FunctionArn']);
    if (raw === undefined) this.#diag.fail(this.#path([]), 'FunctionArn is required for a Lambda authorizer');
    const arn = this.#value(['FunctionArn']);
    return {
      kind: 'lambda',
      name: this.#name,
      functionId: referencedResource(raw),
      functionArn: typeof arn === 'string' ? arn : JSON.stringify(raw),
    };
  }

  #jwt(): JwtAuthorizerModel {
    const issuer = this.#string(['JwtConfiguration', 'issuer']);
    if (issuer === undefined) this.#diag.fail(this.#path(['JwtConfiguration']), 'issuer is required');
    return {
      kind: 'jwt',
      name: this.#name,
      issuer,
      audience: this.#strings(['JwtConfiguration', 'audience']),
      identitySource: this.#string(['IdentitySource']) ?? '$request.header.Authorization',
      authorizationScopes: this.#strings(['AuthorizationScopes']),
    };
  }

  #cognito(): CognitoAuthorizerModel {
    const arns = this.#value(['UserPoolArn']);
    const userPoolArns = Array.isArray(arns)
      ? arns.map((arn, index) => expectString(arn, this.#path(['UserPoolArn', index]), this.#diag))
      : [expectString(arns, this.#path(['UserPoolArn']), this.#diag)];
    return {
      kind: 'cognito',
      name: this.#name,
      userPoolArns,
      header: this.#string(['Identity', 'Header']) ?? 'Authorization',
      validationExpression: this.#string(['Identity', 'ValidationExpression']),
      authorizationScopes: this.#strings(['AuthorizationScopes']),
      ttlSeconds: this.#ttl(DEFAULT_TTL_SECONDS.rest),
    };
  }

  #identity(): IdentitySources {
    return {
      headers: this.#strings(['Identity', 'Headers']),
      queryStrings: this.#strings(['Identity', 'QueryStrings']),
      stageVariables: this.#strings(['Identity', 'StageVariables']),
      context: this.#strings(['Identity', 'Context']),
    };
  }

  #ttl(fallback: number): number {
    const value = this.#value(['Identity', 'ReauthorizeEvery']);
    return value === undefined
      ? fallback
      : expectInteger(value, this.#path(['Identity', 'ReauthorizeEvery']), this.#diag, {
          min: 0,
          max: MAX_TTL_SECONDS,
        });
  }

  #value(keys: Path): unknown {
    return this.#properties.value([...this.#at, ...keys]);
  }

  #path(keys: Path): Path {
    return this.#properties.pathOf([...this.#at, ...keys]);
  }

  #string(keys: Path): string | undefined {
    const value = this.#value(keys);
    return value === undefined ? undefined : expectString(value, this.#path(keys), this.#diag);
  }

  #strings(keys: Path): string[] {
    const value = this.#value(keys);
    if (value === undefined) return [];
    if (!Array.isArray(value)) return [expectString(value, this.#path(keys), this.#diag)];
    return value.map((item, index) => expectString(item, this.#path([...keys, index]), this.#diag));
  }
}

/**
 * What protects a route made by an `Api` or `HttpApi` event: its own `Auth` over the API's. `Authorizer: NONE`
 * opens it; `AWS_IAM` is IAM authorization (an HTTP API needs `EnableIamAuthorizer`, which is not checked
 * here: deploying says so). `undefined` when nothing protects it.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-apifunctionauth.html
 */
export function readRouteAuth(
  properties: PropertyReader,
  api: ApiModel,
  diag: Diagnostics,
): RouteAuth | undefined {
  const at = (...keys: string[]): Path => ['Auth', ...keys];
  const named = properties.value(at('Authorizer'));
  const name =
    named === undefined
      ? api.auth?.defaultAuthorizer
      : expectString(named, properties.pathOf(at('Authorizer')), diag);
  const authorizer = authorizerNamed(api.auth, name);
  if (authorizer === undefined && name !== undefined && name !== NONE) {
    diag.fail(
      properties.pathOf(at('Authorizer')),
      `${name} is not an authorizer of ${api.logicalId} (${[...(api.auth?.authorizers.keys() ?? []), IAM, NONE].join(', ')})`,
    );
  }
  const scopesValue = properties.value(at('AuthorizationScopes'));
  const scopes =
    scopesValue === undefined
      ? scopesOf(authorizer)
      : (Array.isArray(scopesValue) ? scopesValue : [scopesValue]).map((scope, index) =>
          expectString(scope, properties.pathOf([...at('AuthorizationScopes'), index]), diag),
        );
  const keyValue = properties.value(at('ApiKeyRequired'));
  const apiKeyRequired =
    api.kind === 'rest' &&
    (keyValue === undefined
      ? (api.auth?.apiKeyRequired ?? false)
      : expectBoolean(keyValue, properties.pathOf(at('ApiKeyRequired')), diag));
  if (authorizer === undefined && !apiKeyRequired) return undefined;
  return { authorizer, scopes, apiKeyRequired };
}

/**
 * The authorizer on the OPTIONS method SAM generates for a REST API's `Cors`: the API's `DefaultAuthorizer`
 * unless `AddDefaultAuthorizerToCorsPreflight: false` (its API key is checked by the gateway's key check). HTTP
 * APIs answer preflights before any authorizer.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html
 */
export function preflightAuth(api: ApiModel): RouteAuth | undefined {
  const auth = api.auth;
  if (api.kind !== 'rest' || auth === undefined || !auth.addDefaultAuthorizerToCorsPreflight)
    return undefined;
  const authorizer = authorizerNamed(auth, auth.defaultAuthorizer);
  return authorizer === undefined ? undefined : { authorizer, scopes: [], apiKeyRequired: false };
}

/**
 * What protects a route that says nothing itself: the API's `DefaultAuthorizer` (with its scopes) and, on a REST
 * API, its `ApiKeyRequired`; `undefined` when that is nothing.
 */
export function defaultRouteAuth(auth: ApiAuthModel | undefined, kind: ApiKind): RouteAuth | undefined {
  const authorizer = authorizerNamed(auth, auth?.defaultAuthorizer);
  const apiKeyRequired = kind === 'rest' && (auth?.apiKeyRequired ?? false);
  if (authorizer === undefined && !apiKeyRequired) return undefined;
  return { authorizer, scopes: scopesOf(authorizer), apiKeyRequired };
}

/**
 * The authorizer an `Auth` names: one of its `Authorizers`, or IAM for `AWS_IAM`; `undefined` for `NONE`, no name,
 * or a name it does not have.
 */
export function authorizerNamed(
  auth: ApiAuthModel | undefined,
  name: string | undefined,
): RouteAuth['authorizer'] {
  if (name === IAM) return { kind: 'iam' };
  if (name === undefined || name === NONE) return undefined;
  return auth?.authorizers.get(name);
}

/** The scopes an authorizer requires of routes that give none of their own (JWT and Cognito have them). */
function scopesOf(authorizer: RouteAuth['authorizer']): readonly string[] {
  return authorizer !== undefined && 'authorizationScopes' in authorizer
    ? authorizer.authorizationScopes
    : [];
}
