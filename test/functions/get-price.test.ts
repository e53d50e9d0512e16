import { createServer } from 'node:net';
import { expect } from 'chai';
import nock from 'nock';
import sinon from 'sinon';
import { handler } from '../../functions/get-price/handler.ts';
import { binance, TICKER_PATH, useFunctionEnv, useNock } from '../support/binance.ts';
import { jsonBody, loadEvent, withQuery } from '../support/events.ts';
import { type FakeBinance, startFakeBinance } from '../support/fake-binance.ts';

const PAYLOADS = [
  { title: 'REST API (payload 1.0)', file: 'get-price.json' },
  { title: 'HTTP API (payload 2.0)', file: 'get-price.v2.json' },
] as const;

const JSON_CORS = {
  'Content-Type': 'application/json',
  'Access-Control-Allow-Origin': 'https://app.example.com',
};
const ERROR_HEADERS = { ...JSON_CORS, 'Cache-Control': 'no-store' };

for (const payload of PAYLOADS) {
  describe(`get-price through the ${payload.title}`, () => {
    useNock();
    useFunctionEnv({
      BINANCE_API_URL: 'https://binance.test',
      BINANCE_TIMEOUT_MS: '200',
      ALLOWED_ORIGIN: 'https://app.example.com',
    });
    beforeEach(() => {
      sinon.stub(console, 'warn');
      sinon.stub(console, 'error');
    });
    afterEach(() => sinon.restore());

    const request = (...pairs: [string, string][]) => handler(withQuery(loadEvent(payload.file), pairs));

    it('answers one symbol with its price, keeping the exact string Binance sent', async () => {
      const scope = binance()
        .get(TICKER_PATH)
        .query({ symbol: 'BTCUSDT' })
        .reply(200, { symbol: 'BTCUSDT', price: '97000.12000000' });

      const result = await request(['symbol', 'BTCUSDT']);

      expect(result).to.deep.equal({
        statusCode: 200,
        headers: { ...JSON_CORS, 'Cache-Control': 'public, max-age=5' },
        body: '{"symbol":"BTCUSDT","price":"97000.12000000"}',
        isBase64Encoded: false,
      });
      expect(scope.isDone()).to.equal(true);
    });

    it('accepts a lower-case symbol and asks Binance for it upper-cased', async () => {
      const scope = binance()
        .get(TICKER_PATH)
        .query({ symbol: 'ETHUSDT' })
        .reply(200, { symbol: 'ETHUSDT', price: '3100.50000000' });

      const result = await request(['symbol', 'ethusdt']);

      expect(result.statusCode).to.equal(200);
      expect(jsonBody(result)).to.deep.equal({ symbol: 'ETHUSDT', price: '3100.50000000' });
      expect(scope.isDone()).to.equal(true);
    });

    it('answers a repeated symbol parameter with one upstream call and the prices in request order', async () => {
      // Binance may answer in its own order; the response follows the request.
      const scope = binance()
        .get(`${TICKER_PATH}?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`)
        .reply(200, [
          { symbol: 'BTCUSDT', price: '97000.12000000' },
          { symbol: 'ETHUSDT', price: '3100.50000000' },
        ]);

      const result = await request(['symbol', 'ETHUSDT'], ['symbol', 'BTCUSDT']);

      expect(result.statusCode).to.equal(200);
      expect(jsonBody(result)).to.deep.equal({
        prices: [
          { symbol: 'ETHUSDT', price: '3100.50000000' },
          { symbol: 'BTCUSDT', price: '97000.12000000' },
        ],
      });
      expect(scope.isDone()).to.equal(true);
    });

    it('answers a comma-separated symbols parameter, duplicates removed', async () => {
      const scope = binance()
        .get(TICKER_PATH)
        .query({ symbols: '["BTCUSDT","ETHUSDT","BNBUSDT"]' })
        .reply(200, [
          { symbol: 'BNBUSDT', price: '610.00000000' },
          { symbol: 'BTCUSDT', price: '97000.12000000' },
          { symbol: 'ETHUSDT', price: '3100.50000000' },
        ]);

      const result = await request(['symbols', 'BTCUSDT,ethusdt,BTCUSDT,BNBUSDT']);

      expect(jsonBody(result)).to.deep.equal({
        prices: [
          { symbol: 'BTCUSDT', price: '97000.12000000' },
          { symbol: 'ETHUSDT', price: '3100.50000000' },
          { symbol: 'BNBUSDT', price: '610.00000000' },
        ],
      });
      expect(scope.isDone()).to.equal(true);
    });

    it('answers symbols=ONE as a list, since the client asked for a list', async () => {
      const scope = binance()
        .get(TICKER_PATH)
        .query({ symbol: 'BTCUSDT' })
        .reply(200, { symbol: 'BTCUSDT', price: '97000.12000000' });

      const result = await request(['symbols', 'BTCUSDT']);

      expect(jsonBody(result)).to.deep.equal({ prices: [{ symbol: 'BTCUSDT', price: '97000.12000000' }] });
      expect(scope.isDone()).to.equal(true);
    });

    it('answers 400 without calling Binance when no symbol is given', async () => {
      const result = await request();

      expect(result).to.deep.equal({
        statusCode: 400,
        headers: ERROR_HEADERS,
        body: '{"error":"Symbol query parameter not defined"}',
        isBase64Encoded: false,
      });
    });

    it('answers 400 when the symbol parameter is empty', async () => {
      const result = await request(['symbol', '']);

      expect(result.statusCode).to.equal(400);
      expect(jsonBody(result)).to.deep.equal({ error: 'Symbol query parameter not defined' });
    });

    for (const bad of [
      'BTC-USD',
      'BTC&symbol=ETH',
      'BTC#x',
      'BTC%26',
      'BTCÜSDT',
      'ßTC',
      'B',
      'A'.repeat(21),
    ]) {
      it(`answers 400 without calling Binance for the invalid symbol ${JSON.stringify(bad)}`, async () => {
        // nock blocks every connection, so a call upstream would surface as a 502, not a 400.
        const result = await request(['symbol', bad]);

        expect(result.statusCode).to.equal(400);
        const body = jsonBody(result);
        expect(body).to.have.all.keys('error');
        expect(body)
          .to.have.property('error')
          .that.matches(/^Invalid symbol ".*": a symbol is 2 to 20 letters or digits/);
      });
    }

    it('answers 400 for more than 100 symbols without calling Binance', async () => {
      const symbols = Array.from({ length: 101 }, (_, i) => `SYM${i}`).join(',');

      const result = await request(['symbols', symbols]);

      expect(result.statusCode).to.equal(400);
      expect(jsonBody(result)).to.deep.equal({
        error: 'Too many symbols: 101 requested, at most 100 per request',
      });
    });

    it('accepts exactly 100 symbols in one upstream call', async () => {
      const symbols = Array.from({ length: 100 }, (_, i) => `SYM${i}`);
      const scope = binance()
        .get(TICKER_PATH)
        .query({ symbols: JSON.stringify(symbols) })
        .reply(
          200,
          symbols.map((symbol) => ({ symbol, price: '1.00000000' })),
        );

      const result = await request(['symbols', symbols.join(',')]);

      expect(result.statusCode).to.equal(200);
      expect(scope.isDone()).to.equal(true);
    });

    it('passes Binance\'s 400 message on as a 400: {"error":"Invalid symbol."}', async () => {
      const scope = binance()
        .get(TICKER_PATH)
        .query({ symbol: 'NOPEUSDT' })
        .reply(400, { code: -1121, msg: 'Invalid symbol.' });

      const result = await request(['symbol', 'NOPEUSDT']);

      expect(result).to.deep.equal({
        statusCode: 400,
        headers: ERROR_HEADERS,
        body: '{"error":"Invalid symbol."}',
        isBase64Encoded: false,
      });
      expect(scope.isDone()).to.equal(true);
    });

    for (const status of [429, 418]) {
      it(`answers Binance's ${status} with 503 and passes Retry-After on`, async () => {
        const scope = binance()
          .get(TICKER_PATH)
          .query({ symbol: 'BTCUSDT' })
          .reply(status, { code: -1003, msg: 'Too much request weight used' }, { 'Retry-After': '120' });

        const result = await request(['symbol', 'BTCUSDT']);

        expect(result.statusCode).to.equal(503);
        expect(result.headers).to.deep.equal({ ...ERROR_HEADERS, 'Retry-After': '120' });
        expect(jsonBody(result)).to.have.property('error').that.includes('try again in 120 s');
        expect(scope.isDone()).to.equal(true);
      });
    }

    it('answers 503 without Retry-After when Binance sends none', async () => {
      binance().get(TICKER_PATH).query({ symbol: 'BTCUSDT' }).reply(429, '');

      const result = await request(['symbol', 'BTCUSDT']);

      expect(result.statusCode).to.equal(503);
      expect(result.headers).to.not.have.property('Retry-After');
    });

    for (const [status, words] of [
      [451, 'refuses to serve this location (HTTP 451)'],
      [403, 'firewall refused the request (HTTP 403)'],
    ] as const) {
      it(`answers Binance's ${status} with 502 naming the refusal`, async () => {
        const scope = binance()
          .get(TICKER_PATH)
          .query({ symbol: 'BTCUSDT' })
          .reply(status, { code: 0, msg: 'no' });

        const result = await request(['symbol', 'BTCUSDT']);

        expect(result.statusCode).to.equal(502);
        expect(jsonBody(result)).to.have.property('error').that.includes(words);
        expect(scope.isDone()).to.equal(true);
      });
    }

    for (const status of [500, 502, 503]) {
      it(`answers Binance's ${status} with 502`, async () => {
        binance().get(TICKER_PATH).query({ symbol: 'BTCUSDT' }).reply(status, 'upstream trouble');

        const result = await request(['symbol', 'BTCUSDT']);

        expect(result.statusCode).to.equal(502);
        expect(jsonBody(result)).to.deep.equal({ error: `Binance failed (HTTP ${status})` });
      });
    }

    for (const [title, body] of [
      ['a body that is not JSON', '<html>maintenance</html>'],
      ['JSON of the wrong shape', '{"symbol":"BTCUSDT"}'],
      ['a price that is not a decimal string', '{"symbol":"BTCUSDT","price":97000.12}'],
    ] as const) {
      it(`answers 502 when Binance sends ${title}`, async () => {
        binance().get(TICKER_PATH).query({ symbol: 'BTCUSDT' }).reply(200, body);

        const result = await request(['symbol', 'BTCUSDT']);

        expect(result.statusCode).to.equal(502);
        expect(jsonBody(result)).to.have.all.keys('error');
      });
    }

    it('answers 502 when Binance leaves out a symbol that was asked for', async () => {
      binance()
        .get(TICKER_PATH)
        .query({ symbols: '["BTCUSDT","ETHUSDT"]' })
        .reply(200, [{ symbol: 'BTCUSDT', price: '1.0' }]);

      const result = await request(['symbols', 'BTCUSDT,ETHUSDT']);

      expect(result.statusCode).to.equal(502);
      expect(jsonBody(result)).to.deep.equal({ error: 'Binance sent no price for ETHUSDT' });
    });

    it('answers 502 when the connection is reset', async () => {
      binance()
        .get(TICKER_PATH)
        .query({ symbol: 'BTCUSDT' })
        .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

      const result = await request(['symbol', 'BTCUSDT']);

      expect(result.statusCode).to.equal(502);
      expect(jsonBody(result)).to.deep.equal({ error: 'Could not reach Binance' });
    });

    it('answers 502 when Binance sends more than a megabyte', async () => {
      binance()
        .get(TICKER_PATH)
        .query({ symbol: 'BTCUSDT' })
        .reply(200, `[${'{"symbol":"X","price":"1"},'.repeat(50_000)}]`);

      const result = await request(['symbol', 'BTCUSDT']);

      expect(result.statusCode).to.equal(502);
      expect(jsonBody(result)).to.deep.equal({ error: 'Binance sent an unexpectedly large response' });
    });

    it('never puts a stack trace or an internal message in an error body', async () => {
      binance()
        .get(TICKER_PATH)
        .query({ symbol: 'BTCUSDT' })
        .replyWithError(new Error('connect ECONNREFUSED 10.0.0.1:443 at internal/secret.js:1:1'));

      const result = await request(['symbol', 'BTCUSDT']);

      expect(result.body).to.not.match(/ECONNREFUSED|secret|\bat\b/);
    });
  });
}

