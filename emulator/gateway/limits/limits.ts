import type { QuotaModel, ThrottleModel } from '../../template/model.ts';
import { quotaPeriodStart } from './quota.ts';
import { type Clock, TokenBucket } from './token-bucket.ts';

/** The account's own limits, per Region, which apply to whatever a stage or plan leaves unset. */
export const ACCOUNT_RATE_LIMIT = 10_000;
export const ACCOUNT_BURST_LIMIT = 5_000;

// Buckets are few (one per throttled method and per key); this bound only stops a runaway of distinct ids.
const MAX_ENTRIES = 10_000;

/** Rate and burst once the levels are merged: the first that sets each wins, then the account's. */
export function effectiveThrottle(...levels: (ThrottleModel | undefined)[]): {
  rateLimit: number;
  burstLimit: number;
} {
  return {
    rateLimit: levels.find((level) => level?.rateLimit !== undefined)?.rateLimit ?? ACCOUNT_RATE_LIMIT,
    burstLimit: levels.find((level) => level?.burstLimit !== undefined)?.burstLimit ?? ACCOUNT_BURST_LIMIT,
  };
}

/**
 * The throttles' buckets and the quotas' counters of one gateway server, outliving requests and template
 * reloads. A bucket is found by what it limits and its settings, so a reload that changes a limit starts afresh.
 */
export class UsageLimits {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #quotas = new Map<string, { start: number; used: number }>();

  constructor(clock: Clock = Date.now) {
    this.#clock = clock;
  }

  /** Takes a token from the bucket of `id`: `false` when the request is throttled. */
  take(id: string, throttle: { rateLimit: number; burstLimit: number }): boolean {
    const key = `${id} ${throttle.rateLimit}/${throttle.burstLimit}`;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_ENTRIES) this.#buckets.clear();
      bucket = new TokenBucket(throttle.rateLimit, throttle.burstLimit, this.#clock);
      this.#buckets.set(key, bucket);
    }
    return bucket.take();
  }

  /** Counts one request against the quota of `id` in the current period: `false` once the limit is used up. */
  useQuota(id: string, quota: QuotaModel): boolean {
    const key = `${id} ${quota.limit}/${quota.period}/${quota.offset}`;
    const start = quotaPeriodStart(quota, this.#clock());
    let counter = this.#quotas.get(key);
    if (counter === undefined || counter.start !== start) {
      if (this.#quotas.size >= MAX_ENTRIES) this.#quotas.clear();
      counter = { start, used: 0 };
      this.#quotas.set(key, counter);
    }
    if (counter.used >= quota.limit) return false;
    counter.used += 1;
    return true;
  }
}
