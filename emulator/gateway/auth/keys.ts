import type { KeyObject } from 'node:crypto';
import type { LocalKey } from '../../local-issuer/key.ts';
import { isRecord } from '../../template/values.ts';
import { publicKeyOf } from './jwt.ts';

/** Which issuers trust the emulator's own key instead of their published one (`--jwt-issuer ISSUER=local`). */
export interface JwtTrust {
  /** Issuer URLs, or `*` for every issuer of the template. */
  readonly localIssuers: ReadonlySet<string>;
  /** Loaded on first use, so that a template without JWT routes never makes a key. */
  localKey(): LocalKey;
}

export const NO_LOCAL_ISSUERS: JwtTrust = {
  localIssuers: new Set(),
  localKey: () => {
    throw new Error('no issuer trusts the local key');
  },
};

/** The key a token names, or why there is none: no such `kid`, or the issuer's keys could not be had. */
export type KeyLookup =
  | { readonly found: KeyObject }
  | { readonly missing: string }
  | { readonly unreachable: string };

/**
 * "API Gateway can cache the public key for two hours"; a token naming a `kid` the cached set lacks makes it
 * fetch again (keys rotate), though not more than once a minute, so that tokens with made-up ids cannot make
 * the emulator hammer the issuer.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
const CACHE_MS = 2 * 60 * 60 * 1000;
const REFETCH_UNKNOWN_KID_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

interface CachedKeys {
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly fetchedAt: number;
}

/**
 * Each issuer's signing keys, found as API Gateway finds them: the OpenID discovery document at
 * `${issuer}/.well-known/openid-configuration` names the `jwks_uri`, whose RSA keys are kept by `kid`. An issuer
 * that trusts the local key never goes to the network.
 */
export class IssuerKeys {
  readonly #trust: JwtTrust;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedKeys>();
  readonly #pending = new Map<string, Promise<CachedKeys>>();

  constructor(trust: JwtTrust, now: () => number = Date.now) {
    this.#trust = trust;
    this.#now = now;
  }

  /** Whether this issuer's tokens are checked against the emulator's own key. */
  trustsLocalKey(issuer: string): boolean {
    return this.#trust.localIssuers.has(issuer) || this.#trust.localIssuers.has('*');
  }

  async key(issuer: string, kid: string): Promise<KeyLookup> {
    if (this.trustsLocalKey(issuer)) {
      const local = this.#trust.localKey();
      return local.kid === kid
        ? { found: local.publicKey }
        : { missing: `kid ${kid} is not the local issuer's key (${local.file})` };
    }
    let cached = this.#cache.get(issuer);
    const age = cached === undefined ? Number.POSITIVE_INFINITY : this.#now() - cached.fetchedAt;
    const stale = age > CACHE_MS || (!cached?.keys.has(kid) && age > REFETCH_UNKNOWN_KID_MS);
    if (stale) {
      try {
        cached = await this.#fetch(issuer);
      } catch (error) {
        if (cached === undefined)
          return { unreachable: error instanceof Error ? error.message : String(error) };
      }
    }
    const key = cached?.keys.get(kid);
    return key === undefined ? { missing: `the issuer's JWKS has no key ${kid}` } : { found: key };
  }

  #fetch(issuer: string): Promise<CachedKeys> {
    let pending = this.#pending.get(issuer);
    if (pending === undefined) {
      pending = fetchKeys(issuer)
        .then((keys) => {
          const cached = { keys, fetchedAt: this.#now() };
          this.#cache.set(issuer, cached);
          return cached;
        })
        .finally(() => this.#pending.delete(issuer));
      this.#pending.set(issuer, pending);
    }
    return pending;
  }
}

async function fetchKeys(issuer: string): Promise<Map<string, KeyObject>> {
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const discovery = await fetchJson(discoveryUrl);
  const jwksUri = isRecord(discovery) ? discovery.jwks_uri : undefined;
  if (typeof jwksUri !== 'string') throw new Error(`${discoveryUrl} names no jwks_uri`);
  const jwks = await fetchJson(jwksUri);
  const entries = isRecord(jwks) && Array.isArray(jwks.keys) ? jwks.keys : undefined;
  if (entries === undefined) throw new Error(`${jwksUri} is not a JWKS ({"keys": [...]})`);
  const keys = new Map<string, KeyObject>();
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry.kid !== 'string') continue;
    const key = publicKeyOf(entry);
    if (key !== undefined) keys.set(entry.kid, key);
  }
  return keys;
}

async function fetchJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(
      `${url} could not be fetched (${error instanceof Error ? error.message : error}${cause})`,
    );
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new Error(`${url} is not JSON`);
  }
}
