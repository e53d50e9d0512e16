import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import sinon from 'sinon';
import { handler as getPrice } from '../../functions/get-price/handler.ts';
import { handler as multiply } from '../../functions/multiply/handler.ts';
import { handler as priceTicker } from '../../functions/price-ticker/handler.ts';
import { binance, TICKER_PATH, useFunctionEnv, useNock } from '../support/binance.ts';
import { jsonBody, loadEvent } from '../support/events.ts';

const BTC = { symbol: 'BTCUSDT', price: '97000.12000000' };
const ETH = { symbol: 'ETHUSDT', price: '3100.50000000' };

/** What each file in events/ produces, as the README documents it. */
const DOCUMENTED: Record<string, () => Promise<void>> = {
  'get-price.json': async () => {
    binance().get(TICKER_PATH).query({ symbol: 'BTCUSDT' }).reply(200, BTC);
    const result = await getPrice(loadEvent('get-price.json'));
    expect(result.statusCode).to.equal(200);
    expect(jsonBody(result)).to.deep.equal(BTC);
  },
  'get-price.v2.json': async () => {
    binance().get(TICKER_PATH).query({ symbol: 'BTCUSDT' }).reply(200, BTC);
    const result = await getPrice(loadEvent('get-price.v2.json'));
    expect(result.statusCode).to.equal(200);
    expect(jsonBody(result)).to.deep.equal(BTC);
  },
  'get-price-multi.json': async () => {
    binance().get(TICKER_PATH).query({ symbols: '["BTCUSDT","ETHUSDT"]' }).reply(200, [ETH, BTC]);
    const result = await getPrice(loadEvent('get-price-multi.json'));
    expect(result.statusCode).to.equal(200);
    expect(jsonBody(result)).to.deep.equal({ prices: [BTC, ETH] });
  },
  'get-price-missing-symbol.json': async () => {
    const result = await getPrice(loadEvent('get-price-missing-symbol.json'));
    expect(result.statusCode).to.equal(400);
    expect(jsonBody(result)).to.deep.equal({ error: 'Symbol query parameter not defined' });
  },
  'multiply.json': async () => {
    const result = await multiply(loadEvent('multiply.json'));
    expect(result.statusCode).to.equal(200);
    expect(jsonBody(result)).to.deep.equal({ result: 36 });
  },
  'multiply.v1.json': async () => {
    const result = await multiply(loadEvent('multiply.v1.json'));
    expect(result.statusCode).to.equal(200);
    expect(jsonBody(result)).to.deep.equal({ result: 36 });
  },
  'multiply-invalid.json': async () => {
    const result = await multiply(loadEvent('multiply-invalid.json'));
    expect(result.statusCode).to.equal(400);
    expect(jsonBody(result)).to.deep.equal({ error: 'One or both of the values are not a number' });
  },
  'price-ticker.json': async () => {
    binance().get(TICKER_PATH).query({ symbol: 'BTCUSDT' }).reply(200, BTC);
    expect(await priceTicker(loadEvent('price-ticker.json'))).to.deep.equal({ prices: [BTC] });
  },
};

describe('events/', () => {
  useNock();
  useFunctionEnv({ BINANCE_API_URL: 'https://binance.test', TICKER_SYMBOLS: 'BTCUSDT' });
  beforeEach(() => {
    sinon.stub(console, 'info');
    sinon.stub(console, 'warn');
    sinon.stub(process.stdout, 'write').returns(true);
  });
  afterEach(() => sinon.restore());

  it('has a documented result for every file', () => {
    const files = readdirSync(new URL('../../events/', import.meta.url)).filter((name) =>
      name.endsWith('.json'),
    );
    expect(files.sort()).to.deep.equal(Object.keys(DOCUMENTED).sort());
  });

  for (const [file, check] of Object.entries(DOCUMENTED)) {
    it(`${file} produces its documented result`, check);
  }
});

describe('events/ follow the captured AWS payloads', () => {
  // The reference captures live in ../shared beside the clone (as in CI); without them these tests skip.
  const captured = (name: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(
        readFileSync(new URL(`../../../shared/captured-events/${name}`, import.meta.url), 'utf8'),
      );
    } catch {
      return undefined;
    }
  };

  for (const [ours, theirs] of [
    ['get-price.json', 'rest-v1-no-auth.json'],
    ['get-price-missing-symbol.json', 'rest-v1-no-auth.json'],
    ['multiply.v1.json', 'rest-v1-no-auth.json'],
    ['get-price.v2.json', 'http-v2-no-auth.json'],
    ['multiply.json', 'http-v2-no-auth.json'],
  ] as const) {
    it(`${ours} has the keys and value types of ${theirs}`, function () {
      const reference = captured(theirs);
      if (reference === undefined) return this.skip();
      const event = loadEvent(ours);
      expect(shapeOf(event.requestContext, ['authorizer'])).to.deep.equal(
        shapeOf(reference.requestContext, ['authorizer']),
      );
      for (const key of Object.keys(reference)) {
        if (key === 'body' || key.endsWith('ueryStringParameters') || key === 'rawQueryString') continue;
        expect(event, key).to.have.property(key);
        expect(typeof event[key], key).to.equal(typeof reference[key]);
      }
    });
  }

  it('price-ticker.json is a Scheduled Event envelope', () => {
    const event = loadEvent('price-ticker.json');
    expect(event).to.include({ 'detail-type': 'Scheduled Event', source: 'aws.events', version: '0' });
    expect(event.detail).to.deep.equal({});
    expect(event.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

/** Keys and value types, recursively: what a handler relies on, without the values. */
function shapeOf(value: unknown, ignore: readonly string[] = []): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return value === null ? 'null' : typeof value;
  const shape: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (!ignore.includes(key)) shape[key] = shapeOf(child);
  return shape;
}
