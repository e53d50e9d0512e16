import { expect } from 'chai';
import {
  ACCOUNT_BURST_LIMIT,
  ACCOUNT_RATE_LIMIT,
  effectiveThrottle,
  UsageLimits,
} from '../../../../emulator/gateway/limits/limits.ts';
import { quotaPeriodStart } from '../../../../emulator/gateway/limits/quota.ts';
import type { QuotaModel } from '../../../../emulator/template/model.ts';

const at = (iso: string) => Date.parse(iso);

describe('usage limits: throttle buckets and quota counters', () => {
  it('a limit a level leaves unset comes from the level above, then from the account (10,000/s, burst 5,000)', () => {
    expect(
      effectiveThrottle({ rateLimit: 5, burstLimit: undefined }, { rateLimit: 50, burstLimit: 100 }),
    ).to.deep.equal({
      rateLimit: 5,
      burstLimit: 100,
    });
    expect(effectiveThrottle(undefined, { rateLimit: undefined, burstLimit: 7 })).to.deep.equal({
      rateLimit: ACCOUNT_RATE_LIMIT,
      burstLimit: 7,
    });
    expect(ACCOUNT_RATE_LIMIT).to.equal(10_000);
    expect(ACCOUNT_BURST_LIMIT).to.equal(5_000);
  });

  it('keeps one bucket per id, and a fresh one when the limits of that id change (a reload)', () => {
    const limits = new UsageLimits(() => 0);

    expect(limits.take('a', { rateLimit: 1, burstLimit: 1 })).to.equal(true);
    expect(limits.take('a', { rateLimit: 1, burstLimit: 1 })).to.equal(false);
    expect(limits.take('b', { rateLimit: 1, burstLimit: 1 })).to.equal(true);
    expect(limits.take('a', { rateLimit: 1, burstLimit: 2 })).to.equal(true);
  });

  it('a quota lets `limit` requests through per period, and starts again with the next period', () => {
    let now = at('2026-03-10T10:00:00Z');
    const limits = new UsageLimits(() => now);
    const quota: QuotaModel = { limit: 2, period: 'DAY', offset: 0 };

    const first = [limits.useQuota('k', quota), limits.useQuota('k', quota), limits.useQuota('k', quota)];
    now = at('2026-03-10T23:59:59Z');
    const sameDay = limits.useQuota('k', quota);
    now = at('2026-03-11T00:00:00Z');
    const nextDay = limits.useQuota('k', quota);

    expect(first).to.deep.equal([true, true, false]);
    expect(sameDay).to.equal(false);
    expect(nextDay).to.equal(true);
  });

  describe('quota periods start as QuotaSettings Offset says, in UTC', () => {
    it('DAY: at midnight UTC', () => {
      expect(quotaPeriodStart({ limit: 1, period: 'DAY', offset: 0 }, at('2026-03-10T15:30:00Z'))).to.equal(
        at('2026-03-10T00:00:00Z'),
      );
    });

    it('WEEK: Offset 0 starts weeks on Sunday, 1 on Monday', () => {
      // 2026-03-11 is a Wednesday.
      const wednesday = at('2026-03-11T12:00:00Z');

      expect(quotaPeriodStart({ limit: 1, period: 'WEEK', offset: 0 }, wednesday)).to.equal(
        at('2026-03-08T00:00:00Z'),
      );
      expect(quotaPeriodStart({ limit: 1, period: 'WEEK', offset: 1 }, wednesday)).to.equal(
        at('2026-03-09T00:00:00Z'),
      );
      expect(quotaPeriodStart({ limit: 1, period: 'WEEK', offset: 3 }, wednesday)).to.equal(
        at('2026-03-11T00:00:00Z'),
      );
    });

    it('MONTH: on day Offset + 1, in the month before until that day comes', () => {
      expect(quotaPeriodStart({ limit: 1, period: 'MONTH', offset: 0 }, at('2026-03-10T12:00:00Z'))).to.equal(
        at('2026-03-01T00:00:00Z'),
      );
      expect(
        quotaPeriodStart({ limit: 1, period: 'MONTH', offset: 14 }, at('2026-03-10T12:00:00Z')),
      ).to.equal(at('2026-02-15T00:00:00Z'));
      expect(
        quotaPeriodStart({ limit: 1, period: 'MONTH', offset: 14 }, at('2026-03-15T00:00:00Z')),
      ).to.equal(at('2026-03-15T00:00:00Z'));
    });
  });
});
