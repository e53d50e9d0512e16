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
  type GeneratedExpectation,
  type InvokeExpectation,
  loadApps,
  pendingFeatures,
  type RequestExpectation,
} from './expectations.ts';
import {
  functionErrorProblem,
  type GeneratedInvoke,
  generatedInvokes,
  loadAppModel,
  proxyResultProblem,
  shellWords,
} from './generated-events.ts';

/**
 * Each fixture app under test/fixtures/apps/ run as a user runs a public SAM app, unchanged: `start-api` from the
 * app's folder on port 0, every route and function URL requested, then `invoke` of each function with each of
 * its `events/` files, and `generate-event … | invoke` of each function with the event generated for each of its
 * triggers (API route, function URL, schedule, other service's event). `APPS_PENDING=layers,openapi` reports
 * the apps that need those features as pending.
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
  const generated = generatedFor(app);
  // Invocations are separate processes: they start with the app's suite, two at a time, while its routes are
  // requested, and each test awaits its own.
  const invocations = new Map<InvokeExpectation, Promise<Finished>>();
  const generatedInvocations = new Map<GeneratedInvoke, Promise<Piped>>();
  before(() => {
    for (const expected of app.invokes) {
      invocations.set(expected, started(INVOKE_SLOTS(() => invoke(app, expected))));
    }
    for (const generatedInvoke of generated.invokes) {
      generatedInvocations.set(generatedInvoke, started(INVOKE_SLOTS(() => pipe(app, generatedInvoke))));
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

        expectOutcome(finished, expected);
      });
    }
  });

  describe('generate-event | invoke', () => {
    if (generated.loadError !== undefined) {
      it("loads its template with the emulator's loader", () => {
        throw generated.loadError;
      });
      return;
    }

    if (app.generated.size > 0) {
      it('pins generated outcomes only of functions it invokes with a generated event', () => {
        const invoked = new Set(generated.invokes.map((generatedInvoke) => generatedInvoke.function));
        const unknown = [...app.generated.keys()].filter((id) => !invoked.has(id));

        expect(unknown, 'expect.json "generated" entries with no generated invoke').to.deep.equal([]);
      });
    }

    for (const generatedInvoke of generated.invokes) {
      const pinned = app.generated.get(generatedInvoke.function);
      const command = `\`generate-event ${shellWords(generatedInvoke.args)}\``;
      const outcome = pinned === undefined ? 'runs without a runtime error' : pinnedOutcomeOf(pinned);
      it(`invoke ${generatedInvoke.function} with ${command} ${outcome}`, async () => {
        const pendingInvocation = generatedInvocations.get(generatedInvoke);
        if (pendingInvocation === undefined) throw new Error('the invocation was not started');
        const { generate, finished } = await pendingInvocation;

        expect(generate.code, tail(generate.stderr)).to.equal(0);
        if (pinned !== undefined) expectOutcome(finished, pinned);
        else expectAnyEventOutcome(finished, generatedInvoke);
      });
    }
  });
}

/** The app's generated invokes, or why its template does not load (said by a failing test, not a crash). */
function generatedFor(app: AppExpectation): { invokes: GeneratedInvoke[]; loadError?: unknown } {
  try {
    return { invokes: generatedInvokes(loadAppModel(app.folder)) };
  } catch (error) {
    return { invokes: [], loadError: error };
  }
}

/** A started invocation, awaited later by its test: a failure to spawn is no unhandled rejection meanwhile. */
function started<T>(invocation: Promise<T>): Promise<T> {
  invocation.catch(() => undefined);
  return invocation;
}

/** `invoke`'s exit code and output are exactly what the expectation says. */
function expectOutcome(finished: Finished, expected: GeneratedExpectation): void {
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
}

/**
 * What holds for any well-formed event: exit 0 with a JSON result (a valid proxy result for an API's payload
 * version; a streaming function prints its stream), or exit 1 with the function's own error.
 */
function expectAnyEventOutcome(finished: Finished, generatedInvoke: GeneratedInvoke): void {
  const output = `stdout: ${finished.stdout}\n${tail(finished.stderr)}`;
  if (finished.code === 1) {
    expect(functionErrorProblem(parseJson(finished.stdout.trim())), output).to.equal(undefined);
    return;
  }
  expect(finished.code, output).to.equal(0);
  if (generatedInvoke.streams) return;
  expect(isJsonText(finished.stdout.trim()), `a JSON result on stdout, ${output}`).to.equal(true);
  if (generatedInvoke.payloadVersion !== undefined) {
    const result = parseJson(finished.stdout.trim());
    expect(proxyResultProblem(result, generatedInvoke.payloadVersion), output).to.equal(undefined);
  }
}

interface Piped {
  readonly generate: Finished;
  readonly finished: Finished;
}

/** `generate-event <args> | invoke <function> -t template.yaml`, from the app's folder. */
async function pipe(app: AppExpectation, generatedInvoke: GeneratedInvoke): Promise<Piped> {
  const options = { cwd: app.folder, bundled: true };
  const generate = await run(['generate-event', ...generatedInvoke.args], '', options);
  const finished = await run(
    ['invoke', generatedInvoke.function, '-t', 'template.yaml'],
    generate.stdout,
    options,
  );
  return { generate, finished };
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

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
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

function pinnedOutcomeOf(expected: GeneratedExpectation): string {
  const outcome =
    expected.error === undefined ? 'returns the result' : `fails with the ${expected.error.errorType}`;
  return `${outcome} expect.json pins`;
}

function outcomeOf(expected: InvokeExpectation): string {
  return expected.error === undefined ? 'returns its result' : `fails with ${expected.error.errorType}`;
}
