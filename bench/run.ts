/**
 * The emulator's benchmarks in one run: throughput and latency against a bare node:http baseline, start-up,
 * `invoke`, bundle sizes and cold starts, memory under load, concurrency. Writes bench/results/latest.md and
 * latest.json. A benchmark, not a test: it exits 0 whatever it measures, unless `--check` is given.
 *
 * node --import tsx bench/run.ts [--check] [--quick] [--profile]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildFunction, isBuildable } from '../emulator/build/esbuild.ts';
import { loadTemplate } from '../emulator/template/load.ts';
import { residentMb } from '../test/support/cli.ts';
import { request } from '../test/support/http.ts';
import { CLI_COMMANDS, type CliCommand, invokeOnce, type StartupRun, startupOnce } from './cli-timings.ts';
import { measureFunctions } from './functions.ts';
import { checkAnswered, type LoadRequest, type LoadResult, type LoadSpec, runLoad } from './load.ts';
import {
  type LoggedChild,
  ROOT,
  spawnLogged,
  stopAll,
  stopChild,
  TSX,
  threadCount,
  waitForOutput,
} from './processes.ts';
import {
  type BenchResults,
  type CommandTimings,
  type ConcurrencyResult,
  type MemoryResult,
  markdown,
  type ThroughputResult,
  targetsOf,
} from './report.ts';
import { median } from './stats.ts';

const { values: flags } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});

/** `--quick` is for trying the harness: short runs, written to quick.json only. */
const SETTINGS = flags.quick
  ? { seconds: 3, warmupSeconds: 1, connections: 10, repeats: 3, memoryStep: 10_000 }
  : { seconds: 10, warmupSeconds: 2, connections: 10, repeats: 5, memoryStep: 50_000 };
const CONCURRENCY = { connections: 50, sleepMs: 50, maxConcurrency: 50 };
const FIXTURE_TEMPLATE = 'bench/fixtures/template.yaml';
const RESULTS_DIR = path.join(ROOT, 'bench/results');
const PROFILE_DIR = path.join(tmpdir(), 'sam-bench-profiles');

// What `npm start` runs: the CLI from its cached bundle (under tsx the same code serves 5–15 % fewer requests).
const EMULATOR_ARGS = [
  ...CLI_COMMANDS.bundle,
  'start',
  '-t',
  FIXTURE_TEMPLATE,
  '-p',
  '0',
  '--lambda-port',
  '0',
  '--web-port',
  '0',
  '--no-watch',
  '--no-schedules',
  // Enough execution environments for every connection of the concurrency case; see bench/README.md.
  '--max-concurrency',
  String(CONCURRENCY.maxConcurrency),
];

const ROUTES: readonly { name: string; port: 'api' | 'lambda'; request: LoadRequest }[] = [
  { name: 'REST API (1.0)', port: 'api', request: { method: 'GET', path: '/v1/trivial' } },
  { name: 'HTTP API (2.0)', port: 'api', request: { method: 'GET', path: '/v2/trivial' } },
  {
    name: 'Invoke endpoint',
    port: 'lambda',
    request: { method: 'POST', path: '/2015-03-31/functions/TrivialFunction/invocations', body: '{}' },
  },
];

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

