import { CLI_COMMANDS, type CliCommand, type StartupRun } from './cli-timings.ts';
import type { FunctionResult } from './functions.ts';
import type { LoadResult } from './load.ts';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
}

export interface ThroughputResult {
  readonly name: string;
  /** What was requested, e.g. `GET /v1/trivial`. */
  readonly request: string;
  readonly emulator: LoadResult;
  readonly baseline: LoadResult;
  /** The baseline with the handler in worker threads: the floor of any worker-thread emulator's overhead. */
  readonly threaded: LoadResult;
  /** Emulator req/s over baseline req/s. */
  readonly ratio: number;
  /** Threaded baseline req/s over baseline req/s: the best ratio a worker-thread design reaches here. */
  readonly threadedRatio: number;
}

export interface CommandTimings {
  readonly command: CliCommand;
  readonly startupRuns: readonly StartupRun[];
  /** Median from spawn to the first successful response. */
  readonly startupMs: number;
  /** Median from spawn to the API server listening. */
  readonly listeningMs: number;
  readonly invokeRunsMs: readonly number[];
  readonly invokeMs: number;
}

export interface MemoryResult {
  /** Requests the emulator had answered before the memory phase (warm-ups and throughput runs). */
  readonly requestsBefore: number;
  /** Just started, before any request: no worker yet. */
  readonly idleRssMb: number;
  readonly idleThreads: number;
  /** After one request: the first execution environment's worker added. */
  readonly oneWorkerRssMb: number;
  /** RSS after the settling batch, when the measured 100k requests start. */
  readonly rssBeforeMb: number;
  /** One reading at the end of each half. */
  readonly rssAt50kMb: number;
  readonly rssAt100kMb: number;
  /** The leak check: growth from the reading at 50k to the one at 100k. */
  readonly growthPct: number;
  /** The median of each half's RSS, sampled every 100 ms, and its growth. */
  readonly medianAt50kMb: number;
  readonly medianAt100kMb: number;
  readonly medianGrowthPct: number;
  readonly peakAt50kMb: number;
  readonly peakAt100kMb: number;
  readonly peakGrowthPct: number;
  /** RSS of the two baselines after their throughput runs: what the same load leaves in a bare server. */
  readonly baselineRssMb: number;
  readonly threadedBaselineRssMb: number;
  /** Threads of the emulator process at the end: a dozen of Node's own plus one per worker. */
  readonly threads: number;
  readonly load: readonly LoadResult[];
}

export interface ConcurrencyResult {
  readonly connections: number;
  readonly sleepMs: number;
  readonly maxConcurrency: number;
  readonly idealRps: number;
  readonly load: LoadResult;
  readonly ratio: number;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: Machine;
  readonly settings: {
    readonly seconds: number;
    readonly warmupSeconds: number;
    readonly connections: number;
  };
  readonly emulatorCommand: string;
  readonly throughput: readonly ThroughputResult[];
  /** `npm start` and `npm run invoke`, with the CLI under tsx and from its cached bundle (what the scripts run). */
  readonly commands: readonly CommandTimings[];
  readonly functions: readonly FunctionResult[];
  readonly memory: MemoryResult;
  readonly concurrency: ConcurrencyResult;
  /** Request lines the emulator wrote to stdout, against the requests it was sent. */
  readonly requestLog: { readonly lines: number; readonly requests: number };
}

export interface Target {
  readonly measure: string;
  readonly result: string;
  readonly target: string;
  readonly met: boolean;
}

const KB = 1024;

const COMMAND_LABELS: Record<CliCommand, string> = {
  tsx: 'under tsx (node --import tsx emulator/cli.ts)',
  bundle: 'from the cached bundle (emulator/launch.mjs)',
};

