import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { exitOf, listeningAddresses, ROOT, run, startServing } from '../../support/cli.ts';
import { GATEWAY_TEMPLATE } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

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

    it('reads a piped event whole when the writer pauses between chunks', async () => {
      const event = JSON.stringify({
        ...JSON.parse(await readEvent('multiply.json')),
        body: '{"a":6,"b":7}',
      });
      const half = Math.floor(event.length / 2);
      const writer = `printf '%s' "$FIRST"; sleep 0.3; printf '%s' "$SECOND"`;
      const child = spawn(
        'bash',
        ['-c', `(${writer}) | "${process.execPath}" --import tsx emulator/cli.ts invoke MultiplyFunction`],
        {
          cwd: ROOT,
          env: { ...process.env, FIRST: event.slice(0, half), SECOND: event.slice(half) },
        },
      );
      let stdout = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      const code = await new Promise((resolve) => child.on('close', resolve));

      expect(code).to.equal(0);
      expect(JSON.parse(stdout)).to.include({ body: '{"result":42}' });
    });

    it('exits 2 naming -e when a pipe gives no event, rather than running the function with {}', async () => {
      const { code, stdout, stderr } = await run(['invoke', 'MultiplyFunction'], '');

      expect(code).to.equal(2);
      expect(stdout).to.equal('');
      expect(stderr.trim().split('\n').at(-1)).to.equal(
        'error: invoke: stdin gave no event (did the command before | fail?): pass one with -e FILE, or run without a pipe for {}',
      );
    });

    it('with stdin on /dev/null and no -e, sends {} as sam local invoke does without an event', async () => {
      const { code, stdout, stderr } = await run(['invoke', 'MultiplyFunction']);

      expect(code, stderr).to.equal(0);
      // {} has no body: the function answers its own 400.
      expect(JSON.parse(stdout)).to.include({ statusCode: 400 });
    });

    it('a Handler whose file is missing fails as Lambda does: Runtime.ImportModuleError, exit 1, a warning naming the file', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'missing-handler-'));
      try {
        mkdirSync(path.join(dir, 'src'));
        writeFileSync(
          path.join(dir, 'template.yaml'),
          'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n' +
            '    Properties: {Runtime: nodejs22.x, CodeUri: src/, Handler: app.handler}\n',
        );

        const { code, stdout, stderr } = await run(['invoke', '-t', path.join(dir, 'template.yaml'), 'Fn']);

        expect(code).to.equal(1);
        expect(JSON.parse(stdout)).to.include({ errorType: 'Runtime.ImportModuleError' });
        expect(stderr).to.include('Fn: Handler app.handler, but');
        expect(stderr).to.include('has no app.js, .mjs or .cjs');
        expect(stderr).not.to.include('internal error');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('exits 2 with a clear message when the event file is not JSON', async () => {
      const { code, stderr } = await run(['invoke', 'MultiplyFunction', '-e', 'Makefile']);

      expect(code).to.equal(2);
      expect(stderr).to.match(/Makefile: the event is not valid JSON/);
    });
  });

  describe('start', () => {
    it('binds 127.0.0.1 by default, serves both APIs, and exits 0 on SIGINT after finishing in-flight requests', async () => {
      const { child, url, output } = await startServing([
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
        // The sockets themselves, not only the printed URLs: nothing listens on another address.
        const lambdaUrl = await printed(output, /Lambda Invoke endpoint on (http:\/\/\S+)/);
        for (const bound of [url, lambdaUrl]) {
          expect(listeningAddresses(Number(new URL(bound).port)), bound).to.deep.equal(['127.0.0.1']);
        }
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

    it('stops with exit 2 naming the resource when a schedule expression is invalid', async () => {
      const { code, stderr } = await run([
        'start',
        '-t',
        'test/fixtures/templates/invalid-schedule.yaml',
        '-p',
        '0',
        '--lambda-port',
        '0',
      ]);

      expect(code).to.equal(2);
      expect(stderr).to.include(
        'TickerFunction.Events.EveryMinute: rate(1 minutes): a value of 1 takes the singular unit',
      );
    });

    it('stops with exit 2 and names the resource and line when the template is invalid', async () => {
      const { code, stderr } = await run([
        'start',
        '-t',
        'test/fixtures/templates/invalid-path.yaml',
        '-p',
        '0',
      ]);

      expect(code).to.equal(2);
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

/** The first group of `pattern` once the process has printed it (within 5 s). */
async function printed(output: () => string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = pattern.exec(output())?.[1];
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`never printed ${pattern}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
