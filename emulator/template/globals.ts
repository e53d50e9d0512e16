import type { Diagnostics } from './errors.ts';
import { expectRecord, intrinsicName, isRecord, type Path } from './values.ts';

/** The Globals sections the emulator applies. */
export interface Globals {
  readonly function: Readonly<Record<string, unknown>> | undefined;
  readonly api: Readonly<Record<string, unknown>> | undefined;
  readonly httpApi: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Properties SAM refuses in Globals, "because they either made the template hard to understand, or they might
 * open a potential security issue".
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
 */
const UNSUPPORTED: Readonly<Record<string, readonly string[]>> = {
  Function: ['Role', 'Policies', 'FunctionName', 'Events'],
  Api: ['StageName', 'DefinitionBody'],
  HttpApi: ['StageName', 'DefinitionBody', 'DefinitionUri'],
};

/** Sections SAM knows but whose resources the emulator does not run. */
const IGNORED_SECTIONS = new Set([
  'SimpleTable',
  'StateMachine',
  'LayerVersion',
  'CapacityProvider',
  'MicrovmImage',
  'NetworkConnector',
]);

/** Reads `Globals`, failing on the properties SAM does not allow there. */
export function readGlobals(section: unknown, diag: Diagnostics): Globals {
  if (section === undefined) return { function: undefined, api: undefined, httpApi: undefined };
  const globals = expectRecord(section, ['Globals'], diag);
  const read = (name: string): Record<string, unknown> | undefined => {
    if (globals[name] === undefined) return undefined;
    const properties = expectRecord(globals[name], ['Globals', name], diag);
    for (const property of UNSUPPORTED[name] ?? []) {
      if (Object.hasOwn(properties, property)) {
        diag.fail(
          ['Globals', name, property],
          `SAM does not allow ${property} in Globals.${name}; set it on each resource`,
        );
      }
    }
    return properties;
  };
  for (const name of Object.keys(globals)) {
    if (!Object.hasOwn(UNSUPPORTED, name) && !IGNORED_SECTIONS.has(name)) {
      diag.warn(['Globals', name], `Globals.${name} is not a section the emulator knows; ignored`);
    }
  }
  return { function: read('Function'), api: read('Api'), httpApi: read('HttpApi') };
}

/** A resource's properties with Globals merged in, remembering which values came from Globals. */
export class MergedProperties {
  constructor(
    readonly values: Readonly<Record<string, unknown>>,
    private readonly localPath: Path,
    private readonly origins: ReadonlyMap<string, Path>,
  ) {}

  /** Where the property at `relative` (e.g. `['Environment', 'Variables', 'STAGE']`) was written. */
  pathOf(relative: Path): Path {
    for (let length = relative.length; length > 0; length -= 1) {
      const origin = this.origins.get(originKey(relative.slice(0, length)));
      if (origin !== undefined) return [...origin, ...relative.slice(length)];
    }
    return [...this.localPath, ...relative];
  }
}

function originKey(relative: Path): string {
  return JSON.stringify(relative);
}

type Shape = 'map' | 'list' | 'primitive';

/** Intrinsic functions count as primitives: SAM never merges into `{"Fn::If": …}`. */
function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return 'list';
  if (isRecord(value) && intrinsicName(value) === undefined) return 'map';
  return 'primitive';
}

/**
 * Merges Globals into a resource's properties as SAM does: primitives are replaced by the resource's value, maps
 * are merged with the resource's keys winning, and lists are additive (Globals entries first). Values of
 * different shapes: the resource wins.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html#sam-specification-template-anatomy-globals-overrideable
 */
export function mergeGlobals(
  global: Readonly<Record<string, unknown>> | undefined,
  globalPath: Path,
  local: Readonly<Record<string, unknown>>,
  localPath: Path,
): MergedProperties {
  const origins = new Map<string, Path>();
  const merge = (globalValue: unknown, localValue: unknown, relative: Path): unknown => {
    const shape = shapeOf(globalValue);
    if (shape !== shapeOf(localValue) || shape === 'primitive') return localValue;
    if (Array.isArray(globalValue) && Array.isArray(localValue)) {
      globalValue.forEach((_item, index) => {
        origins.set(originKey([...relative, index]), [...globalPath, ...relative, index]);
      });
      localValue.forEach((_item, index) => {
        origins.set(originKey([...relative, globalValue.length + index]), [...localPath, ...relative, index]);
      });
      return [...globalValue, ...localValue];
    }
    if (isRecord(globalValue) && isRecord(localValue)) return mergeMaps(globalValue, localValue, relative);
    return localValue;
  };
  const mergeMaps = (
    globalMap: Readonly<Record<string, unknown>>,
    localMap: Readonly<Record<string, unknown>>,
    relative: Path,
  ): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(globalMap)) {
      if (Object.hasOwn(localMap, key)) {
        result[key] = merge(value, localMap[key], [...relative, key]);
      } else {
        result[key] = value;
        origins.set(originKey([...relative, key]), [...globalPath, ...relative, key]);
      }
    }
    for (const [key, value] of Object.entries(localMap)) {
      if (!Object.hasOwn(globalMap, key)) result[key] = value;
    }
    return result;
  };
  const values = global === undefined ? { ...local } : mergeMaps(global, local, []);
  return new MergedProperties(values, localPath, origins);
}
