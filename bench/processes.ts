import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { exitOf } from '../test/support/cli.ts';

/** The project root: every command runs from here, as `npm start` does. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** `node --import tsx`, as the npm scripts run the emulator. */
export const TSX = ['--import', 'tsx'];

const running = new Set<ChildProcess>();

export interface LoggedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  /** Whatever it has written to stdout so far. */
  stdout(): string;
  stderr(): string;
}

/**
 * Starts a long-running Node process whose stdout and stderr go straight to files: nothing in the bench process
 * reads them while the load runs (that would compete for the CPU), yet the child can never block on a full pipe.
 */
export function spawnLogged(args: readonly string[], logPrefix: string): LoggedChild {
  const stdoutFile = `${logPrefix}.stdout.log`;
  const stderrFile = `${logPrefix}.stderr.log`;
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...args], { cwd: ROOT, stdio: ['ignore', out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  track(child);
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  return {
    child,
    pid: child.pid,
    stdoutFile,
    stderrFile,
    stdout: () => readFileSync(stdoutFile, 'utf8'),
    stderr: () => readFileSync(stderrFile, 'utf8'),
  };
}

/** Starts a short-lived Node process with piped output (little of it: start-up lines, one result). */
export function spawnPiped(args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, [...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  return child;
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A child that cannot start at all reports it here; its missing pid or output says so to the caller.
  child.once('error', () => running.delete(child));
}

/** Polls a logged child's stdout until every pattern has matched; each pattern's first group is returned. */
export async function waitForOutput(
  logged: LoggedChild,
  patterns: readonly RegExp[],
  timeoutMs = 30_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = logged.stdout();
    const found = patterns.map((pattern) => pattern.exec(output)?.[1]);
    if (found.every((value) => value !== undefined)) return found.filter((value) => value !== undefined);
    if (logged.child.exitCode !== null || logged.child.signalCode !== null) {
      throw new Error(`${logged.child.spawnargs.join(' ')} exited before it was ready:\n${logged.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`${logged.child.spawnargs.join(' ')} was not ready in time`);
    await sleep(20);
  }
}

/** SIGTERM (the emulator then finishes in-flight requests and writes its CPU profile), SIGKILL if it hangs. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops every child this process started and has not yet seen exit. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

/** Threads of a process: the emulator's main thread and its helpers, plus one per execution environment. */
export function threadCount(pid: number): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

/** Linux reports times in /proc in USER_HZ ticks, 100 a second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, so 11 and 12 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU time (user + system) each process has used so far, in seconds, by pid; these pids left out. */
export function processCpuSeconds(except: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || except.includes(pid)) continue;
    try {
      times.set(pid, cpuSeconds(pid));
    } catch {
      // It exited between the listing and the read.
    }
  }
  return times;
}

/**
 * CPU used between two snapshots by the processes alive at the second: a process that started meanwhile
 * counts whole, one that exited meanwhile is missed (its time is gone with it).
 */
export function cpuSecondsBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number {
  let total = 0;
  for (const [pid, seconds] of after) total += Math.max(0, seconds - (before.get(pid) ?? 0));
  return total;
}
