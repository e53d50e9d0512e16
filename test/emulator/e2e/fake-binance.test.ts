import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Serving, startServing, stopServing } from '../../support/cli.ts';
import { request } from '../../support/http.ts';

describe('npm run local -- fake-binance, the offline upstream of the README', function () {
  this.timeout(30_000);
  let upstream: Serving | undefined;
  let emulator: Serving | undefined;
  let folder: string;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'fake-binance-'));
    upstream = await startServing(['fake-binance', '-p', '0'], {
      bundled: true,
      ready: /Fake Binance on (http:\/\/\S+)/,
    });
  });
  after(async () => {
    await stopServing(emulator);
    await stopServing(upstream);
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers like Binance, with prices that change over time', async () => {
    const url = `${upstream?.url}/api/v3/ticker/price?symbol=BTCUSDT`;
    const first = await request(url);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await request(url);
    const unknown = await request(`${upstream?.url}/api/v3/ticker/price?symbol=NOPEUSDT`);

    expect(first.status).to.equal(200);
    expect(first.json())
      .to.have.property('price')
      .that.matches(/^\d+\.\d{8}$/);
    expect(second.json()).to.not.deep.equal(first.json());
    expect({ status: unknown.status, body: unknown.json() }).to.deep.equal({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
  });

  it("the README's env.json example, pointed at it, makes GET /price answer 200 with its price", async () => {
    const envFile = join(folder, 'env.json');
    writeFileSync(envFile, JSON.stringify({ Parameters: { BINANCE_API_URL: upstream?.url } }));
    emulator = await startServing(
      [
        'start',
        '-n',
        envFile,
        '-p',
        '0',
        '--lambda-port',
        '0',
        '--web-port',
        '0',
        '--no-watch',
        '--no-schedules',
      ],
      { bundled: true },
    );

    const response = await request(`${emulator.url}/price?symbol=ETHUSDT`);

    expect(response.status, response.text()).to.equal(200);
    expect(response.json()).to.have.property('symbol', 'ETHUSDT');
    expect(Number(/"price":"([\d.]+)"/.exec(response.text())?.[1])).to.be.within(3000, 3200);
    expect(upstream?.output()).to.include('GET /api/v3/ticker/price?symbol=ETHUSDT 200');
  });
});
