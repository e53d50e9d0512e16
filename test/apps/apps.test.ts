import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { isRecord } from '../../emulator/template/values.ts';
import { type Finished, run, type Serving, startServing, stopServing } from '../support/cli.ts';
import { request } from '../support/http.ts';
import { eventually } from '../support/wait.ts';
import {
  type AppExpectation,
  comparableResult,
  type InvokeExpectation,
  loadApps,
  pendingFeatures,
  type RequestExpectation,
} from './expectations.ts';

/**
 * Each fixture app under test/fixtures/apps/ run as a user runs a public SAM app, unchanged: `start-api` from the
 * app's folder on port 0, every route and function URL requested, then `invoke` of each function with each of
 * its `events/` files. `APPS_PENDING=layers,openapi` reports the apps that need those features as pending.
 */
const pending = pendingFeatures(process.env.APPS_PENDING);
const INVOKE_SLOTS = slots(2);

describe('public-shaped SAM apps, run unchanged through the CLI', function () {
  this.timeout(20_000);

  for (const app of loadApps()) {
    describe(`${app.name} (shaped like ${app.imitates})`, () => {
      const waitingFor = app.requires.filter((feature) => pending.has(feature));
      if (waitingFor.length > 0) {
        it(`is pending while APPS_PENDING lists ${waitingFor.join(', ')}`, function () {
          this.skip();
        });
        return;
      }
      describeApp(app);
    });
  }
});

function describeApp(app: AppExpectation): void {
  // Invocations are separate processes: they start with the app's suite, two at a time, while its routes are
  // requested, and each test awaits its own.
  const invocations = new Map<InvokeExpectation, Promise<Finished>>();
  before(() => {
    for (const expected of app.invokes) {
      const invocation = INVOKE_SLOTS(() => invoke(app, expected));
      // Its test awaits it later: a failure to spawn must not count as an unhandled rejection meanwhile.
      invocation.catch(() => undefined);
      invocations.set(expected, invocation);
    }
  });

  it('has an expectation for every file in its events/ folder', () => {
    const invoked = new Set(app.invokes.map((invoke) => invoke.event));
    const files = eventFiles(app.folder).filter((file) => !invoked.has(file));

    expect(files, 'events/ files that no invoke expectation uses').to.deep.equal([]);
  });

  describe('start-api', () => {
    let serving: Serving | undefined;
    before(async () => {
      serving = await startServing(
        ['start-api', '-t', 'template.yaml', '-p', '0', '--no-watch', ...app.startArgs],
        { cwd: app.folder, bundled: true },
      );
    });
    after(() => stopServing(serving));

    const functions = [...new Set(app.invokes.map((invoke) => invoke.function))];
    it(`starts from the app's folder and lists ${functions.join(', ') || 'its functions'}`, () => {
      const listed = (serving?.output().split(/^Functions:$/m)[1] ?? '').split('\n');
      const missing = functions.filter((id) => !listed.some((line) => line.trim().startsWith(`${id} `)));

      expect(missing, serving?.output()).to.deep.equal([]);
    });

    for (const expected of app.requests) {
      it(`answers ${describeRequest(expected)} with ${expected.status}`, async () => {
        if (serving === undefined) throw new Error('start-api did not start');
        const base = await baseUrl(serving, expected.functionUrl);

        const response = await request(new URL(expected.path.replace(/^\//, ''), `${base}/`).href, {
          method: expected.method,
          headers: expected.headers,
          ...(expected.body === undefined ? {} : { body: expected.body }),
        });

        const headers: Record<string, unknown> = {};
        for (const name of Object.keys(expected.responseHeaders)) headers[name] = response.headers[name];
        const body = expected.text === undefined ? parseJson(response.text()) : response.text();
        expect({ status: response.status, headers, body }, tail(serving.output())).to.deep.equal({
          status: expected.status,
          headers: expected.responseHeaders,
          body: expected.text ?? expected.json,
        });
      });
    }
  });

  describe('invoke', () => {
    for (const expected of app.invokes) {
      it(`invoke ${expected.function} -e ${expected.event} ${outcomeOf(expected)}`, async () => {
        const pendingInvocation = invocations.get(expected);
        if (pendingInvocation === undefined) throw new Error('the invocation was not started');
        const finished = await pendingInvocation;

        const printed = parseJson(finished.stdout.trim());
        if (expected.error !== undefined) {
          expect({ code: finished.code, printed }, tail(finished.stderr)).to.deep.equal({
            code: 1,
            printed: { ...(isRecord(printed) ? printed : {}), ...expected.error },
          });
        } else {
          expect(
            { code: finished.code, result: comparableResult(printed, expected.result) },
            tail(finished.stderr),
          ).to.deep.equal({ code: 0, result: expected.result });
        }
      });
    }
  });
}

function invoke(app: AppExpectation, expected: InvokeExpectation): Promise<Finished> {
  return run(['invoke', expected.function, '-t', 'template.yaml', '-e', expected.event], '', {
    cwd: app.folder,
    bundled: true,
  });
}

/** Runs at most `count` of the given tasks at once, in the order they were given. */
function slots(count: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= count) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/** The end of a long output, which is where a failure shows. */
function tail(output: string | undefined): string {
  const text = output ?? '';
  return text.length > 3000 ? `…${text.slice(-3000)}` : text;
}

/** The API server's URL, or the URL the `Function URLs:` block prints for that function (printed after the routes). */
async function baseUrl(serving: Serving, functionUrl: string | undefined): Promise<string> {
  if (functionUrl === undefined) return serving.url.replace(/\/$/, '');
  let found: string | undefined;
  await eventually(() => {
    const block = serving.output().split(/^Function URLs:\s*$/m)[1] ?? '';
    const line = block.split('\n').find((candidate) => new RegExp(`\\b${functionUrl}\\b`).test(candidate));
    found = line === undefined ? undefined : /(http:\/\/[^\s/]+)/.exec(line)?.[1];
    if (found === undefined) throw new Error(`no function URL for ${functionUrl} in:\n${serving.output()}`);
  }, 5000);
  return found ?? '';
}

function eventFiles(folder: string): string[] {
  try {
    return readdirSync(path.join(folder, 'events'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => `events/${file}`)
      .sort();
  } catch {
    return [];
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeRequest(expected: RequestExpectation): string {
  const where = expected.functionUrl === undefined ? '' : ` on ${expected.functionUrl}'s function URL`;
  return `${expected.method} ${expected.path}${where}`;
}

function outcomeOf(expected: InvokeExpectation): string {
  return expected.error === undefined ? 'returns its result' : `fails with ${expected.error.errorType}`;
}
