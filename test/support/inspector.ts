/**
 * A small Chrome DevTools Protocol client for the emulator's inspector, doing what an editor does: attach to
 * each worker thread through the `NodeWorker` domain, bind a breakpoint given as a TypeScript file and line by
 * reading the bundle's source map, and read a paused frame back as a TypeScript location.
 * https://chromedevtools.github.io/devtools-protocol/v8/
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { isRecord, type UnknownRecord } from '../../functions/shared/guards.ts';

const EVENT_TIMEOUT_MS = 30_000;

interface Waiter {
  readonly matches: (event: CdpEvent) => boolean;
  readonly resolve: (event: CdpEvent) => void;
}

export interface CdpEvent {
  readonly method: string;
  readonly params: UnknownRecord;
}

/** Events kept until a test asks for them, so that none is lost between two awaits. */
class EventQueue {
  readonly #events: CdpEvent[] = [];
  readonly #waiters = new Set<Waiter>();

  push(event: CdpEvent): void {
    for (const waiter of this.#waiters) {
      if (!waiter.matches(event)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(event);
      return;
    }
    this.#events.push(event);
  }

  /** The first event named `method` (and passing `where`), taken out of the queue. */
  next(method: string, where: (params: UnknownRecord) => boolean = () => true): Promise<CdpEvent> {
    const matches = (event: CdpEvent) => event.method === method && where(event.params);
    const index = this.#events.findIndex(matches);
    if (index !== -1) return Promise.resolve(this.#events.splice(index, 1)[0] as CdpEvent);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no ${method} within ${EVENT_TIMEOUT_MS} ms`));
      }, EVENT_TIMEOUT_MS);
      const waiter: Waiter = {
        matches,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      this.#waiters.add(waiter);
    });
  }
}

type Reply = { resolve(result: UnknownRecord): void; reject(error: Error): void };

/** Commands and replies over one channel, keyed by id; the channel is the socket or a worker's session. */
class Commands {
  readonly #replies = new Map<number, Reply>();
  readonly #write: (text: string) => void;
  #nextId = 1;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  send(method: string, params: UnknownRecord = {}): Promise<UnknownRecord> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#replies.set(id, { resolve, reject });
      this.#write(JSON.stringify({ id, method, params }));
    });
  }

  /** Takes a reply; false when `message` is an event. */
  settle(message: UnknownRecord): boolean {
    if (typeof message.id !== 'number') return false;
    const reply = this.#replies.get(message.id);
    this.#replies.delete(message.id);
    if (isRecord(message.error)) reply?.reject(new Error(JSON.stringify(message.error)));
    else reply?.resolve(isRecord(message.result) ? message.result : {});
    return true;
  }
}

/** One worker thread's session, reached through `NodeWorker.sendMessageToWorker`. */
export class WorkerSession {
  readonly sessionId: string;
  readonly url: string;
  readonly events = new EventQueue();
  /** Every script the worker has parsed (with Debugger enabled), by id. */
  readonly scripts: Scripts = new Map();
  readonly #commands: Commands;

  constructor(client: CdpClient, sessionId: string, url: string) {
    this.sessionId = sessionId;
    this.url = url;
    this.#commands = new Commands((message) => {
      void client.send('NodeWorker.sendMessageToWorker', { sessionId, message });
    });
  }

  send(method: string, params: UnknownRecord = {}): Promise<UnknownRecord> {
    return this.#commands.send(method, params);
  }

  receive(message: UnknownRecord): void {
    if (this.#commands.settle(message)) return;
    const params = isRecord(message.params) ? message.params : {};
    if (message.method === 'Debugger.scriptParsed') recordScript(this.scripts, params);
    else if (typeof message.method === 'string') this.events.push({ method: message.method, params });
  }
}

type Scripts = Map<string, { readonly url: string; readonly sourceMapURL: string }>;

function recordScript(scripts: Scripts, params: UnknownRecord): void {
  const { scriptId, url, sourceMapURL } = params;
  scripts.set(String(scriptId), { url: String(url), sourceMapURL: String(sourceMapURL ?? '') });
}

