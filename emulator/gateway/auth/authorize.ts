import type { SigningCredentials } from '../../function-url/sigv4.ts';
import type { Logger } from '../../log.ts';
import type { RouteAuth } from '../../template/model.ts';
import type { EventContext } from '../events.ts';
import type { GatewayRequest } from '../request.ts';
import type { GatewayResponse } from '../responses.ts';
import type { RouteMatch } from '../router.ts';
import type { Invocation } from '../server.ts';
import { AuthorizerCache } from './cache.ts';
import { authorizeWithIam } from './iam.ts';
import { authorizeWithCognito, authorizeWithJwt } from './jwt-authorizer.ts';
import { IssuerKeys, type JwtTrust, NO_LOCAL_ISSUERS } from './keys.ts';
import { authorizeWithLambda, type LambdaAnswer } from './lambda.ts';

/** The request being authorized, with what its events are built from. */
export interface AuthorizationInput {
  readonly request: GatewayRequest;
  readonly match: RouteMatch;
  readonly auth: RouteAuth;
  readonly context: EventContext;
  readonly region: string;
}

/** What authorizers need of the emulator: running an authorizer function, logging, a cache that outlives requests. */
export interface AuthorizationServices {
  invoke(functionId: string, event: unknown): Promise<Invocation>;
  readonly log: Logger;
  readonly lambdaCache: AuthorizerCache<LambdaAnswer>;
  /** What `AWS_IAM` signatures are checked against; without them, IAM-protected routes refuse every request. */
  readonly credentials: SigningCredentials | undefined;
  /** Epoch milliseconds, for signature windows and token expiry; injected so tests control the clock. */
  now(): number;
  /** JWT and Cognito authorizers: each issuer's keys (fetched and cached, or the local key). */
  readonly issuerKeys: IssuerKeys;
  /** The clock `exp`, `nbf` and `iat` are checked against, in seconds. */
  nowSeconds(): number;
}

/** Let through, with what the integration's event then carries; or stopped, with API Gateway's answer. */
export type AuthorizationOutcome =
  | {
      readonly allowed: true;
      readonly authorizer?: EventContext['authorizer'];
      readonly identity?: EventContext['identity'];
      /** REST: the API key a Lambda authorizer names for usage plans (`usageIdentifierKey`). */
      readonly usageIdentifierKey?: string;
    }
  | {
      readonly allowed: false;
      readonly response: GatewayResponse;
      /** For the emulator's log only: API Gateway never tells the client why. */
      readonly reason: string;
    };

export function newAuthorizationServices(
  invoke: AuthorizationServices['invoke'],
  log: Logger,
  options: { credentials?: SigningCredentials; jwtTrust?: JwtTrust } = {},
): AuthorizationServices {
  return {
    invoke,
    log,
    lambdaCache: new AuthorizerCache(),
    credentials: options.credentials,
    now: Date.now,
    issuerKeys: new IssuerKeys(options.jwtTrust ?? NO_LOCAL_ISSUERS),
    nowSeconds: () => Math.floor(Date.now() / 1000),
  };
}

/**
 * Runs the route's authorizer as API Gateway does before the integration.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
 */
export async function authorize(
  input: AuthorizationInput,
  services: AuthorizationServices,
): Promise<AuthorizationOutcome> {
  const authorizer = input.auth.authorizer;
  if (authorizer === undefined) return { allowed: true };
  switch (authorizer.kind) {
    case 'lambda':
      return authorizeWithLambda(authorizer, input, services);
    case 'iam':
      return authorizeWithIam(input, services.credentials, services.now());
    case 'jwt':
      return authorizeWithJwt(authorizer, input, services);
    case 'cognito':
      return authorizeWithCognito(authorizer, input, services);
  }
}
