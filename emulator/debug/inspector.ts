/**
 * `-d/--debug-port`: the V8 inspector of the emulator's own process. The functions run in worker threads of this
 * process, and VS Code reaches each of them through this one inspector (the DevTools protocol's `NodeWorker`
 * domain): workers started later (scale-out, a replacement after a crash or a timeout, a rebuild) appear to it as
 * they start. Chrome's DevTools do not use that domain on Node 20 and 22, so each worker also opens an inspector
 * of its own (worker.ts). The design and its reasons: README.md beside this file.
 * https://nodejs.org/docs/latest-v20.x/api/inspector.html
 */
import inspector from 'node:inspector';
import { isIP } from 'node:net';
import type { Logger } from '../log.ts';

export class InspectorError extends Error {
  override readonly name = 'InspectorError';
}

/**
 * Opens the inspector on `host:port` (0: a port the OS picks) and returns its `ws://` URL. A process a debugger
 * launched (VS Code's "Launch" configurations open the inspector themselves) keeps the inspector it has. The
 * inspector runs any code it is sent, so a host other than loopback is warned about.
 */
export function openInspector(options: { port: number; host: string; log: Logger }): string {
  const { port, host, log } = options;
  const existing = inspector.url();
  if (existing !== undefined) {
    log.info(
      `Debugger: this process already has an inspector (${existing}), opened by node --inspect or by the debugger that launched it; -d ${port} is not opened as well`,
    );
    return existing;
  }
  warnIfExposed(host, port, log);
  inspector.open(port, host, false);
  const url = inspector.url();
  // Node prints why it could not listen (a port in use, say) and leaves the inspector closed.
  if (url === undefined)
    throw new InspectorError(
      `-d ${port}: the inspector could not listen on ${host}:${port}: pass -d N for another port, or stop the process that has it`,
    );
  return url;
}

/** The inspector runs any code it is sent: a host other than loopback is warned about. */
export function warnIfExposed(host: string, port: number, log: Logger): void {
  if (isLoopback(host)) return;
  log.warn(
    `Debugger: the inspector listens on ${host}:${port}, reachable from other machines: anyone who can connect can run code as you. Use --host 127.0.0.1 unless you mean it.`,
  );
}

/** The start-up lines of `start* -d`: where each kind of debugger attaches. */
export function describeDebugging(url: string): string {
  const { port } = new URL(url);
  return [
    `Debugger: inspector on ${url}`,
    `  VS Code: "Attach to the emulator" (.vscode/launch.json, port ${port}) reaches every execution environment through it`,
    '  Chrome: each execution environment prints its own inspector as it starts; open that one (chrome://inspect shows the main thread only)',
  ].join('\n');
}

/** The start-up line of `invoke -d`. */
export function describeInvokeDebugging(host: string, port: number): string {
  return `Debugger: the function waits for a debugger on ${host}:${port} (VS Code: "Attach to the emulator"; Chrome: chrome://inspect), then stops before its handler runs`;
}

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}
