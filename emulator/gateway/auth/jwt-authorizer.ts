import { cliCommand } from '../../command.ts';
import type { CognitoAuthorizerModel, JwtAuthorizerModel } from '../../template/model.ts';
import { parseQuery } from '../decoding.ts';
import { type GatewayRequest, headerValue } from '../request.ts';
import type { GatewayResponse } from '../responses.ts';
import type { AuthorizationInput, AuthorizationOutcome, AuthorizationServices } from './authorize.ts';
import {
  audienceMatches,
  bearerToken,
  type ClaimFailure,
  checkTimes,
  decodeJwt,
  signatureMatches,
  supportedAlgorithm,
  type TimeFailure,
  tokenScopes,
} from './jwt.ts';
import type { IssuerKeys } from './keys.ts';
import { authorizerFailure, refusals, unauthorized } from './responses.ts';

/** A token whose signature, issuer and times passed; or why not, and whether it was the issuer's keys at fault. */
type Verified =
  | { readonly ok: true; readonly payload: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly failure: ClaimFailure | 'invalid'; readonly reason: string }
  | { readonly ok: false; readonly failure: 'unreachable'; readonly reason: string };

/**
 * The steps both JWT and Cognito authorizers take: decode, an RSA `alg`, a `kid` found among the keys of the
 * token's issuer (which must be one the authorizer trusts), the signature, then `exp`/`nbf`/`iat`.
 */
async function verifyToken(
  token: string,
  issuers: readonly string[],
  keys: IssuerKeys,
  nowSeconds: number,
): Promise<Verified> {
  const jwt = decodeJwt(token);
  if (typeof jwt === 'string') return { ok: false, failure: 'invalid', reason: jwt };
  const alg = supportedAlgorithm(jwt);
  if (typeof alg !== 'string') return { ok: false, failure: 'invalid', reason: alg.unsupported };
  const { kid } = jwt.header;
  if (typeof kid !== 'string')
    return { ok: false, failure: 'invalid', reason: 'the token header has no kid' };
  const issuer = jwt.payload.iss;
  // The issuer is checked before any key is fetched, so that a token cannot send the emulator to a URL of its own.
  if (typeof issuer !== 'string' || !issuers.includes(issuer)) {
    return {
      ok: false,
      failure: 'issuer',
      reason: `iss ${JSON.stringify(issuer)} is not ${issuers.join(' or ')}`,
    };
  }
  const lookup = await keys.key(issuer, kid);
  if ('unreachable' in lookup) return { ok: false, failure: 'unreachable', reason: lookup.unreachable };
  if ('missing' in lookup) return { ok: false, failure: 'invalid', reason: lookup.missing };
  if (!signatureMatches(jwt, alg, lookup.found)) {
    return { ok: false, failure: 'invalid', reason: `the signature is not ${issuer}'s key ${kid}` };
  }
  const times = checkTimes(jwt.payload, nowSeconds);
  if (times !== undefined) return { ok: false, failure: times, reason: TIME_REASONS[times] };
  return { ok: true, payload: jwt.payload };
}

const TIME_REASONS: Readonly<Record<TimeFailure, string>> = {
  expired: 'the token has expired (exp)',
  'not-yet-valid': 'the token is not valid yet (nbf)',
  'issued-in-future': 'the token was issued in the future (iat)',
  'no-expiry': 'the token has no exp',
};

/**
 * An HTTP API JWT authorizer: the token from `IdentitySource` (alone or after `Bearer `), verified against the
 * issuer's JWKS, `iss`, `aud` (or `client_id`), `exp`/`nbf`/`iat`; failures are 401 `{"message":"Unauthorized"}`
 * with a `www-authenticate: Bearer … error="invalid_token"` header. When the route names scopes, the token
 * must carry one of them in `scope` or `scp`, else 403 `{"message":"Forbidden"}` with
 * `error="insufficient_scope"`. The claims reach the integration as `requestContext.authorizer.jwt` (payload
 * 2.0) or `requestContext.authorizer` (1.0), every value a string as API Gateway sends them.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 */
