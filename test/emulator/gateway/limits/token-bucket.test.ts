import { expect } from 'chai';
import { TokenBucket } from '../../../../emulator/gateway/limits/token-bucket.ts';

/** A clock the test moves by hand, in milliseconds. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

const takeAll = (bucket: TokenBucket, count: number) =>
  Array.from({ length: count }, () => bucket.take()).filter(Boolean).length;

describe('the token bucket API Gateway throttles with', () => {
  it('starts full: a burst of its capacity passes at once, the next request is throttled', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(5, 10, clock.now);

    expect(takeAll(bucket, 10)).to.equal(10);
    expect(bucket.take()).to.equal(false);
  });

  it('refills at the rate: after 1 s at 5 per second, 5 more requests pass', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(5, 10, clock.now);
    takeAll(bucket, 10);

    clock.advance(1000);

    expect(takeAll(bucket, 10)).to.equal(5);
  });

  it('counts fractions of a token: at 2 per second, a token is back after 500 ms and not before', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 1, clock.now);
    bucket.take();

    clock.advance(499);
    expect(bucket.take()).to.equal(false);
    clock.advance(1);
    expect(bucket.take()).to.equal(true);
  });

  it('never holds more than its capacity, however long it was idle', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(100, 3, clock.now);

    clock.advance(60_000);

    expect(takeAll(bucket, 10)).to.equal(3);
  });

  it('at twice its rate for a long run, lets through the burst plus the rate times the time', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(5, 5, clock.now);
    let allowed = 0;

    for (let i = 0; i < 200; i += 1) {
      if (bucket.take()) allowed += 1;
      clock.advance(100);
    }

    // 200 requests over 19.9 s: 5 + 5 x 19.9 = 104.5.
    expect(allowed).to.equal(104);
  });

  it('a burst limit of 0 throttles everything', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1000, 0, clock.now);
    clock.advance(10_000);

    expect(bucket.take()).to.equal(false);
  });

  it('a clock that steps back does not take tokens away', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 2, clock.now);
    bucket.take();

    clock.advance(-5000);

    expect(bucket.take()).to.equal(true);
    expect(bucket.take()).to.equal(false);
  });
});
