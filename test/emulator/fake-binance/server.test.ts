import { expect } from 'chai';
import { FAKE_PRICES, type FakeBinance, startFakeBinance } from '../../../emulator/fake-binance/server.ts';
import { request } from '../../support/http.ts';

const JSON_TYPE = 'application/json;charset=UTF-8';

describe('the fake Binance upstream answers GET /api/v3/ticker/price as Binance documents it', () => {
  let fake: FakeBinance;
  const logged: string[] = [];
  before(async () => {
    fake = await startFakeBinance({ log: (line) => logged.push(line) });
  });
  after(() => fake?.close());

  async function ask(query: string) {
    const response = await request(`${fake.url}/api/v3/ticker/price${query}`);
    return { status: response.status, type: response.headers['content-type'], body: response.json() };
  }

  it('answers one symbol with {symbol, price}', async () => {
    expect(await ask('?symbol=BTCUSDT')).to.deep.equal({
      status: 200,
      type: JSON_TYPE,
      body: { symbol: 'BTCUSDT', price: '97000.12000000' },
    });
  });

  it('answers a JSON symbols list in the order asked', async () => {
    expect(await ask(`?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`)).to.deep.equal({
      status: 200,
      type: JSON_TYPE,
      body: [
        { symbol: 'ETHUSDT', price: '3100.50000000' },
        { symbol: 'BTCUSDT', price: '97000.12000000' },
      ],
    });
  });

  it('answers every symbol it lists when neither parameter is given', async () => {
    const { body } = await ask('');
    expect(body).to.deep.equal(Object.entries(FAKE_PRICES).map(([symbol, price]) => ({ symbol, price })));
  });

  it('answers an unknown symbol, alone or in a list, with 400 and code -1121', async () => {
    const invalid = { status: 400, type: JSON_TYPE, body: { code: -1121, msg: 'Invalid symbol.' } };
    expect(await ask('?symbol=NOPEUSDT')).to.deep.equal(invalid);
    expect(await ask(`?symbols=${encodeURIComponent('["BTCUSDT","NOPEUSDT"]')}`)).to.deep.equal(invalid);
  });

  it('answers illegal characters with 400 and code -1100, naming the parameter', async () => {
    const lower = await ask('?symbol=btcusdt');
    const notJson = await ask('?symbols=BTCUSDT,ETHUSDT');

    expect(lower).to.deep.equal({
      status: 400,
      type: JSON_TYPE,
      body: {
        code: -1100,
        msg: "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
      },
    });
    expect(notJson.status).to.equal(400);
    expect(notJson.body).to.deep.include({ code: -1100 });
    expect(JSON.stringify(notJson.body)).to.include("parameter 'symbols'");
  });

  it('answers symbol and symbols together with 400 and code -1128, and an empty one with -1105', async () => {
    expect(await ask(`?symbol=BTCUSDT&symbols=${encodeURIComponent('["ETHUSDT"]')}`)).to.deep.equal({
      status: 400,
      type: JSON_TYPE,
      body: { code: -1128, msg: 'Combination of optional parameters invalid.' },
    });
    expect((await ask('?symbol=')).body).to.deep.equal({ code: -1105, msg: "Parameter 'symbol' was empty." });
  });

  it('logs one line per request with its status', async () => {
    await ask('?symbol=ETHUSDT');
    expect(logged).to.include('GET /api/v3/ticker/price?symbol=ETHUSDT 200');
  });
});
