import { randomUUID, sign } from 'node:crypto';
import { cognitoIssuer } from '../gateway/auth/jwt-authorizer.ts';
import type { AppModel } from '../template/model.ts';
import type { LocalKey } from './key.ts';

export interface TokenRequest {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: readonly string[];
  readonly scopes: readonly string[];
  readonly expiresInSeconds: number;
  /** Further claims, over the ones above. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly nowSeconds?: number;
}

/**
 * A JWT signed RS256 with the local key: `iss`, `sub`, `aud` (one string, or a list for several), `scope`
 * (space-separated, as OAuth 2.0 access tokens carry it), `iat`, `exp`, `jti`. For a Cognito issuer it also says
 * `token_use` as Cognito does (`access` with scopes, else `id`), since a Cognito authorizer checks it.
 */
export function signToken(key: LocalKey, request: TokenRequest): string {
  const now = request.nowSeconds ?? Math.floor(Date.now() / 1000);
  const { audience, scopes } = request;
  const payload: Record<string, unknown> = {
    iss: request.issuer,
    sub: request.subject,
    ...(audience.length === 0 ? {} : { aud: audience.length === 1 ? audience[0] : [...audience] }),
    ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
    ...(isCognitoIssuer(request.issuer) ? { token_use: scopes.length === 0 ? 'id' : 'access' } : {}),
    iat: now,
    exp: now + request.expiresInSeconds,
    jti: randomUUID(),
    ...request.claims,
  };
  return signClaims(key, payload);
}

/** Any payload signed with the local key (for tests that need claims `signToken` would not write). */
export function signClaims(key: LocalKey, payload: Readonly<Record<string, unknown>>): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function isCognitoIssuer(issuer: string): boolean {
  return /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\//.test(issuer);
}

/** `30s`, `15m`, `1h`, `7d` or a number of seconds; `undefined` when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

/** `--claim k=v`: the value as JSON when it parses (numbers, booleans, lists), else the text itself. */
export function parseClaim(text: string): [string, unknown] | undefined {
  const equals = text.indexOf('=');
  if (equals <= 0) return undefined;
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Plain text: `--claim email=alice@example.com`.
  }
  return [text.slice(0, equals), value];
}

/** The issuers a token can be for: each JWT authorizer's (with its audiences) and each Cognito pool's. */
export function templateIssuers(model: AppModel): { issuer: string; audience: string[] }[] {
  const issuers: { issuer: string; audience: string[] }[] = [];
  for (const api of model.apis.values()) {
    for (const authorizer of api.auth?.authorizers.values() ?? []) {
      if (authorizer.kind === 'jwt')
        issuers.push({ issuer: authorizer.issuer, audience: [...authorizer.audience].slice(0, 1) });
      if (authorizer.kind === 'cognito') {
        for (const arn of authorizer.userPoolArns) {
          const issuer = cognitoIssuer(arn);
          if (issuer !== undefined) issuers.push({ issuer, audience: [] });
        }
      }
    }
  }
  return issuers;
}