/** A connection to an inspector: the target's own commands and events, and its worker threads' sessions. */
export class CdpClient {
  readonly events = new EventQueue();
  /** Every script the target has parsed (with Debugger enabled), by id. */
  readonly scripts: Scripts = new Map();
  readonly #socket: WebSocket;
  readonly #commands: Commands;
  readonly #workers = new Map<string, WorkerSession>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#commands = new Commands((text) => socket.send(text));
    socket.on('message', (data) => this.#receive(String(data)));
  }

  /** Connects to the inspector at its `ws://` URL. */
  static connect(url: string): Promise<CdpClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new CdpClient(socket)));
      socket.once('error', reject);
    });
  }

  send(method: string, params: UnknownRecord = {}): Promise<UnknownRecord> {
    return this.#commands.send(method, params);
  }

  /**
   * Asks to be attached to every worker, each new one held before its first line until it is told to run, as
   * VS Code's debugger does (`NodeWorker.enable`).
   */
  async attachToWorkers(): Promise<void> {
    await this.send('NodeWorker.enable', { waitForDebuggerOnStart: true });
  }

  /** The next worker thread attached (one started from now on, or one already running). */
  async nextWorker(): Promise<WorkerSession> {
    const event = await this.events.next('NodeWorker.attachedToWorker');
    const sessionId = String(event.params.sessionId);
    const session = this.#workers.get(sessionId);
    if (session === undefined) throw new Error(`no session ${sessionId}`);
    return session;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) resolve();
      this.#socket.once('close', () => resolve());
      this.#socket.close();
    });
  }

  #receive(text: string): void {
    const message: unknown = JSON.parse(text);
    if (!isRecord(message) || this.#commands.settle(message)) return;
    const method = String(message.method);
    const params = isRecord(message.params) ? message.params : {};
    if (method === 'NodeWorker.attachedToWorker') {
      const sessionId = String(params.sessionId);
      const info = isRecord(params.workerInfo) ? params.workerInfo : {};
      this.#workers.set(sessionId, new WorkerSession(this, sessionId, String(info.url)));
    }
    if (method === 'NodeWorker.receivedMessageFromWorker') {
      const inner: unknown = JSON.parse(String(params.message));
      if (isRecord(inner)) this.#workers.get(String(params.sessionId))?.receive(inner);
      return;
    }
    if (method === 'Debugger.scriptParsed') recordScript(this.scripts, params);
    else this.events.push({ method, params });
  }
}

/** A position in a file; lines and columns count from 0, as in the protocol and in source maps. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

interface Mapping {
  readonly generated: Position;
  readonly source: string;
  readonly original: Position;
}

/** A parsed source map v3: every mapping with a source, `sources` read as they are written. */
export class SourceMap {
  readonly sources: readonly string[];
  readonly #mappings: readonly Mapping[];

  constructor(json: string) {
    const map: unknown = JSON.parse(json);
    if (!isRecord(map) || !Array.isArray(map.sources) || typeof map.mappings !== 'string')
      throw new Error('not a source map');
    const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    this.sources = map.sources.map((source) => `${root}${String(source)}`);
    this.#mappings = decodeMappings(map.mappings, this.sources);
  }

  /** Where the first code of `line` of `source` landed in the bundle, as an editor binds a breakpoint. */
  generatedFor(source: string, line: number): Position {
    const candidates = this.#mappings.filter((m) => m.source === source && m.original.line === line);
    const first = candidates.sort((a, b) => a.original.column - b.original.column)[0];
    if (first === undefined) throw new Error(`${source}:${line + 1} has no code in the bundle`);
    return first.generated;
  }