async function main(work: string): Promise<BenchResults> {
  progress('bundles and cold starts of the project functions');
  const functions = await measureFunctions(
    ROOT,
    path.join(ROOT, 'template.yaml'),
    path.join(work, 'functions'),
    SETTINGS.repeats,
  );

  progress('npm start: start to first response, and npm run invoke');
  const commands = await timeCommands();

  const baselineBundle = await buildTrivial(path.join(work, 'baseline'));
  const baseline = spawnLogged([...TSX, 'bench/baseline.ts', baselineBundle], path.join(work, 'baseline'));
  // One thread per connection, as the emulator ends up with one execution environment per connection.
  const threaded = spawnLogged(
    [...TSX, 'bench/baseline.ts', baselineBundle, '--threads', String(SETTINGS.connections)],
    path.join(work, 'threaded'),
  );
  const emulatorArgs = flags.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, ...EMULATOR_ARGS]
    : EMULATOR_ARGS;
  const emulator = spawnLogged(emulatorArgs, path.join(work, 'emulator'));
  const [baselineUrl] = await waitForOutput(baseline, [/Listening on (http:\/\/\S+)/]);
  const [threadedUrl] = await waitForOutput(threaded, [/Listening on (http:\/\/\S+)/]);
  const [apiUrl, lambdaUrl] = await waitForOutput(emulator, [
    /Serving on (http:\/\/\S+)/,
    /Lambda Invoke endpoint on (http:\/\/\S+)/,
  ]);
  if (
    baselineUrl === undefined ||
    threadedUrl === undefined ||
    apiUrl === undefined ||
    lambdaUrl === undefined
  ) {
    throw new Error('the servers did not print their URLs');
  }
  let emulatorRequests = 0;
  const idle = { rssMb: residentMb(emulator.pid), threads: threadCount(emulator.pid), oneWorkerRssMb: 0 };
  // One request, one execution environment: what a worker adds to the process.
  const first = await request(`${apiUrl}/v2/trivial`);
  if (first.status !== 200) throw new Error(`GET /v2/trivial answered ${first.status}: ${first.text()}`);
  emulatorRequests++;
  await sleep(200);
  idle.oneWorkerRssMb = residentMb(emulator.pid);
  const loadEmulator = async (what: string, spec: LoadSpec): Promise<LoadResult> => {
    const result = await runLoad(spec);
    emulatorRequests += result.responses;
    checkAnswered(what, result, what.endsWith('warm-up'));
    return result;
  };

  const throughput: ThroughputResult[] = [];
  for (const route of ROUTES) {
    progress(`throughput: ${route.name}`);
    const url = route.port === 'api' ? apiUrl : lambdaUrl;
    const load = { connections: SETTINGS.connections, requests: [route.request] };
    await loadEmulator(`${route.name} warm-up`, {
      ...load,
      url,
      seconds: SETTINGS.warmupSeconds,
      serverPid: emulator.pid,
    });
    const measured = await loadEmulator(route.name, {
      ...load,
      url,
      seconds: SETTINGS.seconds,
      serverPid: emulator.pid,
    });
    const baselineResult = await loadBaseline('baseline', {
      ...load,
      url: baselineUrl,
      serverPid: baseline.pid,
    });
    const threadedResult = await loadBaseline('threaded baseline', {
      ...load,
      url: threadedUrl,
      serverPid: threaded.pid,
    });
    throughput.push({
      name: route.name,
      request: `${route.request.method} ${route.request.path}`,
      emulator: measured,
      baseline: baselineResult,
      threaded: threadedResult,
      ratio: measured.rps / baselineResult.rps,
      threadedRatio: threadedResult.rps / baselineResult.rps,
    });
  }
  // What the same load leaves resident in a process that only adds the threads: the floor for the emulator's.
  const baselines = { rssMb: residentMb(baseline.pid), threadedRssMb: residentMb(threaded.pid) };
  await Promise.all([stopChild(baseline.child), stopChild(threaded.child)]);

  progress(`memory: ${2 * SETTINGS.memoryStep} requests`);
  const memory = await measureMemory(emulator, apiUrl, emulatorRequests, idle, baselines, loadEmulator);

  progress('concurrency');
  const concurrencyLoad = {
    url: apiUrl,
    connections: CONCURRENCY.connections,
    requests: [{ method: 'GET', path: '/v2/sleep' } as const],
    serverPid: emulator.pid,
  };
  // Fifty workers starting at once take seconds on two cores: the warm-up lasts until each connection has had
  // a few answers, so that the measured run finds every execution environment warm.
  await loadEmulator('concurrency warm-up', { ...concurrencyLoad, amount: CONCURRENCY.connections * 4 });
  const concurrencyResult = await loadEmulator('concurrency', {
    ...concurrencyLoad,
    seconds: SETTINGS.seconds,
  });
  const idealRps = (CONCURRENCY.connections * 1000) / CONCURRENCY.sleepMs;
  const concurrency: ConcurrencyResult = {
    ...CONCURRENCY,
    idealRps,
    load: concurrencyResult,
    ratio: concurrencyResult.rps / idealRps,
  };

  await stopChild(emulator.child);
  const logLines = countLines(emulator.stdoutFile, / ms( |$)/);

  return {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
    },
    settings: {
      seconds: SETTINGS.seconds,
      warmupSeconds: SETTINGS.warmupSeconds,
      connections: SETTINGS.connections,
    },
    emulatorCommand: `node ${EMULATOR_ARGS.join(' ')}`,
    throughput,
    commands,
    functions,
    memory,
    concurrency,
    requestLog: { lines: logLines, requests: emulatorRequests },
  };
}

