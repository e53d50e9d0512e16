import type { Diagnostics } from './errors.ts';
import type { EsbuildProperties } from './model.ts';
import {
  expectBoolean,
  expectOneOf,
  expectRecord,
  expectString,
  expectStringList,
  type Path,
} from './values.ts';

const KNOWN_PROPERTIES = new Set([
  'EntryPoints',
  'External',
  'Format',
  'Loader',
  'MainFields',
  'Minify',
  'OutExtension',
  'Sourcemap',
  'SourcesContent',
  'Target',
  'Banner',
]);

const SOURCE_MAPS_FLAG = '--enable-source-maps';

/** `Metadata.BuildMethod: esbuild` with its build properties, and the environment SAM builds it into. */
export interface EsbuildBuild {
  readonly build: EsbuildProperties;
  /** The function's environment, with `NODE_OPTIONS: --enable-source-maps` added when source maps are on. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Reads `Metadata.BuildProperties` of an esbuild function and fills in SAM's defaults: format cjs, target
 * es2020, minify true, entry point from the handler's file. Source maps follow `Sourcemap`, else are on when
 * `NODE_OPTIONS` has `--enable-source-maps`; when on, that flag is added to `NODE_OPTIONS`.
 * `undefined` when the function is not built with esbuild.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html
 */
export function readEsbuild(
  metadata: unknown,
  metadataPath: Path,
  handler: string,
  environment: Readonly<Record<string, string>>,
  diag: Diagnostics,
): EsbuildBuild | undefined {
  if (metadata === undefined) return undefined;
  const meta = expectRecord(metadata, metadataPath, diag);
  if (meta.BuildMethod === undefined) return undefined;
  const method = expectString(meta.BuildMethod, [...metadataPath, 'BuildMethod'], diag);
  if (method !== 'esbuild') {
    diag.warn(
      [...metadataPath, 'BuildMethod'],
      `BuildMethod ${method} is not supported; CodeUri runs as it is`,
    );
    return undefined;
  }
  const propertiesPath: Path = [...metadataPath, 'BuildProperties'];
  const properties =
    meta.BuildProperties === undefined ? {} : expectRecord(meta.BuildProperties, propertiesPath, diag);
  for (const key of Object.keys(properties)) {
    if (!KNOWN_PROPERTIES.has(key))
      diag.warn([...propertiesPath, key], `unknown esbuild build property; ignored`);
  }
  const at = (key: string): Path => [...propertiesPath, key];
  const flag = (key: string, fallback: boolean): boolean =>
    properties[key] === undefined ? fallback : expectBoolean(properties[key], at(key), diag);
  const list = (key: string): string[] =>
    properties[key] === undefined ? [] : expectStringList(properties[key], at(key), diag);

  const nodeOptions = environment.NODE_OPTIONS;
  const sourceMapsInEnvironment = nodeOptions?.split(/\s+/).includes(SOURCE_MAPS_FLAG) ?? false;
  // An explicit `Sourcemap: false` wins over NODE_OPTIONS, as SAM documents.
  const sourcemap = flag('Sourcemap', sourceMapsInEnvironment);
  const withSourceMaps =
    sourcemap && !sourceMapsInEnvironment
      ? {
          ...environment,
          NODE_OPTIONS: nodeOptions ? `${nodeOptions} ${SOURCE_MAPS_FLAG}` : SOURCE_MAPS_FLAG,
        }
      : environment;

  const entryPoints = list('EntryPoints');
  const build: EsbuildProperties = {
    entryPoints: entryPoints.length > 0 ? entryPoints : [handlerFile(handler)],
    format:
      properties.Format === undefined
        ? 'cjs'
        : expectOneOf(properties.Format, ['cjs', 'esm'], at('Format'), diag),
    target: properties.Target === undefined ? 'es2020' : expectString(properties.Target, at('Target'), diag),
    minify: flag('Minify', true),
    sourcemap,
    sourcesContent:
      properties.SourcesContent === undefined
        ? undefined
        : expectBoolean(properties.SourcesContent, at('SourcesContent'), diag),
    outExtension: pairs(list('OutExtension'), at('OutExtension'), diag),
    external: list('External'),
    loader: pairs(list('Loader'), at('Loader'), diag),
    mainFields: mainFields(properties.MainFields, at('MainFields'), diag),
    banner: pairs(list('Banner'), at('Banner'), diag),
  };
  return { build, environment: withSourceMaps };
}

/** `src/app.handler` → `src/app`: SAM bundles the handler's file, trying `.ts` then `.js`. */
function handlerFile(handler: string): string {
  const dot = handler.lastIndexOf('.');
  return dot === -1 ? handler : handler.slice(0, dot);
}

/** `['.js=.mjs']` → `{'.js': '.mjs'}`, the `key=value` lists SAM passes to esbuild as `--flag:key=value`. */
function pairs(items: readonly string[], path: Path, diag: Diagnostics): Record<string, string> {
  const result: Record<string, string> = {};
  items.forEach((item, index) => {
    const equals = item.indexOf('=');
    if (equals <= 0) diag.fail([...path, index], `expected key=value, got ${JSON.stringify(item)}`);
    result[item.slice(0, equals)] = item.slice(equals + 1);
  });
  return result;
}

/** `MainFields: main,module` (SAM's documented form) or a list. */
function mainFields(value: unknown, path: Path, diag: Diagnostics): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return expectStringList(value, path, diag);
  return expectString(value, path, diag)
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
}
