import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type BuildContext,
  type BuildOptions,
  type BuildResult,
  build,
  context,
  type Loader,
  type Message,
  type OutputFile,
} from 'esbuild';
import type { EsbuildProperties, FunctionModel } from '../template/model.ts';
import { isRecord } from '../template/values.ts';

export interface BuiltFunction {
  readonly logicalId: string;
  /** Folder holding the bundle, as `sam build` lays out `.aws-sam/build/<LogicalId>/`. */
  readonly dir: string;
  /** Absolute path of the module Lambda loads for the handler. */
  readonly file: string;
  readonly exportName: string;
  /** Bytes of each output file, by path relative to `dir`. */
  readonly sizes: Readonly<Record<string, number>>;
}

export class BuildError extends Error {
  override readonly name = 'BuildError';
  readonly messages: readonly Message[];
  constructor(logicalId: string, messages: readonly Message[]) {
    super(`${logicalId}: build failed\n${messages.map(formatMessage).join('\n')}`);
    this.messages = messages;
  }
}

type BuildableFunction = FunctionModel & { readonly build: EsbuildProperties };

export function isBuildable(fn: FunctionModel): fn is BuildableFunction {
  return fn.build !== undefined;
}

/**
 * The esbuild options that SAM's esbuild workflow derives from `Metadata.BuildProperties`: always bundle for
 * the node platform, with SAM's defaults (cjs, es2020, minify) already filled in by the template loader.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html
 */
export function esbuildOptions(fn: BuildableFunction, outdir: string, debug = false): BuildOptions {
  const properties = fn.build;
  return {
    absWorkingDir: fn.codeUri,
    entryPoints: properties.entryPoints.map((entry) => resolveEntryPoint(fn.codeUri, entry)),
    bundle: true,
    platform: 'node',
    outdir,
    target: properties.target,
    format: properties.format,
    // A debugger needs the original names and a map for every line, whatever the template says for `sam build`;
    // the map is inlined in writeOutput.
    minify: debug ? false : properties.minify,
    sourcemap: debug ? 'external' : properties.sourcemap,
    ...(properties.sourcesContent === undefined ? {} : { sourcesContent: properties.sourcesContent }),
    outExtension: { ...properties.outExtension },
    external: [...properties.external],
    loader: loaders(fn.logicalId, properties.loader),
    ...(properties.mainFields === undefined ? {} : { mainFields: [...properties.mainFields] }),
    banner: { ...properties.banner },
    logLevel: 'silent',
  };
}

/** How the emulator builds a function beyond what the template says. */
export interface BuildMode {
  /**
   * For a debugger: not minified, source maps on, and each map's `sources` the absolute paths of the files on
   * disk, so that an editor binds breakpoints in them with no path mapping of its own.
   */
  readonly debug: boolean;
}

const AS_SAM_BUILDS: BuildMode = { debug: false };

/** Builds one function into `outdir` (written to disk), as `sam build` would. */
export async function buildFunction(
  fn: BuildableFunction,
  outdir: string,
  mode: BuildMode = AS_SAM_BUILDS,
): Promise<BuiltFunction> {
  let result: BuildResult<{ write: false }>;
  try {
    result = await build({ ...esbuildOptions(fn, outdir, mode.debug), write: false });
  } catch (error) {
    throw toBuildError(fn.logicalId, error);
  }
  return writeOutput(fn, outdir, outdir, result.outputFiles, mode);
}

/**
 * Builds a function and rebuilds it whenever its sources change, with one esbuild context: resolves with the
 * first build (rejects with its BuildError, the context stopped), then hands each rebuild to `onRebuild`.
 * esbuild deletes its output when a rebuild fails, so the output is kept in memory and written only when a
 * build succeeds: the last good build keeps serving.
 */
export async function watchFunction(
  fn: BuildableFunction,
  nextOutdir: () => string,
  onRebuild: (outcome: { built: BuiltFunction } | { error: BuildError }) => void,
  mode: BuildMode = AS_SAM_BUILDS,
): Promise<{ built: BuiltFunction; dispose(): Promise<void> }> {
  let first: { resolve(built: BuiltFunction): void; reject(error: BuildError): void } | undefined;
  const firstBuild = new Promise<BuiltFunction>((resolve, reject) => {
    first = { resolve, reject };
  });
  // Awaited below; should the context fail before that, a failed first build must not go unhandled.
  firstBuild.catch(() => {});
  // Each build goes to a fresh folder at the same depth, so source map paths stay valid when relocated.
  const nominalOutdir = nextOutdir();
  let ctx: BuildContext;
  try {
    ctx = await context({
      ...esbuildOptions(fn, nominalOutdir, mode.debug),
      write: false,
      plugins: [
        {
          name: 'keep-last-good-build',
          setup(build) {
            build.onEnd(async (result) => {
              const settle = first;
              first = undefined;
              let outcome: { built: BuiltFunction } | { error: BuildError };
              if (result.errors.length > 0 || result.outputFiles === undefined) {
                outcome = { error: new BuildError(fn.logicalId, result.errors) };
              } else {
                try {
                  // The first build goes to the folder esbuild was told about; rebuilds to fresh ones.
                  const dir = settle === undefined ? nextOutdir() : nominalOutdir;
                  outcome = { built: await writeOutput(fn, nominalOutdir, dir, result.outputFiles, mode) };
                } catch (error) {
                  outcome = { error: toBuildError(fn.logicalId, error) };
                }
              }
              if (settle === undefined) onRebuild(outcome);
              else if ('built' in outcome) settle.resolve(outcome.built);
              else settle.reject(outcome.error);
            });
          },
        },
      ],
    });
  } catch (error) {
    throw toBuildError(fn.logicalId, error);
  }
  try {
    await ctx.watch();
    return { built: await firstBuild, dispose: () => ctx.dispose() };
  } catch (error) {
    await ctx.dispose();
    throw toBuildError(fn.logicalId, error);
  }
}

