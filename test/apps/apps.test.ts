import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { run, type Serving, startServing, stopServing } from '../support/cli.ts';
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
  it('has an expectation for every file in its events/ folder', () => {
    const invoked = new Set(app.invokes.map((invoke) => invoke.event));
    const files = eventFiles(app.folder).filter((file) => !invoked.has(file));

    expect(files, 'events/ files that no invoke expectation uses').to.deep.equal([]);
  });

  if (app.requests.length > 0) {
    describe('start-api', () => {
      let serving: Serving | undefined;
      before(async () => {
        serving = await startServing(['start-api', '-t', 'template.yaml', '-p', '0', '--no-watch', ...app.startArgs], {
          cwd: app.folder,
          bundled: true,
        });
      });
      after(() => stopServing(serving));

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
          expect({ status: response.status, headers, body }, serving.output()).to.deep.equal({
            status: expected.status,
            headers: expected.responseHeaders,
            body: expected.text ?? expected.json,
          });
        });
      }
    });
  }

  for (const expected of app.invokes) {
    it(`invoke ${expected.function} -e ${expected.event} ${outcomeOf(expected)}`, async () => {
      const finished = await run(['invoke', expected.function, '-t', 'template.yaml', '-e', expected.event], '', {
        cwd: app.folder,
        bundled: true,
      });

      const printed = parseJson(finished.stdout.trim());
      if (expected.error !== undefined) {
        expect({ code: finished.code, printed }, finished.stderr).to.deep.include({ code: 1 });
        expect(printed, finished.stderr).to.deep.include(expected.error);
      } else {
        expect(
          { code: finished.code, result: comparableResult(printed, expected.result) },
          finished.stderr,
        ).to.deep.equal({ code: 0, result: expected.result });
      }
    });
  }
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
