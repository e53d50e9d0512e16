import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { PROJECT_TEMPLATE, startTestApi, type TestApi } from '../support/emulator.ts';
import { type FakeBinance, type Respond, startFakeBinance } from '../support/fake-binance.ts';
import { request } from '../support/http.ts';

const TIMEOUT_MS = 300;
const TICKER_EVENT = readFileSync(new URL('../../events/price-ticker.json', import.meta.url));

interface UpstreamFault {
  /** What Binance does, in words. */
  readonly does: string;
  readonly respond: Respond;
  /** What README's error table says /price answers. */
  readonly status: number;
  readonly error: string;
  readonly retryAfter?: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Respond => {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
};

const FAULTS: readonly UpstreamFault[] = [
  {
    does: `answers later than BINANCE_TIMEOUT_MS (${TIMEOUT_MS} ms)`,
    respond: (_request, response) => {
      setTimeout(() => json(200, { symbol: 'BTCUSDT', price: '1.00' })(_request, response), 3 * TIMEOUT_MS);
    },
    status: 504,
    error: `Binance did not answer within ${TIMEOUT_MS} ms`,
  },
  {
    does: 'fails with 500',
    respond: json(500, '<html>Internal Server Error</html>'),
    status: 502,
    error: 'Binance failed (HTTP 500)',
  },
  {
    does: 'rate-limits with 429 and Retry-After: 7',
    respond: json(429, { code: -1003, msg: 'Too much request weight used' }, { 'Retry-After': '7' }),
    status: 503,
    error: 'Binance rate limit reached: try again in 7 s',
    retryAfter: '7',
  },
  {
    does: 'bans the IP with 418 and Retry-After: 120',
    respond: json(
      418,
      { code: -1003, msg: 'Way too much request weight used; IP banned' },
      { 'Retry-After': '120' },
    ),
    status: 503,
    error: 'Binance has banned this IP address for sending too many requests: try again in 120 s',
    retryAfter: '120',
  },
  {
    does: 'refuses the location with 451',
    respond: json(451, {
      code: 0,
      msg: "Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms.",
    }),
    status: 502,
    error: 'Binance refuses to serve this location (HTTP 451): use https://data-api.binance.vision',
  },
  {
    does: 'answers 200 with a body that is not JSON',
    respond: json(200, '<html><body>captive portal</body></html>'),
    status: 502,
    error: 'Binance sent a response that is not JSON',
  },
  {
    does: 'resets the connection in the middle of the body',
    respond: (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('[{"symbol":"BTCUSDT","pri');
      setTimeout(() => response.socket?.destroy(), 20);
    },
    status: 502,
    error: 'Could not reach Binance',
  },
  {
    does: 'answers 200 with a 3 MB body',
    respond: (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const item = '{"symbol":"BTCUSDT","price":"1.00000000"},';
      for (let sent = 0; sent < 3 * 1024 * 1024; sent += 64 * 1024) response.write(item.repeat(1600));
      response.end('{"symbol":"BTCUSDT","price":"1.00000000"}]');
    },
    status: 502,
    error: 'Binance sent an unexpectedly large response',
  },
];

describe('Binance failing, through the emulator: /price over the REST API and the ticker over the Invoke endpoint', function () {
  this.timeout(30_000);
  let binance: FakeBinance;
  let api: TestApi;

  /** Binance is well again, and so is the emulator: the next request gets its price. */
  async function expectRecovered(): Promise<void> {
    binance.respondWith(undefined);
    const response = await request(`${api.url}/price?symbol=ETHUSDT`);
    expect(response.status).to.equal(200);
    expect(response.json()).to.deep.equal({ symbol: 'ETHUSDT', price: '3100.50000000' });
  }

  before(async () => {
    binance = await startFakeBinance();
    api = await startTestApi(PROJECT_TEMPLATE, {
      envVars: { Parameters: { BINANCE_API_URL: binance.url, BINANCE_TIMEOUT_MS: String(TIMEOUT_MS) } },
      lambda: true,
    });
  });
  after(async () => {
    await api?.close();
    await binance?.close();
  });

  for (const fault of FAULTS) {
    it(`GET /price when Binance ${fault.does}: ${fault.status} {"error": "${fault.error}"}`, async () => {
      binance.respondWith(fault.respond);

      const response = await request(`${api.url}/price?symbol=BTCUSDT`);

      expect(response.status).to.equal(fault.status);
      expect(response.json()).to.deep.equal({ error: fault.error });
      expect(response.headers['cache-control']).to.equal('no-store');
      expect(response.headers['access-control-allow-origin']).to.equal('*');
      expect(response.headers['retry-after']).to.equal(fault.retryAfter);
      await expectRecovered();
    });
  }

  for (const fault of FAULTS) {
    it(`the scheduled ticker when Binance ${fault.does}: a function error saying so, for Lambda to retry`, async () => {
      binance.respondWith(fault.respond);

      const response = await request(
        `${api.lambdaUrl}/2015-03-31/functions/PriceTickerFunction/invocations`,
        {
          method: 'POST',
          body: TICKER_EVENT,
        },
      );

      expect(response.status).to.equal(200);
      expect(response.headers['x-amz-function-error']).to.equal('Unhandled');
      expect(response.json()).to.deep.include({ errorType: 'HttpError', errorMessage: fault.error });
      await expectRecovered();
    });
  }
});
