import { expect } from 'chai';
import sinon from 'sinon';
import { handler } from '../../functions/price-ticker/handler.ts';
import { priceMetricRecord } from '../../functions/price-ticker/metrics.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import { binance, TICKER_PATH, useFunctionEnv, useNock } from '../support/binance.ts';
import { jsonBody, loadEvent } from '../support/events.ts';

const PRICES = [
  { symbol: 'BTCUSDT', price: '97000.12000000' },
  { symbol: 'ETHUSDT', price: '3100.50000000' },
];

describe('price-ticker on its schedule', () => {
  useNock();
  useFunctionEnv({
    BINANCE_API_URL: 'https://binance.test',
    TICKER_SYMBOLS: 'BTCUSDT,ethusdt',
    METRICS_NAMESPACE: 'binance-price-sam',
  });
  let stdout: sinon.SinonStub;
  let info: sinon.SinonStub;
  beforeEach(() => {
    stdout = sinon.stub(process.stdout, 'write').returns(true);
    info = sinon.stub(console, 'info');
    sinon.stub(console, 'error');
  });
  afterEach(() => sinon.restore());

  it('fetches TICKER_SYMBOLS in one upstream call and returns {"prices":[…]}', async () => {
    const scope = binance().get(TICKER_PATH).query({ symbols: '["BTCUSDT","ETHUSDT"]' }).reply(200, PRICES);

    const result = await handler(loadEvent('price-ticker.json'));

    expect(result).to.deep.equal({ prices: PRICES });
    expect(scope.isDone()).to.equal(true);
  });

  it('writes one Embedded Metric Format line per symbol to stdout: metric Price, dimension Symbol', async () => {
    binance().get(TICKER_PATH).query(true).reply(200, PRICES);
    const clock = sinon.useFakeTimers({ now: 1_794_907_800_000, toFake: ['Date'] });

    await handler(loadEvent('price-ticker.json'));
    clock.restore();

    expect(stdout.callCount).to.equal(1);
    const lines = String(stdout.firstCall.args[0])
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).to.deep.equal(
      PRICES.map(({ symbol, price }) => ({
        _aws: {
          Timestamp: 1_794_907_800_000,
          CloudWatchMetrics: [
            {
              Namespace: 'binance-price-sam',
              Dimensions: [['Symbol']],
              Metrics: [{ Name: 'Price', Unit: 'None' }],
            },
          ],
        },
        Symbol: symbol,
        Price: Number(price),
      })),
    );
  });

  it('logs one structured record with the prices', async () => {
    binance().get(TICKER_PATH).query(true).reply(200, PRICES);

    await handler(loadEvent('price-ticker.json'));

    expect(info.callCount).to.equal(1);
    expect(info.firstCall.args).to.deep.equal([{ msg: 'Prices fetched', prices: PRICES }]);
  });

  it('throws when Binance fails, so that Lambda retries the scheduled run and counts an error', async () => {
    binance().get(TICKER_PATH).query(true).reply(500, 'down');

    const failure = await handler(loadEvent('price-ticker.json')).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).to.be.instanceOf(HttpError);
    expect(failure).to.have.property('message', 'Binance failed (HTTP 500)');
    expect(stdout.called).to.equal(false);
  });

  it('answers over HTTP when it is wired to an API', async () => {
    binance().get(TICKER_PATH).query(true).reply(200, PRICES);

    const result = await handler(loadEvent('get-price.v2.json'));

    expect(result).to.have.property('statusCode', 200);
    expect(jsonBody(result)).to.deep.equal({ prices: PRICES });
  });
});

describe('price metric record', () => {
  it('carries the price as a number, since CloudWatch metric values are numbers', () => {
    const record = JSON.parse(priceMetricRecord('ns', { symbol: 'BTCUSDT', price: '97000.12000000' }, 1));

    expect(record.Price).to.equal(97000.12);
    expect(record._aws.CloudWatchMetrics[0].Namespace).to.equal('ns');
  });
});
