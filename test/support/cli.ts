import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', 'emulator/cli.ts'];
/** The CLI as `npm run local` runs it: from its cached bundle, by absolute path so that any folder can be the cwd. */
const BUNDLED_CLI = [fileURLToPath(new URL('../../emulator/launch.mjs', import.meta.url))];

/** Where and how a CLI child runs: the repository root under tsx unless said otherwise. */
export interface CliOptions {
  /** The working directory, e.g. an application's folder, as a user runs `sam local` from it. */
  readonly cwd?: string;
  /** Run `node emulator/launch.mjs` (half the start-up of tsx) instead of `node --import tsx emulator/cli.ts`. */
  readonly bundled?: boolean;
  /** The child's whole environment; the test's own by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Run this file, an installed package's bin, instead of the repository's CLI. */
  readonly bin?: string;
}

function cliArgs(args: readonly string[], options: CliOptions): string[] {
  if (options.bin !== undefined) return [options.bin, ...args];
  return [...(options.bundled ? BUNDLED_CLI : CLI), ...args];
}
/** Output kept for `output()` when a test asks not to keep it all; the start-up lines fit well within it. */
const KEPT_WHEN_LIMITED = 1024 * 1024;

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI as `npm run local -- …` does (without npm) to completion, with `stdin` piped in, or, without it,
 * stdin on /dev/null as under a terminal that pipes nothing.
 */
export function run(args: readonly string[], stdin?: string, options: CliOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args, options), {
      cwd: options.cwd ?? ROOT,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}

export interface Serving {
  readonly child: ChildProcess;
  /** The URL printed on `Serving on …`. */
  readonly url: string;
  /** stdout and stderr as written so far, interleaved; only the first 1 MB with `keepOutput: false`. */
  output(): string;
  /** Bytes written to stdout and stderr so far, kept or not. */
  outputBytes(): number;
}

/**
 * Starts a long-running command and resolves with the URL it prints once it serves. With `keepOutput: false`
 * the output is still read (a full pipe would stall the emulator) but only its start is kept. `env` replaces
 * the child's environment (default: this process's). `ready` finds the URL in the output (default: the
 * emulator's `Serving on …`), its first group being the URL.
 */
export function startServing(
  args: readonly string[],
  options: { keepOutput?: boolean; ready?: RegExp } & CliOptions = {},
): Promise<Serving> {
  const ready = options.ready ?? /Serving on (http:\/\/\S+)/;
  const keepAll = options.keepOutput ?? true;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args, options), {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    let output = '';
    let bytes = 0;
    const keep = (chunk: Buffer) => {
      bytes += chunk.byteLength;
      if (keepAll || output.length < KEPT_WHEN_LIMITED) output += chunk;
    };
    const serving: Omit<Serving, 'url'> = { child, output: () => output, outputBytes: () => bytes };
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = ready.exec(output);
      if (match?.[1] !== undefined) resolve({ ...serving, url: match[1] });
    });
    child.stderr?.on('data', keep);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${output}`)));
  });
}

/**
 * SIGINT, as Ctrl-C would, then SIGKILL if the process has not exited within 10 s. Resolves once its output has
 * been read to the end, so that `output()` then holds all of it.
 */
export async function stopServing(serving: Serving | undefined): Promise<void> {
  if (serving === undefined || serving.child.exitCode !== null) return;
  const closed = new Promise((resolve) => serving.child.once('close', resolve));
  serving.child.kill('SIGINT');
  const timer = setTimeout(() => serving.child.kill('SIGKILL'), 10_000);
  await closed;
  clearTimeout(timer);
}

/** Resolves with the exit code once the child has exited (at once when it already has, by code or signal). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A process's resident memory in MB, from /proc (Linux). */
export function residentMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** How many file descriptors a process has open, from /proc (Linux). */
export function openFileDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * The local addresses listening on a TCP port of this machine, from /proc/net/tcp and tcp6 (Linux): proof of
 * what a server bound to, without sending it anything.
 */
export function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = local?.split(':') ?? [];
      // 0A is TCP_LISTEN.
      if (state !== '0A' || hexAddress === undefined || Number.parseInt(hexPort ?? '', 16) !== port) continue;
      addresses.push(hexAddress.length === 8 ? ipv4(hexAddress) : `[${hexAddress}]`);
    }
  }
  return addresses;
}

/** `0100007F` (the kernel's little-endian word) is 127.0.0.1. */
function ipv4(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((byte) => Number.parseInt(byte, 16))
    .join('.');
}
