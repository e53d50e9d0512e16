import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitOf } from '../test/support/cli.ts';
import { request } from '../test/support/http.ts';
import { spawnPiped, stopChild, TSX } from './processes.ts';

export interface StartupRun {
  /** From spawn to the route table on stdout: the API server is listening. */
  readonly listeningMs: number;
  /** From spawn to the first 200 of `POST /multiply` (which cold-starts a worker). */
  readonly firstResponseMs: number;
}

/** How the CLI is run: under tsx, or from its cached bundle (emulator/launch.mjs), as the npm scripts run it. */
export const CLI_COMMANDS = {
  tsx: [...TSX, 'emulator/cli.ts'],
  bundle: ['emulator/launch.mjs'],
} as const;
export type CliCommand = keyof typeof CLI_COMMANDS;

/** `npm start` on ephemeral ports, with the project's template, watching as it does. */
const START_ARGS = ['start', '-p', '0', '--lambda-port', '0', '--web-port', '0'];
/** `npm run invoke -- MultiplyFunction -e events/multiply.json`. */
const INVOKE_ARGS = ['invoke', 'MultiplyFunction', '-e', 'events/multiply.json'];

/** One start: spawn, wait for the URL it prints, then ask until the first successful answer. */
export function startupOnce(command: CliCommand): Promise<StartupRun> {
  return startupWith(CLI_COMMANDS[command]);
}

/** The same with any way of running the CLI: `node` and these arguments before the command's. */
export async function startupWith(cli: readonly string[]): Promise<StartupRun> {
  const started = performance.now();
  const child = spawnPiped([...cli, ...START_ARGS]);
  try {
    const { url, listeningMs } = await servingUrl(child, started);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const response = await request(`${url}/multiply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a": 12, "b": 3}',
      });
      if (response.status === 200) return { listeningMs, firstResponseMs: performance.now() - started };
      if (Date.now() > deadline) throw new Error(`POST /multiply kept answering ${response.status}`);
      await sleep(5);
    }
  } finally {
    await stopChild(child);
  }
}

function servingUrl(child: ChildProcess, started: number): Promise<{ url: string; listeningMs: number }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    // Both streams stay drained for the child's whole life, so that it never blocks on a full pipe.
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const url = /Serving on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined) resolve({ url, listeningMs: performance.now() - started });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before serving:\n${stderr}`)),
    );
  });
}

/** One `invoke`, to its exit; it must print the function's result. */
export function invokeOnce(command: CliCommand): Promise<number> {
  return invokeWith(CLI_COMMANDS[command]);
}

export async function invokeWith(cli: readonly string[]): Promise<number> {
  const started = performance.now();
  const child = spawnPiped([...cli, ...INVOKE_ARGS]);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  const code = await exitOf(child);
  const wallMs = performance.now() - started;
  await closed;
  if (code !== 0 || !stdout.includes('{\\"result\\":36}')) {
    throw new Error(`invoke exited with ${code}: ${stdout}\n${stderr}`);
  }
  return wallMs;
}
