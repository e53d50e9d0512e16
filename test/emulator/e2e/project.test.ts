import { expect } from 'chai';
import { PROJECT_TEMPLATE, startTestApi, type TestApi } from '../../support/emulator.ts';
import { type FakeBinance, startFakeBinance } from '../../support/fake-binance.ts';
import { request } from '../../support/http.ts';

describe("the project's template served by the emulator, against a fake Binance on 127.0.0.1", () => {
  let binance: FakeBinance;
  let api: TestApi;
  before(async () => {
    binance = await startFakeBinance();
    api = await startTestApi(PROJECT_TEMPLATE, { envVars: { Parameters: { BINANCE_API_URL: binance.url } } });
  });
  after(async () => {
    await api?.close();
    await binance?.close();
  });

  it('GET /price?symbol=BTCUSDT answers the price through the REST API', async () => {
    const response = await request(`${api.url}/price?symbol=btcusdt`);

    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.equal('application/json');
    expect(response.headers['access-control-allow-origin']).to.equal('*');
    expect(response.headers['cache-control']).to.equal('public, max-age=5');
    expect(response.headers['x-amzn-requestid']).to.match(/^[0-9a-f-]{36}$/);
    expect(response.json()).to.deep.equal({ symbol: 'BTCUSDT', price: '97000.12000000' });
    expect(binance.requests.at(-1)).to.equal('/api/v3/ticker/price?symbol=BTCUSDT');
  });

  it('GET /Prod/price answers the same under the REST stage, as execute-api does', async () => {
    const response = await request(`${api.url}/Prod/price?symbol=ETHUSDT`);

    expect(response.status).to.equal(200);
    expect(response.json()).to.deep.equal({ symbol: 'ETHUSDT', price: '3100.50000000' });
  });

  it('several symbols make one upstream call with symbols=[…]', async () => {
    const before = binance.requests.length;

    const response = await request(`${api.url}/price?symbol=ETHUSDT&symbol=BTCUSDT`);

    expect(response.json()).to.deep.equal({
      prices: [
        { symbol: 'ETHUSDT', price: '3100.50000000' },
        { symbol: 'BTCUSDT', price: '97000.12000000' },
      ],
    });
    expect(binance.requests.slice(before)).to.deep.equal([
      `/api/v3/ticker/price?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`,
    ]);
  });

  it("passes Binance's invalid-symbol answer on as 400", async () => {
    const response = await request(`${api.url}/price?symbol=NOPEUSDT`);

    expect(response.status).to.equal(400);
    expect(response.json()).to.deep.equal({ error: 'Invalid symbol.' });
  });

  it('GET /price without a symbol answers 400', async () => {
    const response = await request(`${api.url}/price`);

    expect(response.status).to.equal(400);
    expect(response.json()).to.deep.equal({ error: 'Symbol query parameter not defined' });
  });

  it('POST /multiply answers {"result":36} through the HTTP API', async () => {
    const response = await request(`${api.url}/multiply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":12,"b":3}',
    });

    expect(response.status).to.equal(200);
    expect(response.headers['apigw-requestid']).to.match(/^[A-Za-z0-9+/=]{16}$/);
    expect(response.json()).to.deep.equal({ result: 36 });
  });

  it('POST /multiply with strings answers 400', async () => {
    const response = await request(`${api.url}/multiply`, { method: 'POST', body: '{"a":"12","b":3}' });

    expect(response.status).to.equal(400);
    expect(response.json()).to.deep.equal({ error: 'One or both of the values are not a number' });
  });

  it('GET /multiply has no route: the HTTP API answers 404 Not Found', async () => {
    const response = await request(`${api.url}/multiply`);

    expect(response.status).to.equal(404);
    expect(response.json()).to.deep.equal({ message: 'Not Found' });
  });

  it("answers the REST API's CORS preflight with SAM's mock integration", async () => {
    const response = await request(`${api.url}/price`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });

    expect(response.status).to.equal(200);
    expect(response.headers['access-control-allow-origin']).to.equal('*');
    expect(response.headers['access-control-allow-methods']).to.equal('GET,OPTIONS');
    expect(response.headers['access-control-allow-headers']).to.equal('Content-Type');
    expect(response.headers['access-control-max-age']).to.equal('600');
  });

  it("answers the HTTP API's CORS preflight from its CorsConfiguration", async () => {
    const response = await request(`${api.url}/multiply`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

    expect(response.status).to.equal(204);
    expect(response.headers['access-control-allow-origin']).to.equal('*');
    expect(response.headers['access-control-allow-methods']).to.include('POST');
    expect(response.headers['access-control-max-age']).to.equal('600');
  });

  it('the ticker is not routed: the schedule, not the API, runs it', async () => {
    expect(api.app().model.schedules.map((s) => [s.functionId, s.expression])).to.deep.equal([
      ['PriceTickerFunction', 'rate(5 minutes)'],
    ]);
  });
});
