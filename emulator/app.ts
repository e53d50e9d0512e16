import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AwsSettings, functionAwsVariables } from './aws-config.ts';
import { isArchiveCode, unzippedCode, watchArchive } from './build/archive-code.ts';
import {
  type BuildMode,
  type BuiltFunction,
  buildFunction,
  handlerModule,
  isBuildable,
  missingHandlerFile,
  watchFunction,
} from './build/esbuild.ts';
import { applyEnvVars, type EnvVarsFile } from './config.ts';
import type { Logger } from './log.ts';
import { layerWarnings, linkRuntimeModules, nodeModulesAbove } from './runtime/modules.ts';
import {
  type FunctionCode,
  FunctionPool,
  type InvokeOutcome,
  type InvokeRequest,
  type ResponseStreamSink,
} from './runtime/pool.ts';
import type { WorkerInspector } from './runtime/protocol.ts';
import { nodeRuntime } from './runtime/runtimes.ts';
import { loadTemplate } from './template/load.ts';
import {
  type AppModel,
  DESTINATION_KINDS,
  DESTINATION_ROLES,
  type FunctionModel,
  type ResourceGroup,
} from './template/model.ts';
import { folderNameOf, functionsNamed } from './template/nested.ts';
import type { ParameterFallbacks } from './template/parameters.ts';
import { type TreeWatcher, watchTree } from './watch.ts';

export interface AppOptions {
  readonly templatePath: string;
  readonly parameterOverrides: Readonly<Record<string, string>>;
  /** Values for parameters with no override and no `Default` (samconfig's deploy section). */
  readonly parameterFallbacks?: ParameterFallbacks;
  readonly envVars: EnvVarsFile;
  /**
   * Credentials, region and endpoints (aws-config.ts `loadAwsSettings`); absent: SAM CLI's placeholder
   * credentials and the template's default region.
   */
  readonly aws?: AwsSettings;
  /** Rebuild and reload functions when their code changes. */
  readonly watch: boolean;
  /** Upper bound on concurrent executions per function without `ReservedConcurrentExecutions`. */
  readonly maxConcurrency?: number;
  readonly log: Logger;
  /** Local URL of each function URL server, by function logical id, for `!GetAtt <Id>Url.FunctionUrl`. */
  readonly functionUrls?: ReadonlyMap<string, string>;
  /** `-d`: the inspector is open; the functions it applies to are built and run for a debugger. */
  readonly debug?: DebugTarget;
}

/** Which functions `-d` applies to, and how (debug/README.md). */
export interface DebugTarget {
  /** `--debug-function`: only this function (logical id, full path or name, as `invoke` takes it); else all. */
  readonly functionId?: string;
  /** `invoke -d`: stop before the handler's first line. */
  readonly breakBeforeHandler: boolean;
  /** Where each execution environment opens an inspector of its own (for Chrome's DevTools; pool.ts). */
  readonly workerInspector: WorkerInspector;
}

export class UnknownFunctionError extends Error {
  override readonly name = 'UnknownFunctionError';
}

/**
 * One load of the template: every function built as `sam build` would and running in its own pool of
 * workers. A template change makes a new `App`; code changes are rebuilt in place.
 */
export class App {
  readonly model: AppModel;
  readonly #pools: ReadonlyMap<string, FunctionPool>;
  readonly #buildRoot: string;
  readonly #stops: (() => Promise<void>)[];
  readonly #debugged: ReadonlySet<string>;

  private constructor(
    model: AppModel,
    pools: ReadonlyMap<string, FunctionPool>,
    buildRoot: string,
    stops: (() => Promise<void>)[],
    debugged: ReadonlySet<string>,
  ) {
    this.model = model;
    this.#pools = pools;
    this.#buildRoot = buildRoot;
    this.#stops = stops;
    this.#debugged = debugged;
  }

  /** True when `-d` applies to the function: no timeouts end its invocations. */
  isDebugged(functionId: string): boolean {
    return this.#debugged.has(functionId);
  }