export async function authorizeWithJwt(
  authorizer: JwtAuthorizerModel,
  input: AuthorizationInput,
  services: AuthorizationServices,
): Promise<AuthorizationOutcome> {
  const denied = refusals(`JWT authorizer ${authorizer.name}`);
  const source = identityValue(authorizer.identitySource, input.request);
  if (source === undefined || source.trim() === '') {
    return denied(unauthorized('http'), `no token in ${authorizer.identitySource}`);
  }
  const verified = await verifyToken(
    bearerToken(source),
    [authorizer.issuer],
    services.issuerKeys,
    services.nowSeconds(),
  );
  if (!verified.ok) {
    if (verified.failure === 'unreachable') {
      return denied(
        authorizerFailure('http'),
        `the keys of ${authorizer.issuer} could not be fetched: ${verified.reason}; offline, start with ` +
          `--jwt-issuer ${authorizer.issuer}=local and sign tokens with ${cliCommand().join(' ')} token`,
      );
    }
    return denied(invalidToken(DESCRIPTIONS[verified.failure]), verified.reason);
  }
  const { payload } = verified;
  if (authorizer.audience.length > 0 && !audienceMatches(payload, authorizer.audience)) {
    return denied(
      invalidToken(DESCRIPTIONS.audience),
      `neither aud nor client_id is one of ${authorizer.audience.join(', ')}`,
    );
  }
  const scopes = input.auth.scopes;
  const granted = tokenScopes(payload);
  if (scopes.length > 0 && !scopes.some((scope) => granted.includes(scope))) {
    return denied(insufficientScope(scopes), `the token has none of the scopes ${scopes.join(', ')}`);
  }
  const claims = httpClaims(payload);
  // `scopes` is null on a route that requires none, as API Gateway sends it, whatever the token carries.
  const eventScopes = scopes.length > 0 ? granted : null;
  return {
    allowed: true,
    authorizer:
      input.match.route.payloadVersion === '2.0'
        ? { jwt: { claims, scopes: eventScopes } }
        : { claims, scopes: eventScopes },
  };
}

/**
 * The `error_description` of `www-authenticate`: API Gateway documents only the audience one; the others are in
 * the same words for the other checks it documents.
 */
const DESCRIPTIONS: Readonly<Record<ClaimFailure | 'invalid', string>> = {
  invalid: 'the token is not valid',
  expired: 'the token has expired',
  'not-yet-valid': 'the token is not valid yet',
  'issued-in-future': 'the token was issued in the future',
  'no-expiry': 'the token has no expiry',
  issuer: 'the token does not have a valid issuer',
  audience: 'the token does not have a valid audience',
};

function invalidToken(description: string): GatewayResponse {
  return withHeader(
    unauthorized('http'),
    `Bearer scope="" error="invalid_token" error_description="${description}"`,
  );
}

function insufficientScope(scopes: readonly string[]): GatewayResponse {
  return withHeader(
    {
      statusCode: 403,
      headers: [['content-type', 'application/json']],
      body: Buffer.from('{"message":"Forbidden"}'),
    },
    `Bearer scope="${scopes.join(' ')}" error="insufficient_scope" error_description="the token does not have the required scope"`,
  );
}

function withHeader(response: GatewayResponse, value: string): GatewayResponse {
  return { ...response, headers: [...response.headers, ['www-authenticate', value]] };
}

/** `$request.header.Name` or `$request.querystring.name`, the identity sources a JWT authorizer can read. */
function identityValue(source: string, request: GatewayRequest): string | undefined {
  const header = /^\$request\.header\.(.+)$/i.exec(source)?.[1];
  if (header !== undefined) return headerValue(request, header.toLowerCase());
  const query = /^\$request\.querystring\.(.+)$/i.exec(source)?.[1];
  if (query !== undefined) return parseQuery(request.rawQuery).findLast(([key]) => key === query)?.[1];
  return undefined;
}

/**
 * Claims as HTTP APIs pass them: every value a string, numbers and booleans in their JSON text, lists in the
 * brackets-and-spaces form API Gateway prints them in (`[admin users]`), objects as JSON.
 */
function httpClaims(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.map(text).join(' ')}]`;
    return JSON.stringify(value) ?? '';
  };
  return Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, text(value)]));
}

/**
 * A REST Cognito user pool authorizer: the token from `Identity.Header` (alone or after `Bearer `), matching
 * `ValidationExpression` when there is one, signed by one of the pools (issuer
 * `https://cognito-idp.<region>.amazonaws.com/<poolId>` from each `UserPoolArn`) and not expired. A method
 * without scopes takes an ID token (`token_use` `id`); one with scopes takes an access token carrying one of
 * them. Every failure is 401 `{"message":"Unauthorized"}`, but an expired token, which AWS answers
 * `{"message":"The incoming token has expired"}`. The claims reach the integration as
 * `requestContext.authorizer.claims`, strings all. A token of the wrong kind for the method is a 401 (re:Post's
 * troubleshooting of Cognito 401s); AWS documents no other status for a missing scope, so it is a 401 too.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
 * https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
 */
