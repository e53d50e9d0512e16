import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../../emulator/template/values.ts';

/**
 * Emulator features an app can depend on. An app listing one that `APPS_PENDING` names is reported as pending
 * rather than run, until that feature has merged.
 */
export const FEATURES = [
  'codeuri-default',
  'samconfig',
  'generated-ids',
  'inline-code',
  'duplicate-keys',
  'function-urls',
  'streaming',
  'layers',
  'openapi',
  'aws-sdk',
] as const;

export type Feature = (typeof FEATURES)[number];

/** One HTTP request to the running app and the whole answer expected. */
export interface RequestExpectation {
  readonly method: string;
  /** The path (and query) on the API server, or on the function URL when `functionUrl` is set. */
  readonly path: string;
  /** Logical id of the function whose URL (from the `Function URLs:` block) receives the request. */
  readonly functionUrl: string | undefined;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly status: number;
  /** The body parsed as JSON, compared deeply; or `text`, compared exactly. */
  readonly json?: unknown;
  readonly text?: string;
  /** Response headers (lower-case names) that must have exactly these values. */
  readonly responseHeaders: Record<string, string>;
}

/** `invoke <function> -e <event>` and what it must print. */
export interface InvokeExpectation {
  readonly function: string;
  /** The event file, relative to the app's folder (`events/…`). */
  readonly event: string;
  /**
   * The result on stdout (exit 0). A proxy result's `body` given as an object or array is compared with the
   * JSON the function returned as a string.
   */
  readonly result?: unknown;
  /** A function error (exit 1): its `errorType` and `errorMessage`. */
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
}

/** What invoking a function with its generated events must print: a `result` (exit 0) or an `error` (exit 1). */
export type GeneratedExpectation = Pick<InvokeExpectation, 'result' | 'error'>;

export interface AppExpectation {
  readonly name: string;
  readonly folder: string;
  /** The public application (repo/path) whose shape the fixture imitates. */
  readonly imitates: string;
  readonly requires: readonly Feature[];
  /** Extra `start-api` flags, e.g. `--function-url-port 0` so that URLs take ephemeral ports. */
  readonly startArgs: readonly string[];
  readonly requests: readonly RequestExpectation[];
  readonly invokes: readonly InvokeExpectation[];
  /**
   * Exact outcomes of `generate-event … | invoke <function>`, by function logical id, for every event generated
   * for that function; a function not named here only has to run without a runtime error.
   */
  readonly generated: ReadonlyMap<string, GeneratedExpectation>;
}

export const APPS_FOLDER = path.resolve(import.meta.dirname, '../fixtures/apps');

/** Every app under test/fixtures/apps/, from its `expect.json`: adding an app is adding a folder. */
export function loadApps(root = APPS_FOLDER): AppExpectation[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readApp(name, path.join(root, name)));
}

/** The features `APPS_PENDING=urls,layers` names; a name that is not a feature is an error, not ignored. */
export function pendingFeatures(value: string | undefined): Set<Feature> {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return new Set(names.map((name) => feature(name, 'APPS_PENDING')));
}

function readApp(name: string, folder: string): AppExpectation {
  const file = path.join(folder, 'expect.json');
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRecord(raw)) throw new Error(`${file}: expected an object`);
  const list = (key: string): unknown[] => {
    const value = raw[key] ?? [];
    if (!Array.isArray(value)) throw new Error(`${file}: ${key} must be a list`);
    return value;
  };
  return {
    name,
    folder,
    imitates: text(raw.imitates, `${file}: imitates`),
    requires: list('requires').map((item) => feature(text(item, `${file}: requires`), file)),
    startArgs: list('startArgs').map((item) => text(item, `${file}: startArgs`)),
    requests: list('requests').map((item, index) => readRequest(item, `${file}: requests[${index}]`)),
    invokes: list('invokes').map((item, index) => readInvoke(item, `${file}: invokes[${index}]`)),
    generated: readGenerated(raw.generated, `${file}: generated`),
  };
}

function readGenerated(raw: unknown, where: string): Map<string, GeneratedExpectation> {
  if (raw === undefined) return new Map();
  if (!isRecord(raw)) throw new Error(`${where} must be an object keyed by function`);
  return new Map(Object.entries(raw).map(([id, item]) => [id, readOutcome(item, `${where}.${id}`)]));
}

function readRequest(raw: unknown, where: string): RequestExpectation {
  if (!isRecord(raw)) throw new Error(`${where}: expected an object`);
  if (typeof raw.status !== 'number') throw new Error(`${where}: status must be a number`);
  if ('json' in raw === 'text' in raw) throw new Error(`${where}: give exactly one of json and text`);
  return {
    method: raw.method === undefined ? 'GET' : text(raw.method, `${where}: method`),
    path: text(raw.path, `${where}: path`),
    functionUrl: raw.functionUrl === undefined ? undefined : text(raw.functionUrl, `${where}: functionUrl`),
    headers: strings(raw.headers, `${where}: headers`),
    body: raw.body === undefined ? undefined : text(raw.body, `${where}: body`),
    status: raw.status,
    ...('json' in raw ? { json: raw.json } : { text: text(raw.text, `${where}: text`) }),
    responseHeaders: strings(raw.responseHeaders, `${where}: responseHeaders`),
  };
}

function readInvoke(raw: unknown, where: string): InvokeExpectation {
  if (!isRecord(raw)) throw new Error(`${where}: expected an object`);
  return {
    function: text(raw.function, `${where}: function`),
    event: text(raw.event, `${where}: event`),
    ...readOutcome(raw, where),
  };
}

function readOutcome(raw: unknown, where: string): GeneratedExpectation {
  if (!isRecord(raw)) throw new Error(`${where}: expected an object`);
  if ('result' in raw === 'error' in raw) throw new Error(`${where}: give exactly one of result and error`);
  if ('result' in raw) return { result: raw.result };
  const error = raw.error;
  if (!isRecord(error)) throw new Error(`${where}: error must be an object`);
  return {
    error: {
      errorType: text(error.errorType, `${where}: error.errorType`),
      errorMessage: text(error.errorMessage, `${where}: error.errorMessage`),
    },
  };
}

function feature(name: string, where: string): Feature {
  const found = FEATURES.find((known) => known === name);
  if (found === undefined) throw new Error(`${where}: ${name} is not one of ${FEATURES.join(', ')}`);
  return found;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} must be a string`);
  return value;
}

function strings(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new Error(`${where} must be an object of strings`);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) result[key] = text(item, `${where}.${key}`);
  return result;
}

/**
 * What a result must equal once a proxy result's JSON `body` string is parsed where the expectation gives the
 * body as JSON (so that expectations read as data, not as escaped strings).
 */
export function comparableResult(actual: unknown, expected: unknown): unknown {
  if (!isRecord(actual) || !isRecord(expected) || typeof actual.body !== 'string') return actual;
  if (expected.body === undefined || typeof expected.body === 'string') return actual;
  try {
    return { ...actual, body: JSON.parse(actual.body) };
  } catch {
    return actual;
  }
}
