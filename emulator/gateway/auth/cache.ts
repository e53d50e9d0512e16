/**
 * Authorizer results cached per identity for the authorizer's TTL (`ReauthorizeEvery`), as API Gateway caches
 * them. Keyed by the authorizer object itself: a template reload makes new ones, so nothing cached under the
 * old configuration survives it. Bounded, oldest first out, so that a client sending a fresh token on every
 * request cannot grow it without end.
 */
export class AuthorizerCache<T> {
  readonly #entries = new WeakMap<object, Map<string, { readonly value: T; readonly expiresAt: number }>>();
  readonly #limit: number;
  readonly #now: () => number;

  constructor(options: { limit?: number; now?: () => number } = {}) {
    this.#limit = options.limit ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  get(authorizer: object, key: string): T | undefined {
    const entries = this.#entries.get(authorizer);
    const entry = entries?.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.#now()) return entry.value;
    entries?.delete(key);
    return undefined;
  }

  set(authorizer: object, key: string, value: T, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    let entries = this.#entries.get(authorizer);
    if (entries === undefined) {
      entries = new Map();
      this.#entries.set(authorizer, entries);
    }
    entries.delete(key);
    entries.set(key, { value, expiresAt: this.#now() + ttlSeconds * 1000 });
    if (entries.size > this.#limit) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
  }
}