/**
 * Start-up and `invoke`, with the CLI run both ways, alternating so that both meet the same machine. One
 * unmeasured run of each first: it fills tsx's compile cache, or (re)builds the bundle.
 */
async function timeCommands(): Promise<CommandTimings[]> {
  // A checkout from before emulator/launch.mjs existed is measured the one way it can be run.
  const names = Object.keys(CLI_COMMANDS)
    .filter(isCliCommand)
    .filter((name) => existsSync(path.join(ROOT, CLI_COMMANDS[name].at(-1) ?? '')));
  const runs = new Map(names.map((name) => [name, { startup: [] as StartupRun[], invoke: [] as number[] }]));
  for (const name of names) await invokeOnce(name);
  for (let run = 0; run < SETTINGS.repeats; run++) {
    for (const name of names) runs.get(name)?.startup.push(await startupOnce(name));
    for (const name of names) runs.get(name)?.invoke.push(await invokeOnce(name));
  }
  return names.map((name) => {
    const { startup = [], invoke = [] } = runs.get(name) ?? {};
    return {
      command: name,
      startupRuns: startup,
      startupMs: median(startup.map((one) => one.firstResponseMs)),
      listeningMs: median(startup.map((one) => one.listeningMs)),
      invokeRunsMs: invoke,
      invokeMs: median(invoke),
    };
  });
}

function isCliCommand(name: string): name is CliCommand {
  return name in CLI_COMMANDS;
}

/** A baseline's warm-up, then its measured run; the path and method are the route's, the answer the same. */
async function loadBaseline(what: string, spec: Omit<LoadSpec, 'seconds' | 'amount'>): Promise<LoadResult> {
  checkAnswered(`${what} warm-up`, await runLoad({ ...spec, seconds: SETTINGS.warmupSeconds }), true);
  const result = await runLoad({ ...spec, seconds: SETTINGS.seconds });
  checkAnswered(what, result);
  return result;
}

/** The trivial fixture function, bundled as the emulator bundles it, for the baseline to import. */
async function buildTrivial(outdir: string): Promise<string> {
  const fn = loadTemplate(path.join(ROOT, FIXTURE_TEMPLATE)).functions.get('TrivialFunction');
  if (fn === undefined || !isBuildable(fn))
    throw new Error('the fixture template has no buildable TrivialFunction');
  return (await buildFunction(fn, outdir)).file;
}

