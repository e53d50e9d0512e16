/** Milliseconds from some fixed point: `Date.now` in the gateway, a fake in tests. */
export type Clock = () => number;

/**
 * API Gateway's throttle: a bucket of `capacity` (the burst limit) tokens, full at first, refilled continuously at
 * `rate` tokens per second; each request takes one token or, finding none, is throttled.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export class TokenBucket {
  readonly rate: number;
  readonly capacity: number;
  readonly #clock: Clock;
  #tokens: number;
  #updated: number;

  constructor(rate: number, capacity: number, clock: Clock) {
    this.rate = rate;
    this.capacity = capacity;
    this.#clock = clock;
    this.#tokens = capacity;
    this.#updated = clock();
  }

  /** Takes a token if there is one: `true` lets the request through, `false` throttles it. */
  take(): boolean {
    const now = this.#clock();
    // A clock that steps back (a fake one, or the wall clock being set) must not drain the bucket.
    const elapsed = Math.max(0, now - this.#updated) / 1000;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.rate);
    this.#updated = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
