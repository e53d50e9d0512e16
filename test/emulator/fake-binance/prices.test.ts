import { expect } from 'chai';
import { fixedPrices, movingPrices } from '../../../emulator/fake-binance/prices.ts';

describe('the fake upstream’s prices', () => {
  it('moving prices change over time and stay within 1% of where the pair trades', () => {
    let now = Date.UTC(2026, 0, 1);
    const prices = movingPrices(() => now);
    const seen = new Set<string>();
    for (let second = 0; second < 120; second++) {
      now += 1000;
      const price = prices.priceOf('BTCUSDT');
      expect(price).to.match(/^\d+\.\d{8}$/);
      expect(Math.abs(Number(price) / 97_000 - 1)).to.be.below(0.01);
      seen.add(price ?? '');
    }
    expect(seen.size).to.be.above(100);
  });

  it('moving prices agree for the same instant and differ between pairs', () => {
    const now = () => 1_700_000_000_000;
    const prices = movingPrices(now);

    expect(movingPrices(now).priceOf('ETHUSDT')).to.equal(prices.priceOf('ETHUSDT'));
    expect(prices.priceOf('ETHUSDT')).to.not.equal(prices.priceOf('BTCUSDT'));
  });

  it('moving prices round a sub-dollar pair to 8 decimals and know nothing of an unlisted symbol', () => {
    const prices = movingPrices(() => 0);

    expect(Number(prices.priceOf('DOGEUSDT'))).to.be.within(0.3, 0.34);
    expect(prices.priceOf('NOPEUSDT')).to.equal(undefined);
    expect(prices.priceOf('constructor')).to.equal(undefined);
    expect(prices.symbols()).to.include.members(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
  });

  it('fixed prices answer exactly the table, and nothing inherited from Object', () => {
    const prices = fixedPrices({ BTCUSDT: '1.00000000' });

    expect(prices.priceOf('BTCUSDT')).to.equal('1.00000000');
    expect(prices.priceOf('toString')).to.equal(undefined);
    expect(prices.symbols()).to.deep.equal(['BTCUSDT']);
  });
});