describe('get-price against a slow Binance on 127.0.0.1', () => {
  let fake: FakeBinance;
  const saved = { ...process.env };
  before(async () => {
    fake = await startFakeBinance();
  });
  after(() => fake.close());
  beforeEach(() => {
    process.env.BINANCE_API_URL = fake.url;
    process.env.BINANCE_TIMEOUT_MS = '150';
    sinon.stub(console, 'error');
  });
  afterEach(() => {
    process.env = { ...saved };
    fake.respondWith(undefined);
    sinon.restore();
  });

  const request = () => handler(withQuery(loadEvent('get-price.json'), [['symbol', 'BTCUSDT']]));

  it('answers 504 when Binance sends no headers within BINANCE_TIMEOUT_MS', async () => {
    fake.respondWith(() => {});

    const result = await request();

    expect(result.statusCode).to.equal(504);
    expect(jsonBody(result)).to.deep.equal({ error: 'Binance did not answer within 150 ms' });
  });

  it('answers 504 when Binance sends headers and then stalls in the body', async () => {
    fake.respondWith((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"symbol":"BTC');
    });

    const result = await request();

    expect(result.statusCode).to.equal(504);
  });

  it('answers 502 when Binance closes the connection mid-body', async () => {
    fake.respondWith((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"symbol":"BTC');
      setTimeout(() => request.socket.destroy(), 10);
    });

    const result = await request();

    expect(result.statusCode).to.equal(502);
    expect(jsonBody(result)).to.deep.equal({ error: 'Could not reach Binance' });
  });

  it('answers 502 when nothing listens at BINANCE_API_URL', async () => {
    process.env.BINANCE_API_URL = 'http://127.0.0.1:9';

    const result = await request();

    expect(result.statusCode).to.equal(502);
  });
});