/** Every target of the issue, with the value measured against it. */
export function targetsOf(results: BenchResults): Target[] {
  const targets: Target[] = [];
  for (const run of results.throughput) {
    targets.push({
      measure: `${run.name}: throughput against the baseline`,
      result: `${run.ratio.toFixed(2)}× (${whole(run.emulator.rps)} vs ${whole(run.baseline.rps)} req/s)`,
      target: '≥ 0.5×',
      met: run.ratio >= 0.5,
    });
    targets.push({
      measure: `${run.name}: p99 latency`,
      result: ms(run.emulator.p99Ms),
      target: '≤ 5 ms',
      met: run.emulator.p99Ms <= 5,
    });
  }
  for (const timing of results.commands) {
    const how = COMMAND_LABELS[timing.command];
    targets.push({
      measure: `\`npm start\` ${how}: start to first response (median of ${timing.startupRuns.length})`,
      result: ms(timing.startupMs),
      target: '≤ 600 ms',
      met: timing.startupMs <= 600,
    });
    targets.push({
      measure: `\`npm run invoke\` ${how} (median of ${timing.invokeRunsMs.length})`,
      result: ms(timing.invokeMs),
      target: '≤ 500 ms',
      met: timing.invokeMs <= 500,
    });
  }
  for (const fn of results.functions) {
    if (fn.logicalId !== 'PriceTickerFunction') {
      targets.push({
        measure: `${fn.logicalId}: minified bundle`,
        result: kb(fn.bundleBytes),
        target: '≤ 8 KB',
        met: fn.bundleBytes <= 8 * KB,
      });
    }
    targets.push({
      measure: `${fn.logicalId}: cold init (import of the bundle + first invocation, fresh worker)`,
      result: `${ms(fn.medianInitPlusInvokeMs)} (${ms(fn.medianColdWallMs)} with the thread's start)`,
      target: '≤ 50 ms',
      met: fn.medianInitPlusInvokeMs <= 50,
    });
  }
  const { memory } = results;
  targets.push({
    measure: 'Emulator RSS after the 100k requests of the memory phase',
    result: `${memory.rssAt100kMb.toFixed(0)} MB (bare server with 10 worker threads: ${memory.threadedBaselineRssMb.toFixed(0)} MB)`,
    target: '≤ 150 MB',
    met: memory.rssAt100kMb <= 150,
  });
  targets.push({
    measure: 'RSS growth from 50k to 100k requests',
    result: `${memory.growthPct.toFixed(1)} % (medians of each half: ${memory.medianGrowthPct.toFixed(1)} %, peaks: ${memory.peakGrowthPct.toFixed(1)} %)`,
    target: '< 5 %',
    met: memory.growthPct < 5,
  });
  const { concurrency } = results;
  targets.push({
    measure: `${concurrency.sleepMs} ms handler, ${concurrency.connections} connections: throughput against ideal`,
    result: `${concurrency.ratio.toFixed(2)}× (${whole(concurrency.load.rps)} of ${whole(concurrency.idealRps)} req/s)`,
    target: '≥ 0.9×',
    met: concurrency.ratio >= 0.9,
  });
  return targets;
}

