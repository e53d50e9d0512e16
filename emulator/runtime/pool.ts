/**
 * Runs one function's invocations in worker threads, one worker per execution environment: its own module
 * state and its own `process.env`, one invocation at a time, reused while warm, replaced after a crash or a
 * timeout. What the worker does inside is in worker.ts; the lines Lambda writes around it in platform-log.ts.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FunctionModel } from '../template/model.ts';
import { functionEnvironment, heapLimits, logStreamName } from './environment.ts';
import { layerModuleDirs, withRuntimeModuleHint } from './modules.ts';
import {
  endLine,
  exitError,
  type InvokeStatus,
  type LogFormat,
  MAX_RESPONSE_BYTES,
  outOfMemoryError,
  reportLine,
  responseTooLargeError,
  startLine,
  timeoutError,
  timeoutLine,
} from './platform-log.ts';
import {
  type DoneMessage,
  type ErrorPayload,
  type InvokeMessage,
  isDoneMessage,
  isFatalMessage,
  isInitMessage,
  isInspectorMessage,
  isStreamChunkMessage,
  isStreamHeadMessage,
  type WorkerConfig,
  type WorkerInspector,
} from './protocol.ts';
import { type NodeRuntime, nodeRuntime } from './runtimes.ts';
import { workerUrl } from './worker-file.ts';

export type { ErrorPayload } from './protocol.ts';

export interface FunctionCode {
  /** The function's code folder (`LAMBDA_TASK_ROOT`). */
  readonly dir: string;
  /** Absolute path of the module to load: `.mjs`, `.cjs`, or `.js` (ESM when its package says `"type": "module"`). */
  readonly file: string;
  /** The export to call; a dotted path reaches into nested objects. */
  readonly exportName: string;
}

export interface InvokeRequest {
  /** The event; must be JSON-compatible. */
  readonly payload: unknown;
  /** Defaults to a new UUID. */
  readonly requestId?: string;
  /** `context.clientContext`. */
  readonly clientContext?: unknown;
  /** Defaults to the unqualified ARN of the function. */
  readonly invokedFunctionArn?: string;
}

interface OutcomeBase {
  readonly requestId: string;
  /** Every log line of the invocation, START to REPORT, joined with `\n` (the last 1 MB or so of a longer log). */
  readonly log: string;
  /** The handler's run time as REPORT shows it. */
  readonly durationMs: number;
  /** Only on the first invocation an execution environment serves. */
  readonly initDurationMs: number | undefined;
}

export type InvokeOutcome =
  | (OutcomeBase & {
      readonly kind: 'success';
      readonly payload: unknown;
      /**
       * Only when a response-streaming function was invoked without a sink (a buffered caller): the bytes it
       * wrote, which Lambda's Invoke returns as they are. `payload` is then their JSON value, or `undefined`
       * when they are not JSON (an `HttpResponseStream` prelude, plain text), which no JSON result can be.
       */
      readonly raw?: Buffer;
    })
  | (OutcomeBase & { readonly kind: 'error'; readonly error: ErrorPayload; readonly timedOut: boolean });

export interface PoolOptions {
  /** Overrides (env.json), applied over the template's variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Credentials, `AWS_SAM_LOCAL` and endpoints, beneath the template's variables (aws-config.ts). */
  readonly awsEnvironment?: Readonly<Record<string, string>>;
  readonly region: string;
  readonly accountId: string;
  /** Upper bound on workers when the function has no `ReservedConcurrentExecutions`; default 10. */
  readonly maxConcurrency?: number;
  /** Receives each log line as it is written; must not throw. */
  readonly logSink: (line: string) => void;
  /** Folders standing for /var/runtime/node_modules (the SDK the runtime includes); see modules.ts. */
  readonly runtimeModules?: readonly string[];
  /** A debugger may hold this function's workers: see {@link DebugMode}. */
  readonly debug?: DebugMode;
}

