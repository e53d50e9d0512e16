import { mkdtempSync, rmSync, watch as watchFiles } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type BuiltFunction,
  buildFunction,
  handlerModule,
  isBuildable,
  watchFunction,
} from './build/esbuild.ts';
import { applyEnvVars, type EnvVarsFile } from './config.ts';
import type { Logger } from './log.ts';
import {
  type FunctionCode,
  FunctionPool,
  type InvokeOutcome,
  type InvokeRequest,
  type ResponseStreamSink,
} from './runtime/pool.ts';
import { loadTemplate } from './template/load.ts';
import type { AppModel, FunctionModel } from './template/model.ts';

export interface AppOptions {
  readonly templatePath: string;
  readonly parameterOverrides: Readonly<Record<string, string>>;
  readonly envVars: EnvVarsFile;
  /** Rebuild and reload functions when their code changes. */
  readonly watch: boolean;
  /** Upper bound on concurrent executions per function without `ReservedConcurrentExecutions`. */
  readonly maxConcurrency?: number;
  readonly log: Logger;
  /** Local URL of each function URL server, by function logical id, for `!GetAtt <Id>Url.FunctionUrl`. */
  readonly functionUrls?: ReadonlyMap<string, string>;
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

  private constructor(
    model: AppModel,
    pools: ReadonlyMap<string, FunctionPool>,
    buildRoot: string,
    stops: (() => Promise<void>)[],
  ) {
    this.model = model;
    this.#pools = pools;
    this.#buildRoot = buildRoot;
    this.#stops = stops;
  }

  /** Loads the template, builds every function and starts its pool (workers start on first use). */
  static async load(options: AppOptions): Promise<App> {
    const model = loadTemplate(options.templatePath, {
      parameterOverrides: { ...options.parameterOverrides },
      ...(options.functionUrls === undefined ? {} : { functionUrls: options.functionUrls }),
    });
    for (const warning of model.warnings) options.log.warn(warning);
    const buildRoot = mkdtempSync(path.join(tmpdir(), 'sam-emulator-'));
    const pools = new Map<string, FunctionPool>();
    const stops: (() => Promise<void>)[] = [];
    try {
      const functions = [...model.functions.values()];
      // With watch, each function's watcher makes its first build too, rather than building it twice.
      const started = await Promise.allSettled(
        functions.map(async (fn) => {
          if (!options.watch) return codeOf(fn, buildRoot, 0);
          const watched = await watchCode(fn, () => pools.get(fn.logicalId), buildRoot, options.log);
          stops.push(watched.stop);
          return watched.code;
        }),
      );
      const failed = started.find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      const codes = started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined));
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
          region: model.region,
          accountId: model.accountId,
          ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
          logSink: options.log.function,
        });
        pools.set(fn.logicalId, pool);
      });
    } catch (error) {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      await Promise.all(stops.map((stop) => stop()));
      rmSync(buildRoot, { recursive: true, force: true });
      throw error;
    }
    return new App(model, pools, buildRoot, stops);
  }

  /** Invokes a function by logical id; the outcome carries a function error rather than rejecting with it. */
  invoke(functionId: string, request: InvokeRequest): Promise<InvokeOutcome> {
    const pool = this.#pools.get(functionId);
    if (pool === undefined)
      return Promise.reject(new UnknownFunctionError(`Function not found: ${functionId}`));
    return pool.invoke(request);
  }

  /** Invokes a function with its response delivered to `sink` as it is written (response streaming). */
  invokeStream(functionId: string, request: InvokeRequest, sink: ResponseStreamSink): Promise<InvokeOutcome> {
    const pool = this.#pools.get(functionId);
    if (pool === undefined)
      return Promise.reject(new UnknownFunctionError(`Function not found: ${functionId}`));
    return pool.invokeStream(request, sink);
  }

  /** Stops watching, finishes in-flight invocations, stops the workers and removes the build output. */
  async close(): Promise<void> {
    await Promise.all(this.#stops.map((stop) => stop()));
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    rmSync(this.#buildRoot, { recursive: true, force: true });
  }
}

/** The code a function runs: its esbuild output, or its CodeUri as is when it has no build metadata. */
async function codeOf(fn: FunctionModel, buildRoot: string, generation: number): Promise<FunctionCode> {
  if (!isBuildable(fn)) return { dir: fn.codeUri, ...handlerModule(fn.codeUri, fn.handler) };
  return codeFromBuild(await buildFunction(fn, path.join(buildRoot, `${fn.logicalId}-${generation}`)));
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
): Promise<{ code: FunctionCode; stop(): Promise<void> }> {
  if (!isBuildable(fn)) {
    const code = { dir: fn.codeUri, ...handlerModule(fn.codeUri, fn.handler) };
    let timer: NodeJS.Timeout | undefined;
    const watcher = watchFiles(fn.codeUri, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        log.info(`${fn.logicalId}: code changed, reloading`);
        pool()?.setCode(code);
      }, 50);
    });
    return {
      code,
      async stop() {
        clearTimeout(timer);
        watcher.close();
      },
    };
  }
  let generation = 0;
  const watcher = await watchFunction(
    fn,
    () => path.join(buildRoot, `${fn.logicalId}-${++generation}`),
    (outcome) => {
      if ('error' in outcome) {
        log.error(`${outcome.error.message}\n  (still serving the last good build)`);
        return;
      }
      log.info(`${fn.logicalId}: rebuilt (${formatSizes(outcome.built)})`);
      pool()?.setCode(codeFromBuild(outcome.built));
    },
  );
  return { code: codeFromBuild(watcher.built), stop: () => watcher.dispose() };
}

export function formatSizes(built: BuiltFunction): string {
  return Object.entries(built.sizes)
    .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(1)} KB`)
    .join(', ');
}
