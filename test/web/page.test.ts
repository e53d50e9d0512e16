import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { emulatorWebConfig, type RunningWebServer, startWebServer } from '../../emulator/web.ts';
import { captureLog, PROJECT_TEMPLATE, startTestApi, type TestApi } from '../support/emulator.ts';
import { type FakeBinance, startFakeBinance } from '../support/fake-binance.ts';

const CHROMIUM = '/usr/bin/chromium';
const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));
const ELSEWHERE = 'https://elsewhere.example';

const haveChromium = existsSync(CHROMIUM);
const suite = haveChromium ? describe : describe.skip;
const skipped = haveChromium ? '' : ` — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`;

/** One page in a fresh context (its own HTTP and preflight caches), with what it logged and requested. */
interface OpenPage {
  readonly page: Page;
  readonly requests: string[];
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
}

suite(`the web page in Chromium, served on one origin, calling the emulator on another${skipped}`, function () {
  this.timeout(20_000);
  let browser: Browser;
  let binance: FakeBinance;
  let web: RunningWebServer;
  const contexts: BrowserContext[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [browser, binance, web] = await Promise.all([
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      }),
      startFakeBinance(),
      startWebServer({ root: WEB_ROOT, host: '127.0.0.1', port: 0, log: captureLog() }),
    ]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await binance?.close();
  });

  async function open(url: string, prepare?: (page: Page) => Promise<unknown>): Promise<OpenPage> {
    const context = await browser.newContext({ viewport: { width: 820, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    await prepare?.(page);
    page.setDefaultTimeout(5_000);
    const opened: OpenPage = { page, requests: [], consoleErrors: [], pageErrors: [] };
    page.on('request', (request) => opened.requests.push(`${request.method()} ${request.url()}`));
    page.on('console', (message) => {
      if (message.type() === 'error') opened.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => opened.pageErrors.push(error.message));
    await page.goto(url);
    return opened;
  }

  const priceRegion = (page: Page) => page.getByRole('region', { name: 'Latest prices' });
  const multiplyRegion = (page: Page) => page.getByRole('region', { name: 'Multiply' });

  async function askPrices(page: Page, symbols: string): Promise<void> {
    await page.getByLabel('Symbols').fill(symbols);
    await page.getByRole('button', { name: 'Get prices' }).click();
  }

  async function multiply(page: Page, a: string, b: string): Promise<void> {
    await page.getByLabel('a', { exact: true }).fill(a);
    await page.getByLabel('b', { exact: true }).fill(b);
    await page.getByRole('button', { name: 'Multiply' }).click();
  }

  /** The rows of the price table once it is shown, as [symbol, price]. */
  async function priceRows(page: Page): Promise<string[][]> {
    const rows = priceRegion(page).getByRole('status').locator('tbody tr');
    await rows.first().waitFor();
    return rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')));
  }

  /** The text of the result or error paragraph once the request has finished. */
  async function settledText(region: Locator): Promise<string> {
    const done = region.getByRole('status').locator('p:not(.pending)');
    await done.waitFor();
    return (await done.textContent()) ?? '';
  }

  function screenshot(page: Page, name: string): Promise<Buffer> {
    return page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  const linesMatching = (api: TestApi, pattern: RegExp) =>
    api.log.lines.info.filter((line) => pattern.test(line));

  describe("with AllowedOrigin set to the page's own origin", () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(PROJECT_TEMPLATE, {
        envVars: { Parameters: { BINANCE_API_URL: binance.url } },
        parameterOverrides: { AllowedOrigin: web.url },
      });
    });
    after(async () => {
      await api?.close();
    });

    it("shows the prices of several symbols, readable through the REST function's own Access-Control-Allow-Origin", async () => {
      const { page, consoleErrors, pageErrors } = await open(`${web.url}/?api=${api.url}`);
      const answered = page.waitForResponse((response) => response.url().startsWith(`${api.url}/price`));

      await askPrices(page, 'btcusdt ETHUSDT');

      const response = await answered;
      expect(response.status()).to.equal(200);
      expect(response.headers()['access-control-allow-origin']).to.equal(web.url);
      expect(await priceRows(page)).to.deep.equal([
        ['BTCUSDT', '97000.12000000'],
        ['ETHUSDT', '3100.50000000'],
      ]);
      expect(consoleErrors).to.deep.equal([]);
      expect(pageErrors).to.deep.equal([]);
      await screenshot(page, 'prices');
    });

    it("multiplies after one preflight answered by the HTTP API's CORS configuration, cached for its MaxAge", async () => {
      const { page, consoleErrors } = await open(`${web.url}/?api=${api.url}`);
      const preflights = () => linesMatching(api, /^OPTIONS \/multiply 204 /).length;
      const posts = () => linesMatching(api, /^POST \/multiply 200 .* MultiplyFunction$/).length;
      const [preflightsBefore, postsBefore] = [preflights(), posts()];

      await multiply(page, '12', '3');
      expect(await settledText(multiplyRegion(page))).to.equal('12 × 3 = 36');
      await multiply(page, '2.5', '-4');
      await page.getByText('2.5 × -4 = -10').waitFor();

      expect(preflights() - preflightsBefore, 'preflights').to.equal(1);
      expect(posts() - postsBefore, 'POSTs').to.equal(2);
      expect(consoleErrors).to.deep.equal([]);
      await screenshot(page, 'multiply');
    });

    it("shows either API's own 400 message, which the allowed origin may read", async () => {
      const { page } = await open(`${web.url}/?api=${api.url}`);

      await askPrices(page, 'NOPEUSDT');
      await multiply(page, '12', '');

      expect(await settledText(priceRegion(page))).to.equal('The price API answered 400: Invalid symbol.');
      expect(await settledText(multiplyRegion(page))).to.equal(
        'The multiply API answered 400: You must provide keys for both "a" and "b"',
      );
      await screenshot(page, 'api-errors');
    });

    it('shows the 400 for an empty symbol list rather than guessing one', async () => {
      const { page } = await open(`${web.url}/?api=${api.url}`);

      await askPrices(page, ' , ');

      expect(await settledText(priceRegion(page))).to.equal(
        'The price API answered 400: Symbol query parameter not defined',
      );
    });
  });

  describe(`with AllowedOrigin naming another origin (${ELSEWHERE})`, () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(PROJECT_TEMPLATE, {
        envVars: { Parameters: { BINANCE_API_URL: binance.url } },
        parameterOverrides: { AllowedOrigin: ELSEWHERE },
      });
    });
    after(async () => {
      await api?.close();
    });

    it('the browser refuses both answers, and the page says the API refused its origin, naming it', async () => {
      const { page, consoleErrors } = await open(`${web.url}/?api=${api.url}`);

      await askPrices(page, 'BTCUSDT');
      await multiply(page, '12', '3');

      const refused = (name: string, url: string) =>
        `Could not reach the ${name} at ${url}, or it refused this page's origin ${web.url} (CORS). ` +
        `Check that the API is running and that its AllowedOrigin parameter is ${web.url} or *.`;
      expect(await settledText(priceRegion(page))).to.equal(refused('price API', `${api.url}/price`));
      expect(await settledText(multiplyRegion(page))).to.equal(
        refused('multiply API', `${api.url}/multiply`),
      );
      // The server answered; it is the browser that would not let the page read it.
      expect(linesMatching(api, /^GET \/price\?symbols=BTCUSDT 200 /)).to.have.length(1);
      expect(linesMatching(api, /^OPTIONS \/multiply 204 /)).to.have.length(1);
      expect(linesMatching(api, /^POST \/multiply /)).to.deep.equal([]);
      expect(consoleErrors.join('\n')).to.match(/blocked by CORS policy.*'https:\/\/elsewhere\.example'/);
      expect(consoleErrors.join('\n')).to.match(/\/multiply.*blocked by CORS policy.*preflight/);
      await screenshot(page, 'cors-refused');
    });
  });

  describe('as npm start serves it: AllowedOrigin * and a generated config.json', () => {
    let api: TestApi;
    let served: RunningWebServer;
    before(async () => {
      api = await startTestApi(PROJECT_TEMPLATE, {
        envVars: { Parameters: { BINANCE_API_URL: binance.url } },
      });
      served = await startWebServer({
        root: WEB_ROOT,
        host: '127.0.0.1',
        port: 0,
        log: captureLog(),
        config: emulatorWebConfig(api.url),
      });
    });
    after(async () => {
      await served?.close();
      await api?.close();
    });

    it('works without a query string, loading nothing but its own files and the two APIs', async () => {
      const { page, requests, consoleErrors } = await open(`${served.url}/`);

      await askPrices(page, 'BNBUSDT');
      await multiply(page, '7', '6');

      expect(await priceRows(page)).to.deep.equal([['BNBUSDT', '610.00000000']]);
      expect(await settledText(multiplyRegion(page))).to.equal('7 × 6 = 42');
      expect(await page.locator('#price-url').textContent()).to.equal(`${api.url}/price`);
      expect(await page.locator('#page-origin').textContent()).to.equal(served.url);
      expect(requests).to.have.members([
        `GET ${served.url}/`,
        `GET ${served.url}/favicon.svg`,
        `GET ${served.url}/style.css`,
        `GET ${served.url}/app.js`,
        `GET ${served.url}/config.json`,
        `GET ${api.url}/price?symbols=BNBUSDT`,
        `POST ${api.url}/multiply`,
      ]);
      expect(consoleErrors).to.deep.equal([]);
      await screenshot(page, 'npm-start');
    });

    it('says which setting is missing when neither the query string nor config.json names an API', async () => {
      const { page } = await open(`${web.url}/?MultiplyApiUrl=${api.url}/multiply&PriceApiUrl=`, (page) =>
        page.route(`${web.url}/config.json`, (route) => route.fulfill({ status: 404, body: 'Not Found' })),
      );

      await askPrices(page, 'BTCUSDT');
      await multiply(page, '2', '3');

      expect(await settledText(multiplyRegion(page))).to.equal('2 × 3 = 6');
      expect(await settledText(priceRegion(page))).to.match(
        /^No URL for the price API: open this page with \?api=/,
      );
    });
  });
});