/**
 * While debugging, no timeout ends an invocation (nor an init), as `sam local` lifts the function's Timeout when a
 * debugger is attached: a pause at a breakpoint may last minutes.
 */
export interface DebugMode {
  /** `invoke -d`: the worker breaks (a `debugger` statement) just before it calls the handler. */
  readonly breakBeforeHandler: boolean;
  /**
   * Each worker's own inspector, for debuggers that cannot reach worker threads through the process's inspector
   * (Chrome's DevTools on Node 20 and 22 see only the main thread): its URL goes to the log as it opens.
   */
  readonly inspector?: WorkerInspector;
}

/**
 * Receives a response as it is produced ({@link FunctionPool.invokeStream}): `start` once, then each chunk. A
 * function that does not stream calls `start('application/json')` and one chunk, its whole result, at its end.
 */
export interface ResponseStreamSink {
  /**
   * The stream's content type (`application/octet-stream` unless the function set another); `streamed` is false
   * when the function does not stream and the one chunk to follow is its JSON result.
   */
  start(contentType: string, streamed: boolean): void;
  chunk(bytes: Uint8Array): void;
}

/**
 * The most a response stream may carry, as the brief for this emulator sets it (Lambda's response-streaming
 * guide said 20 MB as a soft limit; it now says 200 MB). Past it the invocation fails and its environment stops.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
export const MAX_STREAM_BYTES = 20 * 1024 * 1024;

export function streamTooLargeError(): ErrorPayload {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_STREAM_BYTES} bytes).`,
  };
}

export interface PoolStats {
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
}

/** Rejects invocations of a function whose reserved concurrency is 0, as Lambda throttles them. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsException';
}

/** Found (in the repository: compiled) on the first cold start, then reused by every pool. */
let workerFile: URL | undefined;
/** Lambda gives an on-demand environment 10 s to initialise, apart from the function's own timeout. */
const INIT_LIMIT_MS = 10_000;
const DEFAULT_MAX_CONCURRENCY = 10;
/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/**
 * The log text one invocation keeps for its outcome; older lines are let go beyond it (every line still reaches
 * the sink). A function that writes hundreds of MB would otherwise hold them all, and joining past V8's string
 * limit would throw in the main thread.
 */
const MAX_KEPT_LOG_CHARS = 1024 * 1024;

interface Invocation {
  readonly requestId: string;
  readonly message: InvokeMessage;
  readonly resolve: (outcome: InvokeOutcome) => void;
  readonly lines: string[];
  /** Characters held in `lines`, newlines included. */
  keptChars: number;
  /** `performance.now()` when the handler was handed the event; for durations the worker did not measure. */
  handlerStarted: number;
  startLogged: boolean;
  initDurationMs: number | undefined;
  /** Given by `invokeStream`: the response goes there as it is written. */
  readonly sink: ResponseStreamSink | undefined;
  /** Set when a response-streaming handler starts its stream. */
  stream: { bytes: number; readonly chunks: Uint8Array[] } | undefined;
}

interface Slot {
  readonly worker: Worker;
  readonly generation: number;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  invocation: Invocation | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The worker's peak heap so far, as its last answer reported it. */
  memoryMb: number;
  outOfMemory: boolean;
  /** A worker-level error other than running out of memory (a bad `--require` in NODE_OPTIONS, say). */
  failure: Error | undefined;
}

/**
 * The execution environments of one function. `invoke` never rejects because the function failed: every
 * failure Lambda reports to the caller comes back as an `error` outcome.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 */