  /** Loads the template, builds every function and starts its pool (workers start on first use). */
  static async load(options: AppOptions): Promise<App> {
    const model = loadTemplate(options.templatePath, {
      parameterOverrides: { ...options.parameterOverrides },
      ...(options.parameterFallbacks === undefined ? {} : { parameterFallbacks: options.parameterFallbacks }),
      ...(options.aws === undefined ? {} : { region: options.aws.region }),
      ...(options.functionUrls === undefined ? {} : { functionUrls: options.functionUrls }),
    });
    const awsEnvironment = functionAwsVariables(options.aws);
    for (const warning of model.warnings) options.log.warn(warning);
    const ignored = describeIgnoredResources(model.ignoredResources, destinationRolesOf(model));
    if (ignored !== undefined) options.log.info(ignored);
    const layers = new Set([...model.functions.values()].flatMap((fn) => fn.layers));
    for (const warning of layerWarnings(layers)) options.log.warn(warning);
    for (const notice of model.notices) options.log.info(notice);
    const debugged = debuggedFunctions(model, options.debug, options.log);
    if (debugged.size > 0) {
      options.log.info(
        `Debugging ${[...debugged].join(', ')}: unminified builds with source maps; Timeout and the API integration timeout are suspended while debugging, as in sam local`,
      );
    }
    const buildRoot = mkdtempSync(path.join(tmpdir(), 'sam-emulator-'));
    linkSdkBesideBuilds(model, buildRoot);
    const pools = new Map<string, FunctionPool>();
    const stops: (() => Promise<void>)[] = [];
    // The template and what it includes are not code: a change to them reloads the template, not the functions.
    const codeFolders = new CodeFolderWatchers(
      new Set([model.templatePath, ...(model.definitionFiles ?? []), ...(model.nestedTemplates ?? [])]),
      options.log,
    );
    stops.push(async () => codeFolders.close());
    try {
      const functions = [...model.functions.values()];
      // With watch, each function's watcher makes its first build too, rather than building it twice.
      const started = await Promise.allSettled(
        functions.map(async (fn) => {
          const mode = { debug: debugged.has(fn.logicalId) };
          if (!options.watch || fn.inlineCode !== undefined) return codeOf(fn, buildRoot, 0, mode);
          const watched = await watchCode(
            fn,
            () => pools.get(fn.logicalId),
            buildRoot,
            options.log,
            codeFolders,
            mode,
          );
          stops.push(watched.stop);
          return watched.code;
        }),
      );
      const failed = started.find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      const codes = started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined));
      for (const [index, fn] of functions.entries()) {
        const code = codes[index];
        const missing = code === undefined ? undefined : missingHandlerFile(fn.logicalId, fn.handler, code);
        if (missing !== undefined) options.log.warn(missing);
      }
      functions.forEach((fn, index) => {
        const code = codes[index];
        if (code === undefined) return;
        const { environment, ignored } = applyEnvVars(fn, options.envVars);
        if (ignored.length > 0) {
          options.log.warn(
            `${fn.logicalId}: env vars file sets ${ignored.join(', ')}, which the template does not declare; ` +
              'as with sam local, only declared variables are overridden',
          );
        }
        const pool = new FunctionPool(fn, code, {
          environment,
          awsEnvironment,
          region: model.region,
          accountId: model.accountId,
          runtimeModules: runtimeModulesOf(fn, model.templatePath, buildRoot),
          ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
          logSink: options.log.function,
          ...(options.debug !== undefined && debugged.has(fn.logicalId)
            ? {
                debug: {
                  breakBeforeHandler: options.debug.breakBeforeHandler,
                  inspector: options.debug.workerInspector,
                },
              }
            : {}),
        });
        pools.set(fn.logicalId, pool);
      });
    } catch (error) {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      await Promise.all(stops.map((stop) => stop()));
      rmSync(buildRoot, { recursive: true, force: true });
      throw error;
    }
    return new App(model, pools, buildRoot, stops, debugged);
  }

  /** Invokes a function by logical id; the outcome carries a function error rather than rejecting with it. */
  invoke(functionId: string, request: InvokeRequest): Promise<InvokeOutcome> {
    return this.#withPool(functionId, (pool) => pool.invoke(request));
  }

  /** Invokes a function with its response delivered to `sink` as it is written (response streaming). */
  invokeStream(functionId: string, request: InvokeRequest, sink: ResponseStreamSink): Promise<InvokeOutcome> {
    return this.#withPool(functionId, (pool) => pool.invokeStream(request, sink));
  }

  #withPool(functionId: string, run: (pool: FunctionPool) => Promise<InvokeOutcome>): Promise<InvokeOutcome> {
    const pool = this.#pools.get(functionId);
    if (pool === undefined)
      return Promise.reject(new UnknownFunctionError(`Function not found: ${functionId}`));
    return run(pool);
  }

  /** Stops watching, finishes in-flight invocations, stops the workers and removes the build output. */
  async close(): Promise<void> {
    await Promise.all(this.#stops.map((stop) => stop()));
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    rmSync(this.#buildRoot, { recursive: true, force: true });
  }
}

/**
 * A folder standing for the runtime's /var/runtime/node_modules: the SDK it includes, linked from the project's
 * node_modules (searched upward from the template's folder and from CodeUri). Empty when none is installed.
 */
function runtimeModulesOf(fn: FunctionModel, templatePath: string, buildRoot: string): string[] {
  const runtime = nodeRuntime(fn.runtime);
  if (runtime === undefined) return [];
  const candidates = nodeModulesAbove([path.dirname(templatePath), fn.codeUri]);
  const linked = linkRuntimeModules(
    path.join(buildRoot, 'runtime', folderNameOf(fn.logicalId), 'node_modules'),
    candidates,
    runtime,
  );
  return linked === undefined ? [] : [linked];
}

/**
 * Bundles are written under `buildRoot`: the runtime's SDK linked at `buildRoot/node_modules` resolves for their
 * `import` by Node's own lookup, so an ES module bundle that leaves `@aws-sdk/*` external needs no resolve hook
 * (which costs ~60 ms per cold start).
 */
function linkSdkBesideBuilds(model: AppModel, buildRoot: string): void {
  const runtime = [...model.functions.values()]
    .map((fn) => nodeRuntime(fn.runtime))
    .find((candidate) => candidate?.sdk === 'v3');
  if (runtime === undefined) return;
  const candidates = nodeModulesAbove([path.dirname(model.templatePath)]);
  linkRuntimeModules(path.join(buildRoot, 'node_modules'), candidates, runtime);
}

/**
 * The code a function runs: its inline code written out as `index.js`, its esbuild output, or its CodeUri as is
 * when it has no build metadata.
 */
async function codeOf(
  fn: FunctionModel,
  buildRoot: string,
  generation: number,
  mode: BuildMode,
): Promise<FunctionCode> {
  if (fn.inlineCode !== undefined) return writeInlineCode(fn, fn.inlineCode, buildRoot);
  if (isArchiveCode(fn)) return unzippedCode(fn, buildRoot, generation);
  if (!isBuildable(fn)) return { dir: fn.codeUri, ...handlerModule(fn.codeUri, fn.handler) };
  return codeFromBuild(
    await buildFunction(fn, path.join(buildRoot, `${folderNameOf(fn.logicalId)}-${generation}`), mode),
  );
}

/**
 * The logical ids `-d` applies to: all functions, or the one `--debug-function` names (SAM applies its debug
 * options to that function only; `samcli/commands/local/cli_common/options.py`, `--debug-function`).
 */
function debuggedFunctions(
  model: AppModel,
  debug: DebugTarget | undefined,
  log: Logger,
): ReadonlySet<string> {
  if (debug === undefined) return new Set();
  if (debug.functionId === undefined) return new Set(model.functions.keys());
  if (model.functions.has(debug.functionId)) return new Set([debug.functionId]);
  const [named] = functionsNamed(model.functions, debug.functionId);
  if (named !== undefined) return new Set([named.logicalId]);
  log.warn(
    `--debug-function ${debug.functionId}: no such function in the template (${[...model.functions.keys()].join(', ')}); none is debugged`,
  );
  return new Set();
}

/** A folder of its own holding `index.js`, as CloudFormation packages `InlineCode`; a template reload rewrites it. */
async function writeInlineCode(fn: FunctionModel, source: string, buildRoot: string): Promise<FunctionCode> {
  const dir = path.join(buildRoot, `${folderNameOf(fn.logicalId)}-inline`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.js'), source);
  return { dir, ...handlerModule(dir, fn.handler) };
}

function codeFromBuild(built: BuiltFunction): FunctionCode {
  return { dir: built.dir, file: built.file, exportName: built.exportName };
}

/**
 * The code a function starts with, kept current. Built functions are built, then rebuilt on each change, by
 * esbuild's watcher, each time into a fresh folder (a worker that is starting never reads a half-written file);
 * a failed rebuild is reported and the last good one keeps serving. Unbuilt functions get fresh workers when a
 * file under CodeUri changes. `pool` is the function's pool, which exists once the first code is known.
 */
async function watchCode(
  fn: FunctionModel,
  pool: () => FunctionPool | undefined,
  buildRoot: string,
  log: Logger,
  codeFolders: CodeFolderWatchers,
  mode: BuildMode,
): Promise<{ code: FunctionCode; stop(): Promise<void> }> {
  if (isArchiveCode(fn)) return watchArchive(fn, buildRoot, log, (code) => pool()?.setCode(code));
  if (!isBuildable(fn)) {
    const code = { dir: fn.codeUri, ...handlerModule(fn.codeUri, fn.handler) };
    codeFolders.add(fn.codeUri, fn.logicalId, () => pool()?.setCode(code));
    return { code, async stop() {} };
  }
  let generation = 0;
  const watcher = await watchFunction(
    fn,
    () => path.join(buildRoot, `${folderNameOf(fn.logicalId)}-${++generation}`),
    (outcome) => {
      if ('error' in outcome) {
        log.error(`${outcome.error.message}\n  (still serving the last good build)`);
        return;
      }
      log.info(`${fn.logicalId}: rebuilt (${formatSizes(outcome.built)})`);
      pool()?.setCode(codeFromBuild(outcome.built));
    },
    mode,
  );
  return { code: codeFromBuild(watcher.built), stop: () => watcher.dispose() };
}

/**
 * One watcher per CodeUri folder of the functions that run their code as is, however many share it (a template
 * with no CodeUri gives every function its own folder), and one log line per change naming them all.
 */
class CodeFolderWatchers {
  readonly #folders = new Map<string, { watcher: TreeWatcher; functions: Map<string, () => void> }>();
  readonly #ignored: ReadonlySet<string>;
  readonly #log: Logger;

  constructor(ignored: ReadonlySet<string>, log: Logger) {
    this.#ignored = ignored;
    this.#log = log;
  }

  add(folder: string, logicalId: string, onChange: () => void): void {
    const existing = this.#folders.get(folder);
    if (existing !== undefined) {
      existing.functions.set(logicalId, onChange);
      return;
    }
    const functions = new Map([[logicalId, onChange]]);
    const watcher = watchTree(
      folder,
      () => {
        this.#log.info(`${namedFew([...functions.keys()])}: code changed, reloading`);
        for (const reload of functions.values()) reload();
      },
      50,
      (file) => this.#ignored.has(file),
    );
    this.#folders.set(folder, { watcher, functions });
  }

  close(): void {
    for (const { watcher } of this.#folders.values()) watcher.close();
    this.#folders.clear();
  }
}

/** `A, B, C, D and 3 more`: a list that keeps a log line short. */
function namedFew(names: readonly string[]): string {
  const named = names.slice(0, NAMED_PER_TYPE).join(', ');
  const more = names.length - NAMED_PER_TYPE;
  return more > 0 ? `${named} and ${more} more` : named;
}

const SCREEN_WIDTH = 110;
/** Beyond this many logical ids of one type, the rest are counted rather than named. */
const NAMED_PER_TYPE = 4;

/**
 * The resources that exist only in AWS, a few grouped lines rather than one per resource, so that the routes
 * stay on the first screen: `AWS::DynamoDB::Table OrdersTable, UsersTable; AWS::SQS::Queue Queue`. Those that
 * are functions' asynchronous destinations (`destinationRoles`) are said apart: the emulator logs what Lambda
 * would send them, so they are stood in for rather than missing.
 */
export function describeIgnoredResources(
  groups: readonly ResourceGroup[],
  destinationRoles: ReadonlyMap<string, readonly string[]> = new Map(),
): string | undefined {
  const missing = groups
    .map((group) => ({ ...group, logicalIds: group.logicalIds.filter((id) => !destinationRoles.has(id)) }))
    .filter((group) => group.logicalIds.length > 0);
  const stoodIn = groups.flatMap((group) =>
    group.logicalIds.flatMap((id) => {
      const roles = destinationRoles.get(id);
      return roles === undefined ? [] : [`${group.type} ${id} (${roles.join(', ')})`];
    }),
  );
  const text: string[] = [];
  if (missing.length > 0) {
    const count = missing.reduce((total, group) => total + group.logicalIds.length, 0);
    const noun = count === 1 ? 'resource lives' : 'resources live';
    text.push(
      `Not emulated (${count} ${noun} only in AWS):`,
      ...wrapped(missing.map((group) => `${group.type} ${namedFew(group.logicalIds)}`)),
    );
  }
  if (stoodIn.length > 0) {
    text.push('Asynchronous destinations (what Lambda would send them is logged):', ...wrapped(stoodIn));
  }
  return text.length === 0 ? undefined : text.join('\n');
}

/** Items joined by `;` into lines indented by two that fit the screen. */
function wrapped(items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = ' ';
  for (const [index, item] of items.entries()) {
    const text = index < items.length - 1 ? `${item};` : item;
    if (line.length > 1 && line.length + 1 + text.length > SCREEN_WIDTH) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${text}`;
  }
  lines.push(line);
  return lines;
}

/** Each template resource that is a function's destination, with what it is to which functions. */
export function destinationRolesOf(model: Pick<AppModel, 'functions'>): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  for (const fn of model.functions.values()) {
    for (const kind of DESTINATION_KINDS) {
      const destination = fn.destinations?.[kind];
      if (destination?.resourceId === undefined) continue;
      roles.set(destination.resourceId, [
        ...(roles.get(destination.resourceId) ?? []),
        `${fn.logicalId}'s ${DESTINATION_ROLES[kind]}`,
      ]);
    }
  }
  return roles;
}

export function formatSizes(built: BuiltFunction): string {
  return Object.entries(built.sizes)
    .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(1)} KB`)
    .join(', ');
}
