import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { isRecord } from '../../emulator/template/values.ts';
import { ROOT, run, type Serving, startServing, stopServing } from '../support/cli.ts';
import {
  GATEWAY_TEMPLATE,
  PROJECT_TEMPLATE,
  RELIABILITY_TEMPLATE,
  startTestApi,
  type TestApi,
} from '../support/emulator.ts';
import { type FakeBinance, startFakeBinance } from '../support/fake-binance.ts';
import { request } from '../support/http.ts';
import { rawExchange } from '../support/raw-http.ts';

const CONFIGURED_ORIGIN = 'https://app.example.com';
/** Origins a page on another site could send, including near misses of the configured one. */
const FOREIGN_ORIGINS = [
  'https://evil.example',
  'null',
  'https://app.example.com.evil.example',
  'https://evil.app.example.com',
  'http://app.example.com',
  'https://app.example.co',
];

describe('security defaults', function () {
  this.timeout(30_000);

  describe('CORS never reflects an origin that is not configured', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(PROJECT_TEMPLATE, {
        parameterOverrides: { AllowedOrigin: CONFIGURED_ORIGIN },
      });
    });
    after(() => api?.close());

    const allowOrigin = async (
      route: string,
      origin: string,
      method = 'GET',
      extra: Record<string, string> = {},
    ) => {
      const response = await request(`${api.url}${route}`, { method, headers: { origin, ...extra } });
      return { status: response.status, allowOrigin: response.headers['access-control-allow-origin'] };
    };

    it('REST API: the function and SAM’s preflight send the configured origin, whatever the request’s Origin', async () => {
      for (const origin of FOREIGN_ORIGINS) {
        expect(await allowOrigin('/price', origin), origin).to.deep.equal({
          status: 400,
          allowOrigin: CONFIGURED_ORIGIN,
        });
        expect(
          await allowOrigin('/price', origin, 'OPTIONS', { 'access-control-request-method': 'GET' }),
          origin,
        ).to.deep.equal({ status: 200, allowOrigin: CONFIGURED_ORIGIN });
      }
    });

    it('HTTP API: a foreign Origin gets no Allow-Origin, on a response or a preflight; the configured one gets itself', async () => {
      const preflight = { 'access-control-request-method': 'POST' };
      for (const origin of FOREIGN_ORIGINS) {
        expect(await allowOrigin('/multiply', origin, 'POST'), origin).to.deep.equal({
          status: 400,
          allowOrigin: undefined,
        });
        expect(await allowOrigin('/multiply', origin, 'OPTIONS', preflight), origin).to.deep.equal({
          status: 204,
          allowOrigin: undefined,
        });
      }
      expect(await allowOrigin('/multiply', CONFIGURED_ORIGIN, 'POST')).to.deep.equal({
        status: 400,
        allowOrigin: CONFIGURED_ORIGIN,
      });
    });

    it('errors the gateway answers itself carry no Allow-Origin at all', async () => {
      for (const route of ['/nowhere', '/Prod/nowhere']) {
        expect((await allowOrigin(route, 'https://evil.example')).allowOrigin, route).to.equal(undefined);
      }
    });
  });

  describe('the Invoke endpoint serves only the template’s functions', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(GATEWAY_TEMPLATE, { lambda: true });
    });
    after(() => api?.close());

    /** Sent over a raw socket: an HTTP client library would resolve `..` in the path before sending it. */
    async function invoke(
      name: string,
    ): Promise<{ status: number | undefined; errorType: string | undefined }> {
      const exchange = await rawExchange(Number(new URL(api.lambdaUrl ?? '').port), [
        `POST /2015-03-31/functions/${name}/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      ]);
      return {
        status: exchange.status,
        errorType: /^x-amzn-ErrorType: (\S+)\r$/im.exec(exchange.response)?.[1],
      };
    }

    it('refuses names that climb out of the template, point at files or reach for prototype members, and runs nothing', async () => {
      const names = [
        '..%2F..%2Fx',
        '%2e%2e%2f%2e%2e%2fx',
        '../../x',
        '..',
        '%2e%2e',
        '.',
        'EchoFunction%2F..%2FThrowsFunction',
        'EchoFunction/../ThrowsFunction',
        '%2Fetc%2Fpasswd',
        'handlers.mjs',
        'handlers',
        'test%2Ffixtures%2Fgateway%2Fhandlers.mjs',
        'EchoFunction%00',
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'arn:aws:lambda:us-east-1:123456789012:function:..%2Fx',
      ];
      const before = api.log.lines.function.length;
      for (const name of names) {
        const response = await invoke(name);

        expect(response.status, name).to.be.oneOf([400, 404]);
        expect(response.errorType, name).to.be.oneOf([
          'ValidationException',
          'ResourceNotFoundException',
          'UnknownOperationException',
        ]);
      }
      expect(api.log.lines.function.slice(before), 'function log lines').to.deep.equal([]);

      // The same endpoint does run a function of the template, and that shows in the log.
      expect((await invoke('EchoFunction')).status).to.equal(200);
      expect(api.log.lines.function.length).to.be.above(before);
    });
  });

  describe('symbol validation keeps query injection out of the upstream URL', () => {
    let binance: FakeBinance;
    let api: TestApi;
    before(async () => {
      binance = await startFakeBinance();
      api = await startTestApi(PROJECT_TEMPLATE, {
        envVars: { Parameters: { BINANCE_API_URL: binance.url } },
      });
    });
    after(async () => {
      await api?.close();
      await binance?.close();
    });

    it('sends Binance only checked, upper-cased symbols, whatever the query smuggles in', async () => {
      const hostile = [
        'symbol=BTCUSDT%26symbols%3D%5B%22ETHUSDT%22%5D',
        'symbol=BTCUSDT%23fragment',
        'symbol=BTC%25USDT',
        'symbol=%E2%82%BFUSDT',
        'symbol=%C3%9FUSDT',
        'symbol=BTCUSDT%0D%0AX-Injected%3A%201',
        'symbol=..%2F..%2Fapi%2Fv3%2Faccount',
        'symbols=BTCUSDT,ETH%22%5DUSDT',
        'symbols=%5B%22BTCUSDT%22%5D',
        'symbol=BTCUSDT&symbol=%00',
        'symbol=%EF%BC%A2TCUSDT',
      ];
      const before = binance.requests.length;
      for (const query of hostile) {
        const response = await request(`${api.url}/price?${query}`);

        expect(response.status, query).to.equal(400);
        expect(response.json(), query).to.satisfy(
          (body: unknown) =>
            isRecord(body) && typeof body.error === 'string' && body.error.startsWith('Invalid symbol'),
        );
      }
      expect(binance.requests.slice(before), 'requests Binance received').to.deep.equal([]);

      // Spaces around a valid symbol are trimmed; what reaches Binance is exactly the symbol.
      expect((await request(`${api.url}/price?symbols=%20btcusdt%20,ETHUSDT`)).status).to.equal(200);
      expect(binance.requests.slice(before)).to.deep.equal([
        `/api/v3/ticker/price?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT"]')}`,
      ]);
    });
  });

  describe('dependencies', () => {
    it('the deployed functions have no runtime dependencies, and npm audit --omit=dev finds nothing high or critical', async function () {
      const manifest: unknown = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      expect(isRecord(manifest) && manifest.dependencies).to.equal(undefined);

      const audit = await npmAudit(20_000);
      if (audit === undefined) {
        process.stderr.write('      skipped: npm audit could not reach the registry within 20 s\n');
        this.skip();
      }
      const vulnerabilities =
        isRecord(audit) && isRecord(audit.metadata) ? audit.metadata.vulnerabilities : undefined;
      if (!isRecord(vulnerabilities))
        return expect.fail(`unexpected npm audit output: ${JSON.stringify(audit)}`);
      expect({ high: vulnerabilities.high, critical: vulnerabilities.critical }).to.deep.equal({
        high: 0,
        critical: 0,
      });
    });
  });

  describe('the emulator never prints environment values', () => {
    const SECRET = 's3cr3t-8f14e45fceea167a5a36dedd4bea2543';
    const OTHER_SECRET = 'tok3n-c9f0f895fb98ab9159f51fd0297e236d';
    let dir: string;
    let emulator: Serving | undefined;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'secret-env-'));
    });
    after(async () => {
      await stopServing(emulator);
      rmSync(dir, { recursive: true, force: true });
    });

    function envFile(name: string, text: string): string {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    }

    function expectNoSecret(output: string): void {
      for (const secret of [SECRET, OTHER_SECRET]) {
        // Nor any recognisable piece of it: a parser's message quotes only a few characters around a fault.
        for (let start = 0; start + 8 <= secret.length; start++) {
          const piece = secret.slice(start, start + 8);
          expect(output.includes(piece), `the output shows "${piece}" of ${secret}:\n${output}`).to.equal(
            false,
          );
        }
      }
    }

    it('not while serving, warning about ignored variables, or reporting function failures and timeouts', async () => {
      const env = envFile(
        'env.json',
        JSON.stringify({
          Parameters: { API_SECRET: SECRET, UNDECLARED_TOKEN: OTHER_SECRET },
          OkFunction: { API_SECRET: OTHER_SECRET, ALSO_UNDECLARED: SECRET },
          NoSuchFunction: { API_SECRET: SECRET },
        }),
      );
      emulator = await startServing([
        'start-api',
        '-t',
        RELIABILITY_TEMPLATE,
        '-p',
        '0',
        '--no-watch',
        '-n',
        env,
      ]);
      const get = (route: string) => request(`${emulator?.url}${route}`);

      expect((await get('/v2/secret')).json()).to.deep.equal({ secretLength: SECRET.length });
      for (const route of [
        '/v2/ok',
        '/throws-sync',
        '/v2/exits',
        '/loops',
        '/status?code=100',
        '/v2/slow?ms=100',
        '/nowhere',
      ]) {
        await get(route);
      }
      await stopServing(emulator);
      const output = emulator.output();

      expect(output).to.include('UNDECLARED_TOKEN');
      expect(output).to.include('ALSO_UNDECLARED');
      expect(output).to.include('Task timed out');
      expectNoSecret(output);
    });

    it('not when env.json is not valid JSON, nor when a value is not a string', async () => {
      const broken = [
        `{"Parameters": {"API_SECRET": ${SECRET}}}`,
        `{"Parameters": {"API_SECRET": "${SECRET}", }}`,
        `{"Parameters": {"API_SECRET": "${SECRET}"}} ${OTHER_SECRET}`,
        `API_SECRET=${SECRET}`,
        `{"Parameters": {"API_SECRET": "${SECRET}\n"}}`,
        JSON.stringify({ Parameters: { API_SECRET: { value: SECRET } } }),
        JSON.stringify({ Parameters: { API_SECRET: [SECRET, OTHER_SECRET] } }),
      ];
      for (const [index, text] of broken.entries()) {
        const finished = await run([
          'start-api',
          '-t',
          RELIABILITY_TEMPLATE,
          '-p',
          '0',
          '-n',
          envFile(`broken-${index}.json`, text),
        ]);

        expect(finished.code, finished.stderr).to.equal(2);
        expect(finished.stderr).to.include(`broken-${index}.json`);
        expectNoSecret(finished.stdout + finished.stderr);
      }
    });

    it('not when invoke runs a function that fails', async () => {
      const env = envFile('invoke.json', JSON.stringify({ Parameters: { API_SECRET: SECRET } }));
      const finished = await run(
        ['invoke', '-t', RELIABILITY_TEMPLATE, 'ThrowsSyncFunction', '-n', env],
        '{}',
      );

      expect(finished.code).to.equal(1);
      expectNoSecret(finished.stdout + finished.stderr);
    });

    describe('nor AWS credentials', () => {
      /** The runner's own AWS variables and ~/.aws stay out: only what each case sets reaches the emulator. */
      const envWith = (variables: Record<string, string>): NodeJS.ProcessEnv => ({
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
        HOME: dir,
        ...variables,
      });

      it('not in the start-up lines, the route table, or while functions fail and time out', async () => {
        emulator = await startServing(
          ['start-api', '-t', RELIABILITY_TEMPLATE, '-p', '0', '--no-watch', '--region', 'eu-west-1'],
          {
            env: envWith({
              AWS_ACCESS_KEY_ID: SECRET,
              AWS_SECRET_ACCESS_KEY: OTHER_SECRET,
              AWS_SESSION_TOKEN: `${SECRET}-${OTHER_SECRET}`,
              AWS_ENDPOINT_URL: `http://127.0.0.1:1/${SECRET}`,
            }),
          },
        );
        for (const route of ['/v2/ok', '/throws-sync', '/v2/exits', '/loops', '/nowhere']) {
          await request(`${emulator.url}${route}`);
        }
        await stopServing(emulator);
        const output = emulator.output();

        expect(output).to.include('AWS: credentials from the environment (AWS_ACCESS_KEY_ID)');
        expect(output).to.include('passed through: AWS_ENDPOINT_URL');
        expect(output).to.include('Task timed out');
        expectNoSecret(output);
      });

      it('not when the credentials are partial, in the shell or in a profile, nor when the profile is missing', async () => {
        const credentials = envFile('credentials', `[half]\naws_access_key_id = ${SECRET}\n`);
        const cases: { args: string[]; env: Record<string, string> }[] = [
          { args: [], env: { AWS_ACCESS_KEY_ID: SECRET, AWS_SESSION_TOKEN: OTHER_SECRET } },
          { args: ['--profile', 'half'], env: { AWS_SHARED_CREDENTIALS_FILE: credentials } },
          {
            args: ['--profile', 'missing'],
            env: { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_SECRET_ACCESS_KEY: OTHER_SECRET },
          },
        ];
        for (const { args, env } of cases) {
          const finished = await run(['invoke', '-t', RELIABILITY_TEMPLATE, 'OkFunction', ...args], '{}', {
            env: envWith(env),
          });

          expect(finished.code, finished.stderr).to.equal(2);
          expect(finished.stderr).to.match(/^error: /);
          expectNoSecret(finished.stdout + finished.stderr);
        }
      });
    });
  });
});

/** `npm audit --omit=dev --json`, or `undefined` when npm cannot reach the registry in time. */
function npmAudit(timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(undefined);
    }, timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', () => {
      clearTimeout(timer);
      let report: unknown;
      try {
        report = JSON.parse(stdout);
      } catch {
        resolve(undefined);
        return;
      }
      // npm reports an unreachable registry as an `error` object (ENOTFOUND, EAI_AGAIN, ETIMEDOUT…).
      resolve(isRecord(report) && isRecord(report.error) ? undefined : report);
    });
  });
}
