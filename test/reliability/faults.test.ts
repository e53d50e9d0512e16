import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { NO_ENV_VARS } from '../../emulator/config.ts';
import { createRouter } from '../../emulator/gateway/router.ts';
import { createGatewayServer } from '../../emulator/gateway/server.ts';
import { closeServer, listen } from '../../emulator/net.ts';
import { FunctionPool } from '../../emulator/runtime/pool.ts';
import { type RunningEmulator, startEmulator } from '../../emulator/start.ts';
import { isRecord } from '../../emulator/template/values.ts';
import { apiMap, httpApi, route } from '../emulator/gateway/helpers.ts';
import { type Serving, startServing, stopServing } from '../support/cli.ts';
import { captureLog, RELIABILITY_TEMPLATE, startTestApi, type TestApi } from '../support/emulator.ts';
import { type HttpResult, request } from '../support/http.ts';
import { functionModel } from '../support/models.ts';
import { eventually } from '../support/wait.ts';

/**
 * The heap in use after a full collection, in MB. mocha runs without --expose-gc, so `gc` is reached through a
 * fresh context once the flag is set.
 */
function heapUsedMb(): number {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') return expect.fail('gc is not available');
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

const FIXTURE_DIR = path.dirname(RELIABILITY_TEMPLATE);
const REST_ERROR = '{"message": "Internal server error"}';
const HTTP_ERROR = '{"message":"Internal Server Error"}';

/** `start-api` on an ephemeral port of 127.0.0.1, as its own process: a crash fails the test, not the suite. */
function startEmulatorProcess(): Promise<Serving> {
  return startServing(['start-api', '-t', RELIABILITY_TEMPLATE, '-p', '0', '--no-watch']);
}

function instanceOf(response: HttpResult): { instance: unknown; invocations: unknown } {
  const body = response.json();
  if (!isRecord(body)) return expect.fail(`not an object: ${response.text()}`);
  return { instance: body.instance, invocations: body.invocations };
}

describe('faults in functions, through the gateway of an emulator running as its own process', function () {
  this.timeout(60_000);
  let emulator: Serving;
  const get = (target: string) => request(`${emulator.url}${target}`);

  /** The emulator is still up and a healthy function answers normally. */
  async function expectStillServing(): Promise<void> {
    expect(emulator.child.exitCode, emulator.output()).to.equal(null);
    const response = await get('/v2/ok');
    expect(response.status).to.equal(200);
    expect(instanceOf(response).instance).to.be.a('string');
  }

  before(async () => {
    emulator = await startEmulatorProcess();
  });
  after(() => stopServing(emulator));

  it('a function that throws synchronously: REST 502 and HTTP API 500 with the gateway’s body, its message only in the log', async () => {
    const rest = await get('/throws-sync');
    const http = await get('/v2/throws-sync');

    expect([rest.status, rest.text()]).to.deep.equal([502, REST_ERROR]);
    expect([http.status, http.text()]).to.deep.equal([500, HTTP_ERROR]);
    await eventually(() =>
      expect(emulator.output()).to.include('ThrowsSyncFunction: Error: sync failure: an internal detail'),
    );
    await expectStillServing();
  });

  it('a function that returns a rejected promise: HTTP API 500', async () => {
    const response = await get('/v2/rejects');

    expect([response.status, response.text()]).to.deep.equal([500, HTTP_ERROR]);
    await expectStillServing();
  });

  it('a function whose promise never settles while a timer is pending is cut off at its 1 s Timeout: REST 502', async () => {
    const started = performance.now();
    const response = await get('/never-settles');

    expect([response.status, response.text()]).to.deep.equal([502, REST_ERROR]);
    expect(performance.now() - started).to.be.within(900, 5000);
    await eventually(() =>
      expect(emulator.output()).to.match(
        /NeverSettlesFunction: Sandbox\.Timedout: .*Task timed out after 1\.00 seconds/,
      ),
    );
    await expectStillServing();
  });

  it('a function that loops forever is killed at its Timeout, on both APIs, and the next invocations still run', async () => {
    const [rest, http] = await Promise.all([get('/loops'), get('/v2/loops')]);

    expect([rest.status, http.status]).to.deep.equal([502, 500]);
    // The looping environments were terminated: the function runs (and times out) again rather than queueing.
    const started = performance.now();
    expect((await get('/loops')).status).to.equal(502);
    expect(performance.now() - started).to.be.below(5000);
    await expectStillServing();
  });

  it('a function that calls process.exit fails with HTTP API 500 (Runtime.ExitError)', async () => {
    const response = await get('/v2/exits');

    expect([response.status, response.text()]).to.deep.equal([500, HTTP_ERROR]);
    await eventually(() => expect(emulator.output()).to.include('ExitsFunction: Runtime.ExitError'));
    await expectStillServing();
  });

  for (const [what, target, fn] of [
    ['heap', '/v2/leaks-heap', 'LeaksHeapFunction'],
    ['Buffers (outside the heap)', '/v2/leaks-buffers', 'LeaksBuffersFunction'],
  ] as const) {
    it(`a function that keeps 32 MB more ${what} on every invocation fails once past its 128 MB, and a fresh environment serves the next`, async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 8 && !statuses.includes(500); attempt++) {
        statuses.push((await get(target)).status);
      }

      // 128 MB holds at most three 32 MB allocations beside the runtime itself.
      expect(statuses.slice(0, -1)).to.satisfy((ok: number[]) => ok.every((status) => status === 200));
      expect(statuses.at(-1), `statuses ${statuses.join(', ')}`).to.equal(500);
      expect(statuses.length).to.be.at.most(5);
      await eventually(() => expect(emulator.output()).to.include(`${fn}: Runtime.OutOfMemory`));
      const next = await get(target);
      expect(next.status).to.equal(200);
      expect(instanceOf(next).invocations).to.equal(1);
      await expectStillServing();
    });
  }

  it('a function that lets a rejection go unhandled after returning: its 200 stands, and the next request gets a fresh environment', async () => {
    const first = await get('/v2/rejects-later');
    await eventually(() => expect(emulator.output()).to.include('late rejection'));
    const second = await get('/v2/rejects-later');

    expect([first.status, second.status]).to.deep.equal([200, 200]);
    expect(instanceOf(second).instance).to.not.equal(instanceOf(first).instance);
    expect(instanceOf(second).invocations).to.equal(1);
    await expectStillServing();
  });

  it('a function answering more than 6 MB: REST 502 (Function.ResponseSizeTooLarge)', async () => {
    const response = await get('/too-big');

    expect([response.status, response.text()]).to.deep.equal([502, REST_ERROR]);
    await eventually(() =>
      expect(emulator.output()).to.include('TooBigFunction: Function.ResponseSizeTooLarge'),
    );
    await expectStillServing();
  });

  it('a function answering a 1xx status gets a final 502/500, not an interim response its client would wait on', async () => {
    const rest = await get('/status?code=100');
    const http = await get('/v2/status/103');

    expect([rest.status, rest.text()]).to.deep.equal([502, REST_ERROR]);
    expect([http.status, http.text()]).to.deep.equal([500, HTTP_ERROR]);
    await eventually(() =>
      expect(emulator.output()).to.include(
        'malformed Lambda proxy response: statusCode number 103 is not 200-599',
      ),
    );
    await expectStillServing();
  });
});

