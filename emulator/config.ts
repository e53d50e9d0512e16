import type { FunctionModel } from './template/model.ts';
import { isRecord } from './template/values.ts';

/** The contents of an `--env-vars` file in SAM's format. */
export interface EnvVarsFile {
  /** `{"Parameters": {...}}`: for every function. */
  readonly all: Readonly<Record<string, string>>;
  /** `{"<LogicalId>": {...}}`: for one function, winning over `Parameters`. */
  readonly byFunction: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export const NO_ENV_VARS: EnvVarsFile = { all: {}, byFunction: new Map() };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads SAM's env.json format. Values may be strings, numbers or booleans (stringified as Lambda would);
 * anything else is an error naming the key.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-invoke.html#serverless-sam-cli-using-invoke-environment-file
 */
export function parseEnvVars(text: string, source: string): EnvVarsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message can quote the text around the fault, and that text may be a secret: say only where it is.
    throw new ConfigError(`${source}: not valid JSON${whereJsonFailed(text, error)} (values are not shown)`);
  }
  if (!isRecord(data))
    throw new ConfigError(`${source}: expected a JSON object such as {"Parameters": {"KEY": "value"}}`);
  let all: Record<string, string> = {};
  const byFunction = new Map<string, Record<string, string>>();
  for (const [key, value] of Object.entries(data)) {
    const variables = stringMap(value, `${source}: ${key}`);
    if (key === 'Parameters') all = variables;
    else byFunction.set(key, variables);
  }
  return { all, byFunction };
}

/**
 * The function's environment with env.json applied as SAM CLI applies it: only variables that the template
 * declares are overridden; the names of the others are returned so that the caller can warn about them.
 */
export function applyEnvVars(
  fn: FunctionModel,
  file: EnvVarsFile,
): { environment: Record<string, string>; ignored: string[] } {
  const environment = { ...fn.environment };
  const ignored: string[] = [];
  const overrides = { ...file.all, ...file.byFunction.get(fn.logicalId) };
  for (const [name, value] of Object.entries(overrides)) {
    if (Object.hasOwn(environment, name)) environment[name] = value;
    else ignored.push(name);
  }
  return { environment, ignored };
}

/**
 * Reads `--parameter-overrides` values (and samconfig's `parameter_overrides`) as SAM CLI accepts them:
 * `Key=Value` pairs separated by spaces, or `ParameterKey=Key,ParameterValue=Value`. A value wrapped in double or
 * single quotes keeps its spaces and loses the quotes, and `\ `, `\"` and `\'` are unescaped, as SAM CLI's
 * `CfnParameterOverridesType` does; an unquoted value runs up to the next ` Key=`.
 */
export function parseParameterOverrides(values: readonly string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const value of values) {
    for (const [key, text] of overridePairs(value)) overrides[key] = text;
  }
  return overrides;
}

const LONG_FORM = /^ParameterKey=([^,]+),ParameterValue=/;
const NEXT_PAIR = /\s+(?=[^\s=]+=)/g;

function* overridePairs(text: string): Generator<[string, string]> {
  let at = 0;
  while (at < text.length) {
    while (at < text.length && /\s/.test(text.charAt(at))) at++;
    if (at >= text.length) return;
    const rest = text.slice(at);
    const long = LONG_FORM.exec(rest);
    let key: string;
    if (long?.[1] !== undefined) {
      key = long[1];
      at += long[0].length;
    } else {
      const equals = rest.search(/[=\s]/);
      if (equals <= 0 || rest.charAt(equals) !== '=') {
        const pair = rest.split(/\s/, 1)[0] ?? rest;
        throw new ConfigError(`--parameter-overrides: expected Key=Value, got ${JSON.stringify(pair)}`);
      }
      key = rest.slice(0, equals);
      at += equals + 1;
    }
    const quote = text.charAt(at);
    if (quote === '"' || quote === "'") {
      let end = at + 1;
      while (end < text.length && text.charAt(end) !== quote) end += text.charAt(end) === '\\' ? 2 : 1;
      yield [key, unescapeValue(text.slice(at + 1, end))];
      at = end + 1;
      continue;
    }
    NEXT_PAIR.lastIndex = at;
    const next = NEXT_PAIR.exec(text);
    const end = next === null ? text.length : next.index;
    yield [key, unescapeValue(text.slice(at, end))];
    at = end;
  }
}

function unescapeValue(value: string): string {
  return value.replaceAll('\\ ', ' ').replaceAll('\\"', '"').replaceAll("\\'", "'");
}

/** ` at line L, column C` when the parser's message gives a position, which it does for most faults. */
function whereJsonFailed(text: string, error: unknown): string {
  const position = error instanceof Error ? /at position (\d+)/.exec(error.message)?.[1] : undefined;
  if (position === undefined) return '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (!isRecord(value)) throw new ConfigError(`${where}: expected an object of variable names to values`);
  const map: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      map[name] = String(item);
    else throw new ConfigError(`${where}.${name}: expected a string, number or boolean`);
  }
  return map;
}