export async function authorizeWithCognito(
  authorizer: CognitoAuthorizerModel,
  input: AuthorizationInput,
  services: AuthorizationServices,
): Promise<AuthorizationOutcome> {
  const denied = refusals(`Cognito authorizer ${authorizer.name}`);
  const value = headerValue(input.request, authorizer.header.toLowerCase());
  if (value === undefined || value.trim() === '') {
    return denied(unauthorized('rest'), `no ${authorizer.header} header`);
  }
  if (
    authorizer.validationExpression !== undefined &&
    !new RegExp(`^(?:${authorizer.validationExpression})$`).test(value)
  ) {
    return denied(
      unauthorized('rest'),
      `the ${authorizer.header} header does not match the ValidationExpression`,
    );
  }
  const issuers = authorizer.userPoolArns.map(cognitoIssuer);
  const trusted = issuers.filter((issuer): issuer is string => issuer !== undefined);
  // A pool ARN that does not resolve locally (an import, say) names no issuer: only `--jwt-issuer '*=local'` can
  // stand in, and then the token's own issuer is taken, its signature still checked against the local key.
  if (trusted.length === 0 && services.issuerKeys.trustsLocalKey('*'))
    trusted.push(...tokenIssuer(bearerToken(value)));
  if (trusted.length === 0) {
    return denied(
      authorizerFailure('rest'),
      `no UserPoolArn names a pool (${authorizer.userPoolArns.join(', ') || 'empty'}); start with --jwt-issuer '*=local'`,
    );
  }
  const verified = await verifyToken(bearerToken(value), trusted, services.issuerKeys, services.nowSeconds());
  if (!verified.ok) {
    if (verified.failure === 'unreachable') {
      return denied(
        authorizerFailure('rest'),
        `the pool's keys could not be fetched: ${verified.reason}; offline, start with --jwt-issuer ISSUER=local`,
      );
    }
    const response =
      verified.failure === 'expired'
        ? restUnauthorized('{"message":"The incoming token has expired"}')
        : unauthorized('rest');
    return denied(response, verified.reason);
  }
  const { payload } = verified;
  const scopes = input.auth.scopes;
  if (scopes.length === 0) {
    if (payload.token_use !== 'id') {
      return denied(
        unauthorized('rest'),
        `token_use is ${JSON.stringify(payload.token_use)}: a method without scopes takes an ID token`,
      );
    }
  } else {
    if (payload.token_use !== 'access') {
      return denied(
        unauthorized('rest'),
        `token_use is ${JSON.stringify(payload.token_use)}: a method with scopes takes an access token`,
      );
    }
    const granted = tokenScopes(payload);
    if (!scopes.some((scope) => granted.includes(scope))) {
      return denied(unauthorized('rest'), `the token has none of the scopes ${scopes.join(', ')}`);
    }
  }
  return { allowed: true, authorizer: { claims: restClaims(payload) } };
}

/** `arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>` → the pool's issuer URL. */
export function cognitoIssuer(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d*:userpool\/([\w-]+)$/.exec(arn);
  return match === null ? undefined : `https://cognito-idp.${match[1]}.amazonaws.com/${match[2]}`;
}

function tokenIssuer(token: string): string[] {
  const jwt = decodeJwt(token);
  const issuer = typeof jwt === 'string' ? undefined : jwt.payload.iss;
  return typeof issuer === 'string' ? [issuer] : [];
}

function restUnauthorized(body: string): GatewayResponse {
  return { ...unauthorized('rest'), body: Buffer.from(body) };
}

/**
 * Claims as REST APIs pass them: strings, `exp` and `iat` in the Java date form API Gateway writes
 * (`Mon Jan 01 00:00:00 UTC 2024`), lists joined with commas.
 */
function restClaims(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const text = (name: string, value: unknown): string => {
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') return javaDate(value);
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((item) => text('', item)).join(',');
    return JSON.stringify(value) ?? '';
  };
  return Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, text(name, value)]));
}

function javaDate(seconds: number): string {
  // toUTCString: "Mon, 01 Jan 2024 00:00:00 GMT" → "Mon Jan 01 00:00:00 UTC 2024".
  const [weekday, day, month, year, time] = new Date(seconds * 1000)
    .toUTCString()
    .replace(',', '')
    .split(' ');
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}

/**
 * One line for the route table's protection column: `JWT OAuth (https://issuer/, scopes a b)` or
 * `Cognito Pool (eu-west-1_abc, scopes orders/read)`, with `, local key` when `--jwt-issuer` trusts it.
 */
export function describeTokenAuthorizer(
  authorizer: JwtAuthorizerModel | CognitoAuthorizerModel,
  scopes: readonly string[],
  trustsLocalKey: (issuer: string) => boolean = () => false,
): string {
  const issuers =
    authorizer.kind === 'jwt'
      ? [authorizer.issuer]
      : authorizer.userPoolArns.map((arn) => cognitoIssuer(arn) ?? arn);
  const named =
    authorizer.kind === 'jwt' ? issuers : issuers.map((issuer) => issuer.slice(issuer.lastIndexOf('/') + 1));
  const details = [
    named.join(', ') || 'no pool',
    ...(scopes.length > 0 ? [`scopes ${scopes.join(' ')}`] : []),
    ...(issuers.some(trustsLocalKey) || trustsLocalKey('*') ? ['local key'] : []),
  ];
  return `${authorizer.kind === 'jwt' ? 'JWT' : 'Cognito'} ${authorizer.name} (${details.join(', ')})`;
}