describe('a function that writes 100 MB to stdout', function () {
  this.timeout(60_000);
  let running: RunningEmulator;
  let url: string;
  let functionLogBytes = 0;
  before(async () => {
    // The log is counted, not kept, so that what the heap holds afterwards is the emulator's own doing.
    const log = {
      ...captureLog(),
      function: (line: string) => {
        functionLogBytes += line.length + 1;
      },
    };
    running = await startEmulator({
      templatePath: RELIABILITY_TEMPLATE,
      parameterOverrides: {},
      envVars: NO_ENV_VARS,
      watch: false,
      host: '127.0.0.1',
      apiPort: 0,
      log,
    });
    url = running.apiUrl ?? expect.fail('no API server');
  });
  after(() => running?.close());

  it('gets its answer through and every line to the log, and the emulator keeps none of it afterwards', async () => {
    expect((await request(`${url}/v2/ok`)).status).to.equal(200);
    const before = heapUsedMb();

    for (let flood = 0; flood < 2; flood++) {
      const response = await request(`${url}/v2/floods`);
      expect(response.status).to.equal(200);
      expect(response.json()).to.deep.equal({ wroteMb: 100 });
    }

    expect(functionLogBytes).to.be.at.least(2 * 100 * 1024 * 1024);
    expect(heapUsedMb() - before, 'heap kept (MB)').to.be.below(16);
    expect((await request(`${url}/v2/ok`)).status).to.equal(200);
  });
});