/** The Markdown report: targets first, then the detail behind them. */
export function markdown(results: BenchResults, targets: readonly Target[]): string {
  const { machine, settings, memory } = results;
  const lines = [
    `Measured ${results.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGb} GB), ${machine.os}, Node ${machine.node}.`,
    '',
    '| Measure | Result | Target | Met |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.measure} | ${t.result} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    `Throughput: autocannon, ${settings.connections} connections, ${settings.seconds} s after a ${settings.warmupSeconds} s warm-up, ` +
      'against the emulator CLI and two bare `node:http` baselines, each in its own process: the handler called ' +
      `in-process, and the handler in ${settings.connections} worker threads (one message each way per request, ` +
      'the least a worker-thread emulator adds).',
    '',
    '| Route | Emulator req/s | p50 | p99 | Baseline req/s | p50 | p99 | Ratio | Threads baseline req/s | p99 | Its ratio |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.throughput.map((run) =>
      row([
        `${run.name} (\`${run.request}\`)`,
        whole(run.emulator.rps),
        ms(run.emulator.p50Ms),
        ms(run.emulator.p99Ms),
        whole(run.baseline.rps),
        ms(run.baseline.p50Ms),
        ms(run.baseline.p99Ms),
        `${run.ratio.toFixed(2)}×`,
        whole(run.threaded.rps),
        ms(run.threaded.p99Ms),
        `${run.threadedRatio.toFixed(2)}×`,
      ]),
    ),
    '',
    `CPU during those runs, in % of one core (the machine has ${machine.cores}): the server / autocannon (which ` +
      'competes with it for the cores) / every other process; and the CPU time the emulator process (all its ' +
      'threads) spent per request.',
    '',
    '| Route | Emulator | Baseline | Threads baseline | Emulator CPU per request |',
    '|---|---|---|---|---|',
    ...results.throughput.map((run) =>
      row([
        run.name,
        cpuShares(run.emulator),
        cpuShares(run.baseline),
        cpuShares(run.threaded),
        `${whole((run.emulator.serverCpuPct * 1e4) / run.emulator.rps)} µs`,
      ]),
    ),
    '',
    `Functions: bundled as \`npm run build\` does; each cold-started in ${results.functions[0]?.coldWallMs.length ?? 0} ` +
      'fresh pools with its event from `events/` (Binance replaced by a fake on 127.0.0.1); medians. Init Duration ' +
      'and Duration are what REPORT says; the wall time adds the start of the worker thread.',
    '',
    '| Function | Bundle (minified) | Init Duration | First Duration | Init + Duration | Wall, from `invoke` to outcome |',
    '|---|---|---|---|---|---|',
    ...results.functions.map((fn) =>
      row([
        fn.logicalId,
        kb(fn.bundleBytes),
        ms(fn.medianInitMs),
        ms(fn.medianFirstInvokeMs),
        ms(fn.medianInitPlusInvokeMs),
        ms(fn.medianColdWallMs),
      ]),
    ),
    '',
    'Start-up: spawn to the route table (listening) and to the first 200 of `POST /multiply` (a cold start), ' +
      'the project template, watching as `npm start` does; `invoke`: its whole run. Each command alternately, ' +
      'medians.',
    '',
    '| CLI run as | Listening | First response | `invoke` | `invoke` runs |',
    '|---|---|---|---|---|',
    ...results.commands.map((timing) =>
      row([
        `\`node ${CLI_COMMANDS[timing.command].join(' ')}\``,
        ms(timing.listeningMs),
        ms(timing.startupMs),
        ms(timing.invokeMs),
        timing.invokeRunsMs.map((run) => whole(run)).join(', '),
      ]),
    ),
    '',
    `Memory (${settings.connections} connections, the REST and HTTP API routes in turn): RSS ${mb(memory.idleRssMb)} ` +
      `just started (${memory.idleThreads} threads, no worker yet), ${mb(memory.oneWorkerRssMb)} once one ` +
      `request has started one worker; ${mb(memory.rssBeforeMb)} after the ` +
      `${whole(memory.requestsBefore)} requests before the phase and a settling batch the size of each half; over the next 50k: median ` +
      `${mb(memory.medianAt50kMb)}, peak ${mb(memory.peakAt50kMb)}, ${mb(memory.rssAt50kMb)} at the end; over 50k ` +
      `more: median ${mb(memory.medianAt100kMb)}, peak ${mb(memory.peakAt100kMb)}, ${mb(memory.rssAt100kMb)} at ` +
      `the end; ${memory.threads} threads at the end. The baselines after their throughput runs: ` +
      `${mb(memory.baselineRssMb)} in-process, ${mb(memory.threadedBaselineRssMb)} with 10 worker threads.`,
    '',
    `Concurrency: ${results.concurrency.connections} connections on a handler that waits ${results.concurrency.sleepMs} ms, ` +
      `\`--max-concurrency ${results.concurrency.maxConcurrency}\`: ${whole(results.concurrency.load.rps)} req/s, ` +
      `p50 ${ms(results.concurrency.load.p50Ms)}, p99 ${ms(results.concurrency.load.p99Ms)}.`,
    '',
    `Request log: ${whole(results.requestLog.lines)} lines written for ${whole(results.requestLog.requests)} requests.`,
    ...sharedMachineWarning(results),
  ];
  return `${lines.join('\n')}\n`;
}

/** Other processes busy during the load runs make every throughput figure low; the report says so. */
function sharedMachineWarning(results: BenchResults): string[] {
  const runs = [
    ...results.throughput.flatMap((run) => [run.emulator, run.baseline, run.threaded]),
    ...results.memory.load,
    results.concurrency.load,
  ];
  const worst = Math.max(...runs.map((run) => run.otherCpuPct));
  if (worst < 15) return [];
  return [
    '',
    `**The machine was shared:** other processes used up to ${whole(worst)} % of a core during the load runs, ` +
      'so these throughput and latency figures are lower than a quiet machine gives.',
  ];
}

function cpuShares(load: LoadResult): string {
  return `${whole(load.serverCpuPct)} / ${whole(load.loadCpuPct)} / ${whole(load.otherCpuPct)}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function whole(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

function kb(bytes: number): string {
  return `${(bytes / KB).toFixed(1)} KB`;
}

function mb(value: number): string {
  return `${value.toFixed(0)} MB`;
}
