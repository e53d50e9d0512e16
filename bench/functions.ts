import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildFunction, isBuildable } from '../emulator/build/esbuild.ts';
import { FunctionPool } from '../emulator/runtime/pool.ts';
import { loadTemplate } from '../emulator/template/load.ts';
import { startFakeBinance } from '../test/support/fake-binance.ts';
import { median } from './stats.ts';

/** The event each of the project's functions is cold-started with: the captured ones in `events/`. */
const EVENTS: Readonly<Record<string, string>> = {
  GetPriceFunction: 'events/get-price.json',
  MultiplyFunction: 'events/multiply.json',
  PriceTickerFunction: 'events/price-ticker.json',
};

export interface FunctionResult {
  readonly logicalId: string;
  /** The minified module Lambda loads, without its source map. */
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** From `invoke` on a fresh pool to its outcome: worker thread start, import, first invocation. */
  readonly coldWallMs: readonly number[];
  /** REPORT's Init Duration: the import of the bundle, timed inside the worker. */
  readonly initMs: readonly number[];
  /** REPORT's Duration of that first invocation. */
  readonly firstInvokeMs: readonly number[];
  readonly medianColdWallMs: number;
  readonly medianInitMs: number;
  readonly medianFirstInvokeMs: number;
  /** Init Duration + Duration: what Lambda would report (and bill) for the cold start. */
  readonly medianInitPlusInvokeMs: number;
}

/**
 * Builds every function of the template as `npm run build` does, then cold-starts each in `runs` fresh pools,
 * with Binance replaced by a local fake so that nothing leaves 127.0.0.1.
 */
export async function measureFunctions(
  root: string,
  templatePath: string,
  buildRoot: string,
  runs: number,
): Promise<FunctionResult[]> {
  const model = loadTemplate(templatePath);
  const binance = await startFakeBinance();
  const results: FunctionResult[] = [];
  try {
    for (const fn of model.functions.values()) {
      if (!isBuildable(fn)) continue;
      const built = await buildFunction(fn, path.join(buildRoot, fn.logicalId));
      const bundle = path.relative(built.dir, built.file);
      const eventFile = EVENTS[fn.logicalId];
      if (eventFile === undefined) throw new Error(`no benchmark event for ${fn.logicalId}`);
      const payload: unknown = JSON.parse(readFileSync(path.join(root, eventFile), 'utf8'));
      const coldWallMs: number[] = [];
      const initMs: number[] = [];
      const firstInvokeMs: number[] = [];
      for (let run = 0; run < runs; run++) {
        const pool = new FunctionPool(
          fn,
          { dir: built.dir, file: built.file, exportName: built.exportName },
          {
            environment: { BINANCE_API_URL: binance.url },
            region: model.region,
            accountId: model.accountId,
            logSink: () => {},
          },
        );
        try {
          const started = performance.now();
          const outcome = await pool.invoke({ payload });
          coldWallMs.push(performance.now() - started);
          if (outcome.kind === 'error') {
            throw new Error(`${fn.logicalId}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
          }
          initMs.push(outcome.initDurationMs ?? Number.NaN);
          firstInvokeMs.push(outcome.durationMs);
        } finally {
          await pool.close();
        }
      }
      const medianInitMs = median(initMs);
      const medianFirstInvokeMs = median(firstInvokeMs);
      results.push({
        logicalId: fn.logicalId,
        bundleBytes: built.sizes[bundle] ?? 0,
        sourceMapBytes: built.sizes[`${bundle}.map`] ?? 0,
        coldWallMs,
        initMs,
        firstInvokeMs,
        medianColdWallMs: median(coldWallMs),
        medianInitMs,
        medianFirstInvokeMs,
        medianInitPlusInvokeMs: median(initMs.map((init, index) => init + (firstInvokeMs[index] ?? 0))),
      });
    }
  } finally {
    await binance.close();
  }
  return results;
}