describe('get-price logs which upstream it could not reach', () => {
  useNock();
  useFunctionEnv({ BINANCE_API_URL: 'https://binance.test', BINANCE_TIMEOUT_MS: '500' });
  let logged: sinon.SinonStub;
  beforeEach(() => {
    logged = sinon.stub(console, 'error');
  });
  afterEach(() => sinon.restore());

  const request = () => handler(withQuery(loadEvent('get-price.json'), [['symbol', 'BTCUSDT']]));

  it('names the URL tried and the network code in the log, and keeps the body to "Could not reach Binance"', async () => {
    const scope = binance()
      .get(TICKER_PATH)
      .query({ symbol: 'BTCUSDT' })
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
      );

    const result = await request();

    expect(scope.isDone()).to.equal(true);
    expect(result.statusCode).to.equal(502);
    expect(jsonBody(result)).to.deep.equal({ error: 'Could not reach Binance' });
    expect(logged.callCount).to.equal(1);
    const record = logged.firstCall.args[0];
    expect(record).to.deep.include({
      msg: 'Request failed',
      statusCode: 502,
      error: 'Could not reach Binance',
    });
    expect(record.cause).to.match(
      /^could not reach https:\/\/binance\.test\/api\/v3\/ticker\/price: ECONNREFUSED \(the upstream is BINANCE_API_URL; locally, set it with -n env\.json/,
    );
  });

  it('names a closed port on 127.0.0.1 as ECONNREFUSED, as a real socket reports it', async () => {
    nock.enableNetConnect('127.0.0.1');
    const closed = await closedPort();
    process.env.BINANCE_API_URL = `http://127.0.0.1:${closed}`;

    const result = await request();

    expect(result.statusCode).to.equal(502);
    expect(logged.firstCall.args[0].cause).to.include(
      `could not reach http://127.0.0.1:${closed}/api/v3/ticker/price: ECONNREFUSED`,
    );
  });
});

/** A port nothing listens on: one the OS just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  return address.port;
}
