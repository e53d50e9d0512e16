import { constants, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { isRecord } from '../../template/values.ts';

/** A compact JWS split and decoded, its signature not yet checked. */
export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `header.payload` as sent: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/**
 * The signing algorithms API Gateway accepts: "only RSA-based algorithms are supported" (HTTP API JWT
 * authorizers), i.e. RSASSA-PKCS1-v1_5 (RS*) and RSASSA-PSS (PS*) with SHA-2; never `none`, HMAC or EC.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
const ALGORITHMS: Readonly<Record<string, { readonly hash: string; readonly pss: boolean }>> = {
  RS256: { hash: 'sha256', pss: false },
  RS384: { hash: 'sha384', pss: false },
  RS512: { hash: 'sha512', pss: false },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
};

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The token's three parts decoded, or why it is not a JWT at all. */
export function decodeJwt(token: string): DecodedJwt | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'the token is not a JWT (header.payload.signature)';
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  // Canonical base64url only: a last character whose unused bits differ decodes to the same bytes, and a token
  // that is not the one its issuer wrote must not pass for it.
  const canonical = (part: string) =>
    BASE64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
  if (![headerPart, payloadPart, signaturePart].every(canonical)) return 'the token is not base64url';
  const header = parseJson(headerPart);
  const payload = parseJson(payloadPart);
  if (header === undefined) return 'the token header is not a JSON object';
  if (payload === undefined) return 'the token payload is not a JSON object';
  return {
    header,
    payload,
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The `alg` of the header when it is one API Gateway verifies, else why not. */
export function supportedAlgorithm(jwt: DecodedJwt): string | { readonly unsupported: string } {
  const alg = jwt.header.alg;
  if (typeof alg === 'string' && ALGORITHMS[alg] !== undefined) return alg;
  return {
    unsupported: `the token's alg ${JSON.stringify(alg)} is not an RSA algorithm API Gateway accepts`,
  };
}

/** A public key from a JWKS entry (RSA only), or `undefined` when it is not one that can verify. */
export function publicKeyOf(jwk: Readonly<Record<string, unknown>>): KeyObject | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  try {
    return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** Whether the signature is the key's over `header.payload` with the header's algorithm. */
export function signatureMatches(jwt: DecodedJwt, alg: string, key: KeyObject): boolean {
  const algorithm = ALGORITHMS[alg];
  if (algorithm === undefined) return false;
  try {
    return verify(
      algorithm.hash,
      Buffer.from(jwt.signingInput),
      algorithm.pss
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : key,
      jwt.signature,
    );
  } catch {
    return false;
  }
}

/** Why a signed token's claims do not pass, in API Gateway's words where it has any (`www-authenticate`). */
export type ClaimFailure = TimeFailure | 'issuer' | 'audience';
export type TimeFailure = 'expired' | 'not-yet-valid' | 'issued-in-future' | 'no-expiry';

/**
 * The time claims as API Gateway checks them: `exp` must be after now, `nbf` and `iat` before it (seconds, UTC);
 * no clock skew is documented, so none is allowed. A token without `exp` never expires, which API Gateway does
 * not accept either.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
export function checkTimes(
  payload: Readonly<Record<string, unknown>>,
  nowSeconds: number,
): TimeFailure | undefined {
  const { exp, nbf, iat } = payload;
  if (typeof exp !== 'number') return 'no-expiry';
  if (exp <= nowSeconds) return 'expired';
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) return 'not-yet-valid';
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds)) return 'issued-in-future';
  return undefined;
}

/**
 * `aud`, or `client_id` only when there is no `aud`, must be one of the audiences (a list `aud` matches when any
 * entry does).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 */
export function audienceMatches(
  payload: Readonly<Record<string, unknown>>,
  audience: readonly string[],
): boolean {
  const claimed = payload.aud !== undefined ? payload.aud : payload.client_id;
  const values = Array.isArray(claimed) ? claimed : [claimed];
  return values.some((value) => typeof value === 'string' && audience.includes(value));
}

/** The token's scopes: `scope` (space-separated, OAuth 2.0) or `scp` (a list or a string, as Okta and Azure send). */
export function tokenScopes(payload: Readonly<Record<string, unknown>>): string[] {
  const scopes: string[] = [];
  for (const claim of [payload.scope, payload.scp]) {
    if (typeof claim === 'string') scopes.push(...claim.split(' ').filter((scope) => scope !== ''));
    else if (Array.isArray(claim)) scopes.push(...claim.filter((scope) => typeof scope === 'string'));
  }
  return scopes;
}

/** The token in an `Authorization`-style value: the value itself, or what follows `Bearer ` (any case, RFC 6750). */
export function bearerToken(value: string): string {
  const match = /^bearer +(.*)$/i.exec(value.trim());
  return (match?.[1] ?? value).trim();
}
