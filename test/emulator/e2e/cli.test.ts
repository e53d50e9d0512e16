import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { GATEWAY_TEMPLATE } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = ['--import', 'tsx', 'emulator/cli.ts'];

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as `npm run local -- …` does (without npm), with optional stdin, to completion. */
function run(args: readonly string[], stdin?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Starts a long-running command and resolves with the URL it prints once it serves. */
function startServing(
  args: readonly string[],
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Serving on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${output}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the emulator CLI', function () {
  this.timeout(30_000);

  describe('invoke', () => {
    it('prints the function result as JSON on stdout and exits 0 (events/multiply.json)', async () => {
      const { code, stdout, stderr } = await run([
        'invoke',
        'MultiplyFunction',
        '-e',
        'events/multiply.json',
      ]);

      expect(code, stderr).to.equal(0);
      const result = JSON.parse(stdout);
      expect(result).to.include({ statusCode: 200, body: '{"result":36}' });
      expect(stderr).to.match(/platform\.report/);
    });

    it('reads the event from stdin when no -e is given', async () => {
      const event = JSON.stringify({
        ...JSON.parse(await readEvent('multiply.json')),
        body: '{"a":2,"b":21}',
      });

      const { code, stdout } = await run(['invoke', 'MultiplyFunction'], event);

      expect(code).to.equal(0);
      expect(JSON.parse(stdout)).to.include({ body: '{"result":42}' });
    });

    it('exits 1 and prints the error object when the function fails, as sam local invoke does', async () => {
      const { code, stdout } = await run([
        'invoke',
        '-t',
        GATEWAY_TEMPLATE,
        'ThrowsFunction',
        '-e',
        'events/multiply.json',
      ]);

      expect(code).to.equal(1);
      expect(JSON.parse(stdout)).to.include({
        errorType: 'Error',
        errorMessage: 'boom: a secret detail that must not reach the client',
      });
    });

    it('exits 2 naming the functions when the one asked for does not exist', async () => {
      const { code, stderr } = await run(['invoke', 'NoSuchFunction', '-e', 'events/multiply.json']);

      expect(code).to.equal(2);
      expect(stderr).to.include(
        'No function NoSuchFunction in the template: one of GetPriceFunction, MultiplyFunction',
      );
    });

    it('exits 1 with a clear message when the event file is not JSON', async () => {
      const { code, stderr } = await run(['invoke', 'MultiplyFunction', '-e', 'Makefile']);

      expect(code).to.equal(1);
      expect(stderr).to.match(/Makefile: the event is not valid JSON/);
    });
  });

  describe('start', () => {
    it('binds 127.0.0.1 by default, serves both APIs, and exits 0 on SIGINT after finishing in-flight requests', async () => {
      const { child, url } = await startServing([
        'start',
        '-t',
        GATEWAY_TEMPLATE,
        '-p',
        '0',
        '--lambda-port',
        '0',
        '--web-port',
        '0',
        '--no-watch',
      ]);
      const exited = exitOf(child);
      try {
        expect(new URL(url).hostname).to.equal('127.0.0.1');
        expect((await request(`${url}/v2/infer`)).status).to.equal(200);

        // SleepsFunction runs past its 1 s Timeout: the request is still in flight when SIGINT arrives.
        const inFlight = request(`${url}/timeout`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        child.kill('SIGINT');

        expect((await inFlight).status).to.equal(502);
        expect(await exited).to.equal(0);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it("prints each schedule's next three fire times in UTC, and --no-schedules leaves them out", async () => {
      const withSchedules = await startServing([
        'start',
        '-p',
        '0',
        '--lambda-port',
        '0',
        '--web-port',
        '0',
        '--no-watch',
      ]);
      const withoutSchedules = await startServing([
        'start',
        '-p',
        '0',
        '--lambda-port',
        '0',
        '--no-watch',
        '--no-schedules',
      ]);
      withSchedules.child.kill('SIGKILL');
      withoutSchedules.child.kill('SIGKILL');

      expect(withSchedules.output()).to.match(
        /Schedules \(UTC\):\n {2}PriceTickerFunction \(Every5Minutes\) {2}rate\(5 minutes\) {2}next: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, \S+, \S+/,
      );
      expect(withoutSchedules.output()).to.not.include('Schedules');
    });

    it('stops with exit 1 naming the resource when a schedule expression is invalid', async () => {
      const { code, stderr } = await run([
        'start',
        '-t',
        'test/fixtures/templates/invalid-schedule.yaml',
        '-p',
        '0',
        '--lambda-port',
        '0',
      ]);

      expect(code).to.equal(1);
      expect(stderr).to.include(
        'TickerFunction.Events.EveryMinute: rate(1 minutes): a value of 1 takes the singular unit',
      );
    });

    it('stops with exit 1 and names the resource and line when the template is invalid', async () => {
      const { code, stderr } = await run([
        'start',
        '-t',
        'test/fixtures/templates/invalid-path.yaml',
        '-p',
        '0',
      ]);

      expect(code).to.equal(1);
      expect(stderr).to.match(
        /invalid-path\.yaml:\d+: Resources\.Broken\.Properties\.Events\.Api\.Properties\.Path/,
      );
    });

    it('rejects an unknown flag with the usage text and exit 2', async () => {
      const { code, stderr } = await run(['start', '--nope']);

      expect(code).to.equal(2);
      expect(stderr).to.include("Unknown option '--nope'");
      expect(stderr).to.include('Usage: npm run local -- <command> [options]');
    });
  });
});

async function readEvent(name: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL(`../../../events/${name}`, import.meta.url), 'utf8');
}
