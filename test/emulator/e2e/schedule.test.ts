import { expect } from 'chai';
import { App } from '../../../emulator/app.ts';
import { parseEnvVars } from '../../../emulator/config.ts';
import { AsyncInvoker } from '../../../emulator/invoke/async.ts';
import { Scheduler } from '../../../emulator/schedule/scheduler.ts';
import { captureLog, PROJECT_TEMPLATE } from '../../support/emulator.ts';
import { type FakeBinance, startFakeBinance } from '../../support/fake-binance.ts';
import { at, FakeClock } from '../schedule/helpers.ts';

describe("the project's schedule fires the price ticker (scheduler → async invoker → worker)", function () {
  this.timeout(20_000);
  let binance: FakeBinance;
  let app: App;
  let invoker: AsyncInvoker;
  const log = captureLog();

  before(async () => {
    binance = await startFakeBinance();
    const envVars = parseEnvVars(
      JSON.stringify({
        Parameters: { BINANCE_API_URL: binance.url },
        PriceTickerFunction: { TICKER_SYMBOLS: 'BTCUSDT,ETHUSDT' },
      }),
      'env.json',
    );
    app = await App.load({
      templatePath: PROJECT_TEMPLATE,
      parameterOverrides: {},
      envVars,
      watch: false,
      log,
    });
    invoker = new AsyncInvoker({ app: () => app, log, retryDelayScale: 0.001 });
  });
  after(async () => {
    await invoker?.stop();
    await app?.close();
    await binance?.close();
  });

  it('runs the ticker at rate(5 minutes) with a Scheduled Event, fetching prices and writing EMF lines', async () => {
    const clock = new FakeClock(at('2026-11-21T10:40:00Z'));
    const results: unknown[] = [];
    invoker.onSettled((result) => results.push(result));
    const scheduler = new Scheduler({
      app: app.model,
      clock,
      log,
      invokeAsync: (functionId, event) => {
        invoker.invokeAsync(functionId, event);
      },
    });
    scheduler.start();

    clock.advanceTo(at('2026-11-21T10:45:00Z'));
    await invoker.idle();
    scheduler.stop();

    expect(results).to.have.length(1);
    expect(results[0]).to.include({ functionId: 'PriceTickerFunction', status: 'succeeded', attempts: 1 });
    expect(binance.requests).to.deep.equal([
      `/api/v3/ticker/price?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT"]')}`,
    ]);
    const metrics = log.lines.function
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line));
    expect(metrics.map((record) => [record.Symbol, record.Price])).to.deep.equal([
      ['BTCUSDT', 97000.12],
      ['ETHUSDT', 3100.5],
    ]);
  });

  it('retries a failing run as Lambda does (2 retries by EventInvokeConfig), then gives up', async () => {
    binance.respondWith((_, response) => {
      response.writeHead(500);
      response.end('down');
    });
    const results: unknown[] = [];
    const unsubscribe = invoker.onSettled((result) => results.push(result));
    const before = binance.requests.length;

    invoker.invokeAsync('PriceTickerFunction', { source: 'aws.events', 'detail-type': 'Scheduled Event' });
    await invoker.idle();
    unsubscribe();
    binance.respondWith(undefined);

    expect(results).to.have.length(1);
    expect(results[0]).to.include({ status: 'failed', attempts: 3 });
    expect(binance.requests.length - before).to.equal(3);
    expect(log.lines.error.at(-1)).to.match(
      /; Lambda would now send its record to PriceTickerFailureQueue \(SQS, on-failure destination\), not sent locally$/,
    );
  });

  it('says at start that the failure queue is stood in for by the log, not that it is missing', () => {
    const screen = log.lines.info.join('\n');

    expect(screen).not.to.include('Not emulated');
    expect(screen).to.include(
      "Asynchronous destinations (what Lambda would send them is logged):\n  AWS::SQS::Queue PriceTickerFailureQueue (PriceTickerFunction's on-failure destination)",
    );
  });
});