describe('a function that writes more log in one invocation than a JavaScript string can hold', function () {
  this.timeout(60_000);

  it('gets its answer, every line reaches the log sink, and the outcome keeps only the end of its log', async () => {
    let bytes = 0;
    const pool = new FunctionPool(
      functionModel({ codeUri: FIXTURE_DIR, handler: 'handlers.floods', timeout: 60 }),
      { dir: FIXTURE_DIR, file: path.join(FIXTURE_DIR, 'handlers.mjs'), exportName: 'floods' },
      {
        environment: {},
        region: 'us-east-1',
        accountId: '123456789012',
        logSink: (line) => {
          bytes += line.length + 1;
        },
      },
    );
    try {
      // 600 MB of lines: joined into one string they would pass V8's limit (~512 M characters).
      const outcome = await pool.invoke({ payload: { mb: 600 } });

      expect(outcome.kind).to.equal('success');
      if (outcome.kind === 'success') expect(outcome.payload).to.include({ statusCode: 200 });
      expect(bytes).to.be.at.least(600 * 1024 * 1024);
      expect(outcome.log.length).to.be.within(1, 2 * 1024 * 1024);
      expect(outcome.log).to.match(/^REPORT RequestId: /m);
    } finally {
      await pool.close();
    }
  });
});

describe('the integration timeout when the emulator itself is slow', () => {
  it('an answer that comes after TimeoutInMillis is a 503, even when a stalled event loop hands it over first', async () => {
    const api = httpApi();
    const slowRoute = { ...route(api, 'GET', '/stalled'), integrationTimeoutMs: 50 };
    const server = createGatewayServer({
      routes: () => ({ router: createRouter(apiMap(api), [slowRoute]), accountId: '123456789012' }),
      // The answer is ready only after the loop has been held for twice the timeout, as under heavy load.
      invoke: () =>
        new Promise((resolve) => {
          setImmediate(() => {
            const until = performance.now() + 100;
            while (performance.now() < until) {}
            resolve({ kind: 'success', payload: { statusCode: 200, body: 'too late' } });
          });
        }),
      log: captureLog(),
    });
    const url = await listen(server, '127.0.0.1', 0);
    try {
      const response = await request(`${url}/stalled`);

      expect([response.status, response.text()]).to.deep.equal([503, '{"message":"Service Unavailable"}']);
    } finally {
      await closeServer(server);
    }
  });
});

describe('hot reload faults while the emulator serves', function () {
  this.timeout(60_000);
  let dir: string;
  let api: TestApi;
  const body = async (route: string) => (await request(`${api.url}${route}`)).text();
  const template = (entryPoint: string, routePath: string) => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: handler.handler
      Events:
        Hello:
          Type: HttpApi
          Properties:
            Path: ${routePath}
            Method: get
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension:
          - .js=.mjs
        EntryPoints:
          - ${entryPoint}
`;
  const write = (text: string) => writeFileSync(path.join(dir, 'template.yaml'), text);
  const errors = () => api.log.lines.error.join('\n');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'reload-faults-'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(path.join(dir, 'src', 'handler.ts'), 'export const handler = async () => "first";\n');
    writeFileSync(path.join(dir, 'src', 'broken.ts'), 'export const handler = async () => {{{;\n');
    write(template('src/handler.ts', '/hello'));
    api = await startTestApi(path.join(dir, 'template.yaml'), { watch: true });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a template with a YAML syntax error is reported, the previous template keeps serving, and the fixed one loads', async () => {
    write(`${template('src/handler.ts', '/hello')}  Broken: [unclosed\n\tTabbed: x\n`);

    await eventually(() =>
      expect(errors()).to.match(/template\.yaml.*\n {2}\(still serving the previous template\)/s),
    );
    expect(await body('/hello')).to.equal('first');

    write(template('src/handler.ts', '/renamed'));
    await eventually(async () => expect(await body('/renamed')).to.equal('first'));
  });

  it('a template whose function no longer builds is reported, and the previous template keeps serving', async () => {
    const reported = api.log.lines.error.length;
    write(template('src/broken.ts', '/broken'));

    await eventually(() => {
      const fresh = api.log.lines.error.slice(reported).join('\n');
      expect(fresh).to.include('HelloFunction: build failed');
      expect(fresh).to.include('(still serving the previous template)');
    });
    expect(await body('/renamed')).to.equal('first');
    expect((await request(`${api.url}/broken`)).status).to.equal(404);
  });
});