export class FunctionPool {
  readonly #fn: FunctionModel;
  readonly #options: PoolOptions;
  readonly #format: LogFormat;
  /** In JSON format, platform records are INFO events; a WARN system level drops them. */
  readonly #systemLines: boolean;
  readonly #limit: number;
  readonly #timeoutMs: number;
  readonly #baseEnv: Record<string, string>;
  readonly #arn: string;
  readonly #runtime: NodeRuntime | undefined;
  /** Layer and runtime module folders, in NODE_PATH order. */
  readonly #moduleDirs: readonly string[];
  /** Set once an `import` needed `#moduleDirs`: from then on every worker registers the resolve hook. */
  #esmHook = false;
  #code: FunctionCode;
  #generation = 0;
  readonly #slots = new Set<Slot>();
  /** Warm workers, most recently used last. */
  readonly #idle: Slot[] = [];
  readonly #queue: Invocation[] = [];
  readonly #exits = new Set<Promise<number>>();
  #inFlight = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(fn: FunctionModel, code: FunctionCode, options: PoolOptions) {
    this.#fn = fn;
    this.#code = code;
    this.#options = options;
    this.#format = fn.logFormat;
    this.#systemLines = fn.logFormat === 'Text' || (fn.systemLogLevel ?? 'INFO').toUpperCase() !== 'WARN';
    this.#limit = Math.min(
      fn.reservedConcurrency ?? Number.POSITIVE_INFINITY,
      options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    );
    this.#timeoutMs = fn.timeout * 1000;
    this.#runtime = nodeRuntime(fn.runtime);
    const nodeMajor = this.#runtime?.nodeMajor ?? Number(process.versions.node.split('.')[0]);
    this.#moduleDirs = [...layerModuleDirs(fn.layers, nodeMajor), ...(options.runtimeModules ?? [])];
    this.#baseEnv = functionEnvironment(fn, {
      codeDir: code.dir,
      overrides: options.environment,
      region: options.region,
      ...(options.awsEnvironment === undefined ? {} : { aws: options.awsEnvironment }),
      hostPath: process.env.PATH,
      nodePath: this.#moduleDirs,
    });
    this.#arn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn.functionName}`;
  }

  get stats(): PoolStats {
    return {
      workers: this.#slots.size,
      busy: this.#slots.size - this.#idle.length,
      queued: this.#queue.length,
    };
  }

  /** Runs one synchronous invocation. Rejects only when the pool is closed or the function is throttled. */
  invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    return this.#invoke(request, undefined);
  }

  /**
   * Runs one invocation whose response goes to `sink` as it is written (InvokeWithResponseStream). Resolves at
   * the end: a success carries no payload (it went to the sink), an error may come after chunks were sent.
   */
  invokeStream(request: InvokeRequest, sink: ResponseStreamSink): Promise<InvokeOutcome> {
    return this.#invoke(request, sink);
  }

  #invoke(request: InvokeRequest, sink: ResponseStreamSink | undefined): Promise<InvokeOutcome> {
    if (this.#closed) return Promise.reject(new Error(`The pool of ${this.#fn.functionName} is closed`));
    if (this.#limit < 1) return Promise.reject(new TooManyRequestsError('Rate Exceeded.'));
    let event: string;
    try {
      event = JSON.stringify(request.payload) ?? 'null';
    } catch (error) {
      return Promise.reject(error);
    }
    const requestId = request.requestId ?? randomUUID();
    const message: InvokeMessage = {
      id: requestId,
      event,
      arn: request.invokedFunctionArn ?? this.#arn,
      clientContext: request.clientContext,
    };
    return new Promise((resolve) => {
      this.#inFlight++;
      this.#dispatch({
        requestId,
        message,
        resolve,
        lines: [],
        keptChars: 0,
        handlerStarted: 0,
        startLogged: false,
        initDurationMs: undefined,
        sink,
        stream: undefined,
      });
    });
  }

  /** Hot reload: later invocations load `code` in new workers; busy workers retire after their invocation. */
  setCode(code: FunctionCode): void {
    this.#code = code;
    this.#baseEnv.LAMBDA_TASK_ROOT = code.dir;
    this.#generation++;
    for (const slot of this.#idle.splice(0)) this.#retire(slot);
  }

  /** Refuses new invocations, lets accepted ones finish (each is bounded by the timeout), stops every worker. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    for (const slot of [...this.#slots]) this.#retire(slot);
    await Promise.all(this.#exits);
  }

  #dispatch(invocation: Invocation): void {
    const warm = this.#idle.pop();
    if (warm !== undefined) this.#run(warm, invocation);
    else if (this.#slots.size < this.#limit) this.#run(this.#spawn(), invocation);
    else this.#queue.push(invocation);
  }

  #run(slot: Slot, invocation: Invocation): void {
    slot.invocation = invocation;
    invocation.handlerStarted = performance.now();
    if (slot.state === 'starting') {
      // START waits for the end of init, so that it follows the lines the module wrote while loading.
      this.#startTimer(slot, INIT_LIMIT_MS);
    } else {
      slot.state = 'busy';
      this.#logStart(invocation);
      this.#startTimer(slot, this.#timeoutMs);
    }
    slot.worker.postMessage(invocation.message);
  }

  /**
   * Ends the slot's invocation after `ms`. While debugging it never does, yet a timer is still set: it keeps the
   * process alive while an invocation runs (workers are unref'd), for `invoke` where nothing else would.
   */
  #startTimer(slot: Slot, ms: number): void {
    slot.timer =
      this.#options.debug === undefined
        ? setTimeout(this.#onTimeout, ms, slot)
        : setTimeout(() => {}, LONGEST_TIMER_MS);
  }

  #logStart(invocation: Invocation): void {
    if (invocation.startLogged) return;
    invocation.startLogged = true;
    if (this.#systemLines) this.#line(invocation, startLine(this.#format, invocation.requestId));
  }

  #spawn(): Slot {
    const workerData: WorkerConfig = {
      file: this.#code.file,
      exportName: this.#code.exportName,
      handler: this.#fn.handler,
      timeoutMs: this.#timeoutMs,
      logFormat: this.#format,
      runtime: this.#fn.runtime,
      callbacks: this.#runtime?.callbacks ?? true,
      moduleDirs: this.#moduleDirs,
      esmHook: this.#esmHook,
      ...(this.#options.debug?.breakBeforeHandler ? { breakBeforeHandler: true } : {}),
      ...(this.#options.debug?.inspector === undefined ? {} : { inspector: this.#options.debug.inspector }),
    };
    const env = { ...this.#baseEnv, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName() };
    const worker = this.#startWorker(workerData, env);
    const slot: Slot = {
      worker,
      generation: this.#generation,
      state: 'starting',
      invocation: undefined,
      timer: undefined,
      memoryMb: 0,
      outOfMemory: false,
      failure: undefined,
    };
    worker.on('message', (message: unknown) => this.#onMessage(slot, message));
    worker.on('error', (error) => {
      if ('code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY') slot.outOfMemory = true;
      else slot.failure = error;
    });
    worker.on('exit', (code) => this.#onExit(slot, code));
    // The invocation's timer keeps the process alive while one runs; an idle worker must not. (After the
    // listeners: adding a 'message' listener refs the worker's port again.)
    worker.unref();
    this.#slots.add(slot);
    return slot;
  }

  #startWorker(workerData: WorkerConfig, env: Record<string, string>): Worker {
    const options = {
      workerData,
      env,
      // Never the emulator's own flags (under tsx they would make every cold start ~40 ms slower). The
      // function's NODE_OPTIONS reach the worker through `env`: Node applies the per-thread ones
      // (--enable-source-maps, --require, --import…), ignores V8 heap flags and rejects process-wide ones.
      execArgv: [],
      resourceLimits: heapLimits(this.#fn.memorySize, env.NODE_OPTIONS),
    };
    workerFile ??= workerUrl();
    try {
      return new Worker(workerFile, options);
    } catch (error) {
      const refused =
        error instanceof Error && 'code' in error && error.code === 'ERR_WORKER_INVALID_EXEC_ARGV';
      if (!refused) throw error;
      this.#options.logSink(
        `${this.#fn.functionName}: NODE_OPTIONS ignored, a worker thread cannot apply it: ${error.message}`,
      );
      delete this.#baseEnv.NODE_OPTIONS;
      const { NODE_OPTIONS: _ignored, ...rest } = env;
      return new Worker(workerFile, { ...options, env: rest });
    }
  }

  #line(invocation: Invocation | undefined, line: string): void {
    if (invocation !== undefined) {
      invocation.lines.push(line);
      invocation.keptChars += line.length + 1;
      if (invocation.keptChars > MAX_KEPT_LOG_CHARS) forgetOldestLines(invocation);
    }
    this.#options.logSink(line);
  }

  #onMessage(slot: Slot, message: unknown): void {
    if (slot.state === 'dead') return;
    if (typeof message === 'string') this.#line(slot.invocation, message);
    else if (isStreamChunkMessage(message)) this.#onChunk(slot, message.b);
    else if (isStreamHeadMessage(message)) this.#onStreamHead(slot, message.ct);
    else if (isDoneMessage(message)) this.#onDone(slot, message);
    else if (isInitMessage(message) && message.retryWithEsmHook === true) this.#retryWithEsmHook(slot);
    else if (isInitMessage(message)) this.#onInit(slot, message.ms, message.error);
    else if (isFatalMessage(message)) this.#onFatal(slot);
    else if (isInspectorMessage(message)) this.#onInspector(message.url);
  }

  /** A worker's own inspector (debugging), where Chrome's DevTools attach: they cannot reach it otherwise. */
  #onInspector(url: string): void {
    const address = url.slice('ws://'.length);
    const devtools = `devtools://devtools/bundled/js_app.html?v8only=true&ws=${address}`;
    this.#options.logSink(
      `${this.#fn.logicalId}: execution environment inspector on ${url} (Chrome: open ${devtools}, or add ${address.split('/')[0]} to chrome://inspect's Configure…)`,
    );
  }

  #onStreamHead(slot: Slot, contentType: string): void {
    const invocation = slot.invocation;
    if (invocation === undefined || invocation.stream !== undefined) return;
    invocation.stream = { bytes: 0, chunks: [] };
    invocation.sink?.start(contentType, true);
  }

  #onChunk(slot: Slot, bytes: Uint8Array): void {
    const invocation = slot.invocation;
    const stream = invocation?.stream;
    if (invocation === undefined || stream === undefined) return;
    stream.bytes += bytes.byteLength;
    // A buffered caller gets Invoke's 6 MB; a stream may carry more.
    const limit = invocation.sink === undefined ? MAX_RESPONSE_BYTES : MAX_STREAM_BYTES;
    if (stream.bytes > limit) {
      this.#settle(slot, invocation, {
        ok: false,
        error: invocation.sink === undefined ? responseTooLargeError() : streamTooLargeError(),
        durationMs: performance.now() - invocation.handlerStarted,
        memoryMb: slot.memoryMb,
        status: 'failure',
        // The handler is still writing; stopping its environment is the only way to stop it.
        retire: true,
      });
      return;
    }
    if (invocation.sink === undefined) stream.chunks.push(bytes);
    else invocation.sink.chunk(bytes);
  }

  #onInit(slot: Slot, initMs: number, error: ErrorPayload | undefined): void {
    const invocation = slot.invocation;
    if (invocation === undefined) return;
    clearTimeout(slot.timer);
    slot.state = 'busy';
    invocation.initDurationMs = initMs;
    this.#logStart(invocation);
    invocation.handlerStarted = performance.now();
    if (error === undefined) {
      this.#startTimer(slot, this.#timeoutMs);
      return;
    }
    const explained = this.#runtime === undefined ? error : withRuntimeModuleHint(error, this.#runtime);
    if (explained !== error) this.#line(invocation, explained.errorMessage.split('\n').at(-1) ?? '');
    this.#settle(slot, invocation, {
      ok: false,
      error: explained,
      durationMs: 0,
      memoryMb: 0,
      status: 'error',
      retire: true,
    });
  }

  /**
   * The function's ES modules import a package only a layer or the runtime's SDK folder has: its invocation runs
   * again, first in line, in a worker with the resolve hook, as do all later workers. Functions that never need
   * it never pay for the hook.
   */
  #retryWithEsmHook(slot: Slot): void {
    const invocation = slot.invocation;
    this.#esmHook = true;
    slot.invocation = undefined;
    this.#retire(slot);
    if (invocation !== undefined) this.#queue.unshift(invocation);
    this.#next();
  }

  #onDone(slot: Slot, message: DoneMessage): void {
    const invocation = slot.invocation;
    if (invocation === undefined) return;
    slot.memoryMb = message.mem;
    const { ms: durationMs, mem: memoryMb } = message;
    // Lambda stops an environment whose memory passes MemorySize. The worker's heap limit does not see memory
    // outside the heap (Buffers, typed arrays), and a heap that keeps growing across invocations may reach the
    // limit inside one large allocation, where Node aborts the whole process (nodejs/node#47224).
    if (memoryMb > this.#fn.memorySize) {
      const error = outOfMemoryError(invocation.requestId);
      if (this.#format === 'Text') {
        this.#line(invocation, error.errorMessage);
        this.#line(invocation, error.errorType);
      }
      this.#settle(slot, invocation, {
        ok: false,
        error,
        durationMs,
        memoryMb: this.#fn.memorySize,
        status: 'error',
        retire: true,
      });
      return;
    }
    if (message.ok) this.#settle(slot, invocation, { ok: true, body: message.body, durationMs, memoryMb });
    else {
      // A crash (uncaught exception, unhandled rejection) is the runtime failing, not the function answering.
      const status = message.retire ? 'error' : 'failure';
      this.#settle(slot, invocation, {
        ok: false,
        error: message.error,
        durationMs,
        memoryMb,
        status,
        retire: message.retire,
      });
    }
  }

  readonly #onTimeout = (slot: Slot): void => {
    const invocation = slot.invocation;
    if (invocation === undefined) return;
    this.#logStart(invocation);
    const seconds = this.#fn.timeout;
    if (this.#format === 'Text') this.#line(invocation, timeoutLine(invocation.requestId, seconds));
    this.#settle(slot, invocation, {
      ok: false,
      error: timeoutError(invocation.requestId, seconds),
      durationMs: performance.now() - invocation.handlerStarted,
      memoryMb: slot.memoryMb,
      status: 'timeout',
      retire: true,
    });
  };

  #onFatal(slot: Slot): void {
    const invocation = slot.invocation;
    this.#retire(slot);
    // The worker crashed between invocations and ignored the one sent after; it runs elsewhere, first in line.
    if (invocation !== undefined) this.#queue.unshift(invocation);
    this.#next();
  }

  #onExit(slot: Slot, code: number): void {
    clearTimeout(slot.timer);
    if (slot.state === 'dead') return;
    const invocation = slot.invocation;
    if (invocation === undefined) {
      this.#retire(slot);
      this.#next();
      return;
    }
    this.#logStart(invocation);
    const error = slot.outOfMemory
      ? outOfMemoryError(invocation.requestId)
      : exitError(invocation.requestId, code);
    if (this.#format === 'Text') {
      if (slot.failure !== undefined) this.#line(invocation, `${slot.failure.name}: ${slot.failure.message}`);
      this.#line(invocation, error.errorMessage);
      this.#line(invocation, error.errorType);
    }
    this.#settle(slot, invocation, {
      ok: false,
      error,
      durationMs: performance.now() - invocation.handlerStarted,
      memoryMb: slot.outOfMemory ? this.#fn.memorySize : slot.memoryMb,
      status: 'error',
      retire: true,
    });
  }

  #settle(
    slot: Slot,
    invocation: Invocation,
    result:
      | { ok: true; body: string; durationMs: number; memoryMb: number }
      | {
          ok: false;
          error: ErrorPayload;
          durationMs: number;
          memoryMb: number;
          status: InvokeStatus;
          retire: boolean;
        },
  ): void {
    clearTimeout(slot.timer);
    slot.invocation = undefined;
    const { requestId, initDurationMs } = invocation;
    let payload: unknown;
    let raw: Buffer | undefined;
    let error: ErrorPayload | undefined;
    let status: InvokeStatus = 'success';
    const stream = invocation.stream;
    if (result.ok && stream !== undefined) {
      if (invocation.sink === undefined) {
        raw = Buffer.concat(stream.chunks);
        payload = parseStreamed(raw);
      }
    } else if (result.ok) {
      // A UTF-16 code unit is at most 3 bytes of UTF-8, so most bodies need no byte count.
      if (
        result.body.length * 3 > MAX_RESPONSE_BYTES &&
        Buffer.byteLength(result.body) > MAX_RESPONSE_BYTES
      ) {
        error = responseTooLargeError();
        status = 'failure';
      } else {
        payload = JSON.parse(result.body);
        // A function that does not stream answers a stream with its whole result at its end.
        invocation.sink?.start('application/json', false);
        invocation.sink?.chunk(Buffer.from(result.body));
      }
    } else {
      error = result.error;
      status = result.status;
    }
    const retire = !result.ok && result.retire;
    if (retire || slot.generation !== this.#generation || this.#closed) this.#retire(slot);
    else {
      slot.state = 'idle';
      this.#idle.push(slot);
    }
    // Lambda writes the failure's error type on END and REPORT only when the runtime itself failed.
    const errorType = status === 'error' || status === 'timeout' ? error?.errorType : undefined;
    if (this.#systemLines) {
      this.#line(invocation, endLine(this.#format, requestId, status, errorType));
      this.#line(
        invocation,
        reportLine(this.#format, {
          requestId,
          durationMs: result.durationMs,
          memorySizeMb: this.#fn.memorySize,
          maxMemoryUsedMb: result.memoryMb,
          initDurationMs,
          status,
          errorType: status === 'timeout' ? undefined : errorType,
        }),
      );
    }
    this.#next();
    const log = invocation.lines.join('\n');
    const base = { requestId, log, durationMs: result.durationMs, initDurationMs };
    invocation.resolve(
      error === undefined
        ? { kind: 'success', payload, ...(raw === undefined ? {} : { raw }), ...base }
        : { kind: 'error', error, timedOut: status === 'timeout', ...base },
    );
    if (--this.#inFlight === 0) this.#drained?.();
  }

  #next(): void {
    const waiting = this.#queue.shift();
    if (waiting !== undefined) this.#dispatch(waiting);
  }

  #retire(slot: Slot): void {
    if (slot.state === 'dead') return;
    if (slot.state === 'idle') {
      const index = this.#idle.indexOf(slot);
      if (index !== -1) this.#idle.splice(index, 1);
    }
    slot.state = 'dead';
    clearTimeout(slot.timer);
    this.#slots.delete(slot);
    const exit = slot.worker.terminate();
    this.#exits.add(exit);
    void exit.finally(() => this.#exits.delete(exit));
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON value of a streamed response, for a buffered caller; `undefined` when it is not JSON. */
function parseStreamed(raw: Buffer): unknown {
  try {
    return JSON.parse(strictUtf8.decode(raw));
  } catch {
    return undefined;
  }
}

/** Lets the oldest log lines of an invocation go, down to half the limit; the newest line is always kept. */
function forgetOldestLines(invocation: Invocation): void {
  let count = 0;
  while (invocation.keptChars > MAX_KEPT_LOG_CHARS / 2 && count < invocation.lines.length - 1) {
    invocation.keptChars -= (invocation.lines[count]?.length ?? 0) + 1;
    count++;
  }
  invocation.lines.splice(0, count);
}