/** RSS after two equal batches of requests, alternating the REST and HTTP API routes: the second shows a leak. */
async function measureMemory(
  emulator: LoggedChild,
  apiUrl: string,
  requestsBefore: number,
  idle: { rssMb: number; threads: number; oneWorkerRssMb: number },
  baselines: { rssMb: number; threadedRssMb: number },
  load: (what: string, spec: LoadSpec) => Promise<LoadResult>,
): Promise<MemoryResult> {
  const spec = {
    url: apiUrl,
    connections: SETTINGS.connections,
    requests: [
      { method: 'GET', path: '/v1/trivial' },
      { method: 'GET', path: '/v2/trivial' },
    ] as const,
    amount: SETTINGS.memoryStep,
    serverPid: emulator.pid,
  };
  // One batch of the same mix first: the throughput runs leave the heaps shaped by one route at a time, and
  // the first measured batch would otherwise include their settling, not only its own requests.
  await load('memory, settling batch', spec);
  const rssBeforeMb = residentMb(emulator.pid);
  const first = await sampledLoad(emulator.pid, () => load('memory, first half', spec));
  const second = await sampledLoad(emulator.pid, () => load('memory, second half', spec));
  return {
    requestsBefore,
    idleRssMb: idle.rssMb,
    idleThreads: idle.threads,
    oneWorkerRssMb: idle.oneWorkerRssMb,
    rssBeforeMb,
    rssAt50kMb: first.rssAfterMb,
    rssAt100kMb: second.rssAfterMb,
    medianAt50kMb: first.medianMb,
    medianAt100kMb: second.medianMb,
    growthPct: growthPct(first.rssAfterMb, second.rssAfterMb),
    medianGrowthPct: growthPct(first.medianMb, second.medianMb),
    peakAt50kMb: first.peakMb,
    peakAt100kMb: second.peakMb,
    peakGrowthPct: growthPct(first.peakMb, second.peakMb),
    baselineRssMb: baselines.rssMb,
    threadedBaselineRssMb: baselines.threadedRssMb,
    threads: threadCount(emulator.pid),
    load: [first.result, second.result],
  };
}

function growthPct(from: number, to: number): number {
  return ((to - from) / from) * 100;
}

/**
 * A load run with the server's RSS sampled every 100 ms. One reading at the end of a batch moves by tens of MB
 * with where each heap is in its garbage-collection cycle, so the median and the peak of the batch's samples
 * are reported beside it.
 */
async function sampledLoad(
  pid: number,
  run: () => Promise<LoadResult>,
): Promise<{ result: LoadResult; medianMb: number; peakMb: number; rssAfterMb: number }> {
  const samples = [residentMb(pid)];
  const sampler = setInterval(() => samples.push(residentMb(pid)), 100);
  try {
    const result = await run();
    await sleep(200);
    const rssAfterMb = residentMb(pid);
    return { result, medianMb: median(samples), peakMb: Math.max(...samples, rssAfterMb), rssAfterMb };
  } finally {
    clearInterval(sampler);
  }
}

function countLines(file: string, pattern: RegExp): number {
  let count = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) if (pattern.test(line)) count++;
  return count;
}

async function cleanUp(work: string, keep: boolean): Promise<void> {
  await stopAll();
  if (keep) progress(`logs kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const work = mkdtempSync(path.join(tmpdir(), 'sam-bench-'));
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: stopping`);
    void cleanUp(work, false).finally(() => process.exit(130));
  });
}

try {
  const results = await main(work);
  const targets = targetsOf(results);
  const report = markdown(results, targets);
  mkdirSync(RESULTS_DIR, { recursive: true });
  // A quick run only leaves its (git-ignored) JSON: latest.md always holds a full run.
  if (!flags.quick) writeFileSync(path.join(RESULTS_DIR, 'latest.md'), report);
  writeFileSync(
    path.join(RESULTS_DIR, flags.quick ? 'quick.json' : 'latest.json'),
    `${JSON.stringify({ ...results, targets }, null, 2)}\n`,
  );
  process.stdout.write(report);
  if (flags.profile) progress(`CPU profile of the emulator in ${PROFILE_DIR}`);
  await cleanUp(work, false);
  const missed = targets.filter((target) => !target.met);
  if (flags.check && missed.length > 0) {
    progress(`${missed.length} target(s) missed`);
    process.exitCode = 1;
  }
} catch (error) {
  if (!interrupted) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanUp(work, true);
    process.exitCode = 1;
  }
}