/**
 * The module Lambda would load for `handler.handler`: Node's runtime tries .js, .mjs then .cjs. When none exists
 * the `.js` path is given: the function then fails at init with `Runtime.ImportModuleError`, as it does in Lambda,
 * rather than stopping the whole emulator (see {@link missingHandlerFile}).
 */
export function handlerModule(dir: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  for (const extension of ['.js', '.mjs', '.cjs']) {
    const file = path.join(dir, `${modulePath}${extension}`);
    if (existsSync(file)) return { file, exportName };
  }
  return { file: path.join(dir, `${modulePath}.js`), exportName };
}

/**
 * The warning for code whose handler file is not there (`code` as {@link handlerModule} found it); `undefined`
 * when it is.
 */
export function missingHandlerFile(
  logicalId: string,
  handler: string,
  code: { readonly dir: string; readonly file: string },
): string | undefined {
  if (existsSync(code.file)) return undefined;
  const modulePath = handler.slice(0, handler.lastIndexOf('.'));
  return (
    `${logicalId}: Handler ${handler}, but ${code.dir} has no ${modulePath}.js, .mjs or .cjs; ` +
    'it fails with Runtime.ImportModuleError when invoked, as in Lambda'
  );
}

/** Writes esbuild's in-memory output, built for `builtFor`, into `dir`. */
async function writeOutput(
  fn: BuildableFunction,
  builtFor: string,
  dir: string,
  files: readonly OutputFile[],
  mode: BuildMode,
): Promise<BuiltFunction> {
  await mkdir(dir, { recursive: true });
  const sizes: Record<string, number> = {};
  const maps = new Map(
    mode.debug
      ? files
          .filter((file) => file.path.endsWith('.map'))
          .map((file) => [file.path, withAbsoluteSources(file.contents, file.path)])
      : [],
  );
  await Promise.all(
    files.map(async (file) => {
      const relative = path.relative(builtFor, file.path);
      const target = path.join(dir, relative);
      await mkdir(path.dirname(target), { recursive: true });
      const contents = maps.get(file.path) ?? withInlineMap(file.contents, maps.get(`${file.path}.map`));
      await writeFile(target, contents);
      sizes[relative] = file.contents.byteLength;
    }),
  );
  return { logicalId: fn.logicalId, dir, ...handlerModule(dir, fn.handler), sizes };
}

/**
 * esbuild writes `sources` relative to the map's folder (behind an optional `sourceRoot`); resolved against the
 * folder it was built for, they become the absolute paths of the user's files, which stay right wherever the
 * bundle is written and which an editor matches to its open files as they are (source map v3, "sources").
 * https://tc39.es/ecma426/#sec-source-map-format
 */
export function withAbsoluteSources(contents: Uint8Array, mapPath: string): Uint8Array {
  const map: unknown = JSON.parse(Buffer.from(contents).toString('utf8'));
  if (!isRecord(map) || !Array.isArray(map.sources)) return contents;
  const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
  const base = path.dirname(mapPath);
  const sources = map.sources.map((source: unknown) =>
    typeof source === 'string' && !/^[a-z][a-z\d+.-]*:/i.test(source)
      ? path.resolve(base, root, source)
      : source,
  );
  return Buffer.from(JSON.stringify({ ...map, sourceRoot: '', sources }));
}

/**
 * A debug bundle carries its map inline (a data URL, with the sources' text): Chrome's DevTools read it without
 * fetching a `file:` URL, which they cannot do for a Node target, and VS Code and `--enable-source-maps` read it
 * as well as a linked one.
 */
function withInlineMap(code: Uint8Array, map: Uint8Array | undefined): Uint8Array {
  if (map === undefined) return code;
  const comment = `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
  return Buffer.concat([code, Buffer.from(comment)]);
}

const LOADERS: readonly Loader[] = [
  'base64',
  'binary',
  'copy',
  'css',
  'dataurl',
  'default',
  'empty',
  'file',

  'js',
  'json',
  'jsx',
  'local-css',
  'text',
  'ts',
  'tsx',
];

function isLoader(name: string): name is Loader {
  return (LOADERS as readonly string[]).includes(name);
}

function loaders(logicalId: string, configured: Readonly<Record<string, string>>): Record<string, Loader> {
  const checked: Record<string, Loader> = {};
  for (const [extension, name] of Object.entries(configured)) {
    if (!isLoader(name))
      throw new BuildError(logicalId, [errorMessage(`Unknown esbuild loader "${name}" for ${extension}`)]);
    checked[extension] = name;
  }
  return checked;
}

/** SAM resolves an entry point without an extension by trying .ts, then .js. */
function resolveEntryPoint(codeUri: string, entry: string): string {
  const absolute = path.resolve(codeUri, entry);
  if (path.extname(entry) !== '') return absolute;
  for (const extension of ['.ts', '.js']) {
    if (existsSync(absolute + extension)) return absolute + extension;
  }
  return absolute;
}

function toBuildError(logicalId: string, error: unknown): BuildError {
  if (error instanceof BuildError) return error;
  if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
    return new BuildError(logicalId, error.errors);
  }
  return new BuildError(logicalId, [errorMessage(error instanceof Error ? error.message : String(error))]);
}

function errorMessage(text: string): Message {
  return { id: '', pluginName: '', text, location: null, notes: [], detail: undefined };
}

function formatMessage(message: Message): string {
  const where = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column}: `
    : '';
  return `  ${where}${message.text}`;
}
