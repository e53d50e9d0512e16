/** A location inside the template: map keys and list indexes from the document root. */
export type Path = readonly (string | number)[];
/**
 * A plain object whose keys can be read without knowing their types yet. The emulator's own guard: it is a
 * package of its own and imports nothing from the application it serves.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Resources.Fn.Properties.Architectures[0]` */
export function formatPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/**
 * The function name when `value` is an intrinsic function call (`{"Ref": …}`, `{"Fn::Sub": …}`,
 * `{"Condition": …}`): a map with exactly one such key, as SAM and CloudFormation read it.
 */
export function intrinsicName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys;
  if (key === undefined) return undefined;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Reports a wrongly shaped value at its location; Diagnostics implements it. */
export interface Failer {
  fail(path: Path, message: string): never;
}

export function expectRecord(value: unknown, path: Path, diag: Failer): Record<string, unknown> {
  if (isRecord(value)) return value;
  return diag.fail(path, `expected a map, got ${describe(value)}`);
}

export function expectString(value: unknown, path: Path, diag: Failer): string {
  if (typeof value === 'string') return value;
  // CloudFormation accepts numbers where strings are expected and passes their text on.
  if (typeof value === 'number') return String(value);
  return diag.fail(path, `expected a string, got ${describe(value)}`);
}

export function expectNonEmptyString(value: unknown, path: Path, diag: Failer): string {
  const text = expectString(value, path, diag);
  if (text.trim() === '') diag.fail(path, 'expected a non-empty string');
  return text;
}

/** Strings, numbers and booleans, as text: what Lambda environment variables and stage variables hold. */
export function expectScalarText(value: unknown, path: Path, diag: Failer): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return diag.fail(path, `expected a string, number or boolean, got ${describe(value)}`);
}

export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

/** An integer, also written as a numeric string (what `Ref` to a `Number` parameter gives). */
export function expectInteger(value: unknown, path: Path, diag: Failer, range: IntegerRange = {}): number {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isInteger(number)) return diag.fail(path, `expected an integer, got ${describe(value)}`);
  if (range.min !== undefined && number < range.min)
    diag.fail(path, `must be at least ${range.min}, got ${number}`);
  if (range.max !== undefined && number > range.max)
    diag.fail(path, `must be at most ${range.max}, got ${number}`);
  return number;
}

/** A boolean, also written as the string `true`/`false` in any case, as CloudFormation accepts. */
export function expectBoolean(value: unknown, path: Path, diag: Failer): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return diag.fail(path, `expected true or false, got ${describe(value)}`);
}

export function expectList(value: unknown, path: Path, diag: Failer): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return diag.fail(path, `expected a list, got ${describe(value)}`);
}

export function expectStringList(value: unknown, path: Path, diag: Failer): string[] {
  return expectList(value, path, diag).map((item, index) => expectString(item, [...path, index], diag));
}

export function expectOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: Path,
  diag: Failer,
): T {
  const text = expectString(value, path, diag);
  const match = allowed.find((candidate) => candidate === text);
  if (match === undefined)
    diag.fail(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
  return match;
}
