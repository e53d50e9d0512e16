import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { isRecord } from '../../../emulator/template/values.ts';
import {
  exitOf,
  listeningAddresses,
  ROOT,
  run,
  type Serving,
  startServing,
  stopServing,
} from '../../support/cli.ts';
import { request } from '../../support/http.ts';
import {
  type BoundBreakpoint,
  bindBreakpoint,
  CdpClient,
  type CdpClient as Client,
  evaluateOnFrame,
  readSourceMap,
  topFrame,
  type WorkerSession,
} from '../../support/inspector.ts';
import { eventually } from '../../support/wait.ts';

/** MultiplyFunction's Timeout in template.yaml (10 s), and the HTTP API's integration timeout (30 s): beyond both. */
const LONGER_THAN_BOTH_TIMEOUTS_MS = 31_000;
const LAUNCH = path.join(ROOT, 'emulator', 'launch.mjs');

/** The 1-based line of the first line of `file` that contains `text`, as an editor numbers it. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  if (index === -1) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

function inspectorUrl(output: string): string | undefined {
  return /Debugger: inspector on (ws:\/\/\S+)/.exec(output)?.[1];
}

/** The worker's next pause at a breakpoint, read back through the bundle's source map as a TypeScript line. */
async function pausedAt(worker: WorkerSession, bound: BoundBreakpoint) {
  const paused = await worker.events.next('Debugger.paused', (params) => params.reason !== 'instrumentation');
  const frame = topFrame(paused);
  const original = bound.map.originalFor(frame.position);
  return { ...frame, source: original.source, line: original.line + 1 };
}