  /** The original position of a bundle position: the last mapping at or before it on its line. */
  originalFor(position: Position): { source: string; line: number; column: number } {
    const onLine = this.#mappings.filter(
      (m) => m.generated.line === position.line && m.generated.column <= position.column,
    );
    const last = onLine.at(-1);
    if (last === undefined) throw new Error(`no mapping at ${position.line}:${position.column}`);
    return { source: last.source, ...last.original };
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The `mappings` string: `;` between generated lines, `,` between segments of base64 VLQ deltas. */
function decodeMappings(mappings: string, sources: readonly string[]): Mapping[] {
  const result: Mapping[] = [];
  let sourceIndex = 0;
  let originalLine = 0;
  let originalColumn = 0;
  mappings.split(';').forEach((lineText, line) => {
    let column = 0;
    for (const segment of lineText.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlq(segment);
      column += fields[0] ?? 0;
      if (fields.length < 4) continue;
      sourceIndex += fields[1] ?? 0;
      originalLine += fields[2] ?? 0;
      originalColumn += fields[3] ?? 0;
      result.push({
        generated: { line, column },
        source: sources[sourceIndex] ?? '',
        original: { line: originalLine, column: originalColumn },
      });
    }
  });
  return result;
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/** The source map a script names (`sourceMapURL` relative to the script's `file:` URL, or a data URL). */
export function readSourceMap(scriptUrl: string, sourceMapUrl: string): SourceMap {
  const url = new URL(sourceMapUrl, scriptUrl);
  if (url.protocol === 'data:') {
    const base64 = url.href.slice(url.href.indexOf(',') + 1);
    return new SourceMap(Buffer.from(base64, 'base64').toString('utf8'));
  }
  return new SourceMap(readFileSync(fileURLToPath(url), 'utf8'));
}

export interface BoundBreakpoint {
  readonly breakpointId: string;
  readonly scriptId: string;
  readonly map: SourceMap;
}

/**
 * Lets a worker held at its start run, binding a breakpoint on `line` (from 1, as editors show it) of the
 * TypeScript file `source` (an absolute path) as VS Code does: it pauses before each script that has a source
 * map runs, looks for `source` among the map's `sources` as they are written (no path mapping), and sets the
 * breakpoint where that line landed in the bundle. Resolves once the breakpoint is set and the worker runs on.
 */
export async function bindBreakpoint(
  worker: WorkerSession,
  source: string,
  line: number,
): Promise<BoundBreakpoint> {
  await worker.send('Debugger.enable');
  const instrumentation = await worker.send('Debugger.setInstrumentationBreakpoint', {
    instrumentation: 'beforeScriptWithSourceMapExecution',
  });
  await worker.send('Runtime.runIfWaitingForDebugger');
  for (;;) {
    const paused = await worker.events.next('Debugger.paused');
    const data = isRecord(paused.params.data) ? paused.params.data : {};
    if (paused.params.reason === 'instrumentation' && typeof data.sourceMapURL === 'string') {
      const map = readSourceMap(String(data.url), data.sourceMapURL);
      if (map.sources.includes(source)) {
        const scriptId = String(data.scriptId);
        const at = map.generatedFor(source, line - 1);
        const set = await worker.send('Debugger.setBreakpoint', {
          location: { scriptId, lineNumber: at.line, columnNumber: at.column },
        });
        await worker.send('Debugger.removeBreakpoint', { breakpointId: instrumentation.breakpointId });
        await worker.send('Debugger.resume');
        return { breakpointId: String(set.breakpointId), scriptId, map };
      }
    }
    // The worker's first line (it was held there for us), or a script that is not the one we look for.
    await worker.send('Debugger.resume');
  }
}

/** The top frame of a `Debugger.paused` event. */
export function topFrame(paused: CdpEvent): { callFrameId: string; scriptId: string; position: Position } {
  const frames = Array.isArray(paused.params.callFrames) ? paused.params.callFrames : [];
  const frame: unknown = frames[0];
  if (!isRecord(frame) || !isRecord(frame.location)) throw new Error('paused without a frame');
  return {
    callFrameId: String(frame.callFrameId),
    scriptId: String(frame.location.scriptId),
    position: { line: Number(frame.location.lineNumber), column: Number(frame.location.columnNumber ?? 0) },
  };
}

/** The value of `expression` on a paused frame, as the editor's Variables and Watch panes show it. */
export async function evaluateOnFrame(
  target: { send(method: string, params: UnknownRecord): Promise<UnknownRecord> },
  callFrameId: string,
  expression: string,
): Promise<unknown> {
  const reply = await target.send('Debugger.evaluateOnCallFrame', {
    callFrameId,
    expression,
    returnByValue: true,
  });
  return isRecord(reply.result) ? reply.result.value : undefined;
}