describe('debugging: breakpoints in the TypeScript source through the emulator (-d)', function () {
  this.timeout(120_000);
  let dir: string;
  let handlerFile: string;
  let serving: Serving | undefined;
  let inspector: Client | undefined;
  /** The worker the first request started, with its breakpoint, for the scale-out case. */
  let warm: { worker: WorkerSession; bound: BoundBreakpoint } | undefined;
  const multiply = (a: number, b: number) =>
    request(`${serving?.url}/multiply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a, b }),
    });

  before(async () => {
    // A copy of the project, so that the hot-reload case can edit its handler.
    dir = mkdtempSync(path.join(tmpdir(), 'debugging-test-'));
    cpSync(path.join(ROOT, 'template.yaml'), path.join(dir, 'template.yaml'));
    cpSync(path.join(ROOT, 'samconfig.toml'), path.join(dir, 'samconfig.toml'));
    cpSync(path.join(ROOT, 'functions'), path.join(dir, 'functions'), { recursive: true });
    handlerFile = path.join(dir, 'functions', 'multiply', 'handler.ts');
    serving = await startServing(['start-api', '-p', '0', '-d', '0'], { cwd: dir, bundled: true });
    const url = inspectorUrl(serving.output());
    if (url === undefined) throw new Error(`no inspector URL in:\n${serving.output()}`);
    inspector = await CdpClient.connect(url);
    await inspector.attachToWorkers();
  });

  after(async () => {
    await inspector?.close();
    await stopServing(serving);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says at start where to attach and that the timeouts are suspended while debugging', () => {
    const output = serving?.output() ?? '';
    expect(output).to.match(/Debugger: inspector on ws:\/\/127\.0\.0\.1:\d+\//);
    expect(output).to.match(
      /Debugging .*MultiplyFunction.*Timeout and the API integration timeout are suspended/,
    );
  });

  it('binds 127.0.0.1 only by default, as the kernel’s socket table shows', () => {
    const port = Number(new URL(inspectorUrl(serving?.output() ?? '') ?? '').port);
    expect(listeningAddresses(port)).to.deep.equal(['127.0.0.1']);
  });

  it('pauses at a breakpoint in functions/multiply/handler.ts with the request’s values, past both timeouts, then answers', async () => {
    const client = inspector as Client;
    const line = lineOf(handlerFile, 'const result = multiply(a, b);');
    const answer = multiply(12, 3);
    const worker = await client.nextWorker();
    const bound = await bindBreakpoint(worker, handlerFile, line);
    warm = { worker, bound };
    const paused = await pausedAt(worker, bound);
    expect({ source: paused.source, line: paused.line }).to.deep.equal({ source: handlerFile, line });
    expect(existsSync(paused.source)).to.equal(true);
    expect(await evaluateOnFrame(worker, paused.callFrameId, 'a')).to.equal(12);
    expect(await evaluateOnFrame(worker, paused.callFrameId, 'request.body')).to.equal('{"a":12,"b":3}');
    let answered = false;
    void answer.then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, LONGER_THAN_BOTH_TIMEOUTS_MS));
    expect(answered, 'answered while paused').to.equal(false);
    await worker.send('Debugger.resume');
    const response = await answer;
    expect({ status: response.status, body: response.json() }).to.deep.equal({
      status: 200,
      body: { result: 36 },
    });
  });

  it('binds the breakpoint in a worker started after the debugger attached (a second concurrent request)', async () => {
    const client = inspector as Client;
    const line = lineOf(handlerFile, 'const result = multiply(a, b);');
    if (warm === undefined) throw new Error('the previous test left no warm worker');
    // The warm worker keeps its breakpoint and pauses the first request there; the second needs a new worker.
    const first = multiply(2, 5);
    const firstPause = await pausedAt(warm.worker, warm.bound);
    expect(firstPause.line).to.equal(line);
    const second = multiply(4, 5);
    const worker = await client.nextWorker();
    expect(worker).to.not.equal(warm.worker);
    const bound = await bindBreakpoint(worker, handlerFile, line);
    const paused = await pausedAt(worker, bound);
    expect({ source: paused.source, line: paused.line }).to.deep.equal({ source: handlerFile, line });
    expect(await evaluateOnFrame(worker, paused.callFrameId, 'a')).to.equal(4);
    await worker.send('Debugger.resume');
    await warm.worker.send('Debugger.resume');
    const answers = await Promise.all([first, second]);
    expect(answers.map((answer) => [answer.status, answer.json()])).to.deep.equal([
      [200, { result: 10 }],
      [200, { result: 20 }],
    ]);
  });

  it('binds the breakpoint again after the handler is edited and rebuilt (hot reload)', async () => {
    const client = inspector as Client;
    const source = readFileSync(handlerFile, 'utf8');
    writeFileSync(
      handlerFile,
      source
        .replace(
          'async function multiplyRequest',
          '// Edited while the debugger is attached.\nasync function multiplyRequest',
        )
        .replace(
          'return jsonResponse(200, { result });',
          'return jsonResponse(200, { result, edited: true });',
        ),
    );
    await eventually(() => expect(serving?.output()).to.match(/MultiplyFunction: rebuilt/), 20_000);
    const line = lineOf(handlerFile, 'const result = multiply(a, b);');
    const answer = multiply(6, 7);
    const worker = await client.nextWorker();
    const bound = await bindBreakpoint(worker, handlerFile, line);
    const paused = await pausedAt(worker, bound);
    expect({ source: paused.source, line: paused.line }).to.deep.equal({ source: handlerFile, line });
    expect(await evaluateOnFrame(worker, paused.callFrameId, 'b')).to.equal(7);
    await worker.send('Debugger.resume');
    const response = await answer;
    expect({ status: response.status, body: response.json() }).to.deep.equal({
      status: 200,
      body: { result: 42, edited: true },
    });
  });
});

describe('debugging: each execution environment’s own inspector, for Chrome’s DevTools', function () {
  this.timeout(60_000);
  let serving: Serving | undefined;
  let inspector: Client | undefined;
  after(async () => {
    await inspector?.close();
    await stopServing(serving);
  });

  it('prints the inspector a worker opens, on 127.0.0.1, where a breakpoint in handler.ts binds and pauses the request', async () => {
    serving = await startServing(['start-api', '-p', '0', '-d', '0', '--no-watch'], { bundled: true });
    const multiply = (a: number, b: number) =>
      request(`${serving?.url}/multiply`, { method: 'POST', body: JSON.stringify({ a, b }) });
    // No debugger holds the first worker: it starts, answers, and says where its inspector is.
    expect((await multiply(1, 1)).status).to.equal(200);
    await eventually(() =>
      expect(serving?.output()).to.match(/MultiplyFunction: execution environment inspector on ws:/),
    );
    const url =
      /MultiplyFunction: execution environment inspector on (ws:\/\/\S+)/.exec(serving.output())?.[1] ?? '';
    expect(listeningAddresses(Number(new URL(url).port))).to.deep.equal(['127.0.0.1']);

    const client = await CdpClient.connect(url);
    inspector = client;
    await client.send('Debugger.enable');
    const handlerFile = path.join(ROOT, 'functions', 'multiply', 'handler.ts');
    const bundle = [...client.scripts].find(([, script]) =>
      /\/MultiplyFunction-\d+\/handler\.mjs$/.test(script.url),
    );
    if (bundle === undefined) throw new Error('the bundle is not among the worker’s scripts');
    const [scriptId, script] = bundle;
    const map = readSourceMap(script.url, script.sourceMapURL);
    const line = lineOf(handlerFile, 'const result = multiply(a, b);');
    const at = map.generatedFor(handlerFile, line - 1);
    await client.send('Debugger.setBreakpoint', {
      location: { scriptId, lineNumber: at.line, columnNumber: at.column },
    });
    const answer = multiply(8, 5);
    const frame = topFrame(await client.events.next('Debugger.paused'));
    expect(map.originalFor(frame.position).line + 1).to.equal(line);
    expect(await evaluateOnFrame(client, frame.callFrameId, 'b')).to.equal(5);
    await client.send('Debugger.resume');
    const response = await answer;
    expect([response.status, response.json()]).to.deep.equal([200, { result: 40 }]);
  });
});

describe('debugging: invoke -d', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let inspector: Client | undefined;

  afterEach(async () => {
    await inspector?.close();
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  });

  it('waits for a debugger on the -d port, then stops before the handler’s first line runs; Step Into enters handler.ts', async () => {
    const handlerFile = path.join(ROOT, 'functions', 'multiply', 'handler.ts');
    const args = [LAUNCH, 'invoke', 'MultiplyFunction', '-e', 'events/multiply.json', '-d', '0'];
    const started = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    started.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    started.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    await eventually(() => expect(stderr).to.match(/execution environment inspector on ws:/), 30_000);
    const url = /execution environment inspector on (ws:\/\/\S+)/.exec(stderr)?.[1] ?? '';
    expect(listeningAddresses(Number(new URL(url).port))).to.deep.equal(['127.0.0.1']);
    // Nothing runs before a debugger says so.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stderr).to.not.match(/platform\.start/);
    const client = await CdpClient.connect(url);
    inspector = client;
    await client.send('Debugger.enable');
    await client.send('Runtime.runIfWaitingForDebugger');

    let paused = await client.events.next('Debugger.paused');
    let frame = topFrame(paused);
    // The runtime's worker, as it runs: compiled from worker.ts into node_modules/.cache (dist/ when installed).
    expect(client.scripts.get(frame.scriptId)?.url).to.match(
      /\/sam-emulator\/worker-[0-9a-f]{16}\/worker\.mjs$/,
    );
    expect(stdout, 'the handler has not answered').to.equal('');
    // Step Into until the handler's bundle, as F11 does.
    for (let step = 0; step < 20 && client.scripts.get(frame.scriptId)?.sourceMapURL === ''; step++) {
      await client.send('Debugger.stepInto');
      paused = await client.events.next('Debugger.paused');
      frame = topFrame(paused);
    }
    const script = client.scripts.get(frame.scriptId);
    if (script === undefined) throw new Error('paused in an unknown script');
    const original = readSourceMap(script.url, script.sourceMapURL).originalFor(frame.position);
    expect({ source: original.source, line: original.line + 1 }).to.deep.equal({
      source: handlerFile,
      line: lineOf(handlerFile, 'return handleApiEvent(event, multiplyRequest);'),
    });
    expect(await evaluateOnFrame(client, frame.callFrameId, 'event.body')).to.equal('{"a":12,"b":3}');
    await client.send('Debugger.resume');

    await client.close();
    expect(await exitOf(started)).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.include({ statusCode: 200, body: '{"result":36}' });
  });
});

describe('debugging: stack traces name the TypeScript source', function () {
  this.timeout(60_000);

  it('names functions/<name>/<file>.ts:LINE:COL in an Invoke error’s trace and in the function’s log', async () => {
    // Nothing listens on port 1: the price client throws "Could not reach Binance".
    const result = await run(
      ['invoke', 'PriceTickerFunction', '--parameter-overrides', 'BinanceApiUrl=http://127.0.0.1:1'],
      '{}',
      { bundled: true },
    );
    expect(result.code).to.equal(1);
    const error: unknown = JSON.parse(result.stdout);
    const trace = isRecord(error) && Array.isArray(error.trace) ? error.trace.join('\n') : '';
    const client = path.join(ROOT, 'functions', 'shared', 'binance.ts');
    const throwLine = lineOf(client, "throw new HttpError(502, 'Could not reach Binance'");
    const ticker = path.join(ROOT, 'functions', 'price-ticker', 'handler.ts');
    const callLine = lineOf(ticker, 'await fetchPrices(');
    expect(trace).to.include(`${client}:${throwLine}:`);
    expect(trace).to.include(`${ticker}:${callLine}:`);
    expect(result.stderr).to.include(`${client}:${throwLine}:`);
  });

  it('names them with the debugger too (-d), in the Invoke API’s trace, with the original function names kept', async () => {
    const serving = await startServing(
      [
        ...[
          'start',
          '-p',
          '0',
          '--lambda-port',
          '0',
          '--web-port',
          '0',
          '--no-schedules',
          '--no-watch',
          '-d',
          '0',
        ],
        ...['--parameter-overrides', 'BinanceApiUrl=http://127.0.0.1:1'],
      ],
      { bundled: true },
    );
    try {
      await eventually(() => expect(serving.output()).to.match(/Lambda Invoke endpoint on http:/));
      const endpoint = /Lambda Invoke endpoint on (http:\/\/\S+)/.exec(serving.output())?.[1];
      const response = await request(`${endpoint}/2015-03-31/functions/PriceTickerFunction/invocations`, {
        method: 'POST',
        body: '{}',
      });
      const error: unknown = response.json();
      const trace = isRecord(error) && Array.isArray(error.trace) ? error.trace.join('\n') : '';
      const client = path.join(ROOT, 'functions', 'shared', 'binance.ts');
      const throwLine = lineOf(client, "throw new HttpError(502, 'Could not reach Binance'");
      expect(response.headers['x-amz-function-error']).to.equal('Unhandled');
      expect(trace).to.include(`at fetchPrices (${client}:${throwLine}:`);
    } finally {
      await stopServing(serving);
    }
  });
});

describe('debugging: the flags, with SAM’s names', function () {
  this.timeout(60_000);
  let serving: Serving | undefined;
  afterEach(() => stopServing(serving));

  it('limits debugging to the function --debug-function names, as SAM applies its debug options to that one only', async () => {
    serving = await startServing(
      ['start-api', '-p', '0', '-d', '0', '--debug-function', 'MultiplyFunction', '--no-watch'],
      { bundled: true },
    );
    const line = serving
      .output()
      .split('\n')
      .find((text) => text.startsWith('Debugging '));
    expect(line).to.match(/^Debugging MultiplyFunction: /);
  });

  it('refuses --debug-function without -d', async () => {
    const result = await run(['start-api', '--debug-function', 'MultiplyFunction'], '', { bundled: true });
    expect([result.code, result.stderr.split('\n')[0]]).to.deep.equal([
      2,
      '--debug-function needs -d/--debug-port PORT',
    ]);
  });
});
