import { isRecord } from '../template/values.ts';
/**
 * The messages between the pool (main thread) and `worker.ts` (one per execution environment). The worker runs
 * in a thread of its own, so these declarations are its contract; the main thread checks every message on arrival.
 *
 * One invocation costs one message each way ({@link InvokeMessage} in, {@link DoneMessage} out), plus, for a
 * response-streaming handler, a {@link StreamHeadMessage} and one {@link StreamChunkMessage} per write. Each log line
 * travels on its own as a bare string, sent as it is written so that lines logged just before a hang, a crash
 * or an out-of-memory kill still reach the log.
 */

/** The error document a Node.js function's failed invocation returns (Node uses `trace`, not `stackTrace`). */
export interface ErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  /** Absent on errors Lambda itself reports (timeout, runtime exit, out of memory), as on AWS. */
  readonly trace?: readonly string[];
}

/** `workerData` of a worker. */
export interface WorkerConfig {
  /** Absolute path of the function's module. */
  readonly file: string;
  /** Export path, possibly nested (`handlers.get`). */
  readonly exportName: string;
  /** The template's `Handler` string, quoted in `Runtime.HandlerNotFound` messages. */
  readonly handler: string;
  readonly timeoutMs: number;
  readonly logFormat: 'Text' | 'JSON';
  /** The `Runtime` (`nodejs22.x`), named in runtime errors. */
  readonly runtime?: string;
  /** `false` from nodejs24.x on: callback-style handlers fail at init, `context` has no done/succeed/fail. */
  readonly callbacks?: boolean;
  /**
   * Folders standing for the layers' /opt/nodejs/… and /var/runtime/node_modules, in NODE_PATH order: `require`
   * reaches them through the worker's NODE_PATH, `import` through a resolve hook when `esmHook` is set.
   */
  readonly moduleDirs?: readonly string[];
  /** Registers the resolve hook (`module.register`, ~60 ms per worker): only for functions that need it. */
  readonly esmHook?: boolean;
  /** `invoke -d`: pause in an attached debugger just before the handler is called. */
  readonly breakBeforeHandler?: boolean;
  /** While debugging: the worker opens an inspector of its own there, and with `wait` waits for a debugger. */
  readonly inspector?: WorkerInspector;
}

/** The worker's own inspector (port 0: one the OS picks). */
export interface WorkerInspector {
  readonly host: string;
  readonly port: number;
  /** Block until a debugger attached to it says to run (`invoke -d`). */
  readonly wait: boolean;
}

/** Main thread → worker: run one invocation. */
export interface InvokeMessage {
  readonly id: string;
  /** The event as JSON text. */
  readonly event: string;
  readonly arn: string;
  readonly clientContext: unknown;
}

/** Worker → main thread, once: the module is loaded (or failed to load). */
export interface InitMessage {
  readonly t: 'init';
  readonly ms: number;
  readonly error: ErrorPayload | undefined;
  /**
   * An `import` failed for a package that one of `moduleDirs` has: the worker must be replaced by one with the
   * resolve hook (a failed ES module graph stays cached, so this worker cannot retry).
   */
  readonly retryWithEsmHook?: boolean;
}

/** Worker → main thread: the invocation finished. */
export type DoneMessage =
  | {
      readonly t: 'done';
      readonly ok: true;
      readonly body: string;
      readonly ms: number;
      readonly mem: number;
    }
  | {
      readonly t: 'done';
      readonly ok: false;
      readonly error: ErrorPayload;
      readonly ms: number;
      readonly mem: number;
      /** The failure was a crash: the environment must not serve again. */
      readonly retire: boolean;
    };

/** Worker → main thread: the function crashed while no invocation was running; the worker must be replaced. */
export interface FatalMessage {
  readonly t: 'fatal';
}

/** Worker → main thread, once while debugging: where its own inspector listens. */
export interface InspectorMessage {
  readonly t: 'inspector';
  readonly url: string;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export function isErrorPayload(value: unknown): value is ErrorPayload {
  return (
    isRecord(value) &&
    typeof value.errorType === 'string' &&
    typeof value.errorMessage === 'string' &&
    (value.trace === undefined || isStringArray(value.trace))
  );
}

/** A finished invocation; checked without copying, since it arrives once per invocation. */
export function isDoneMessage(value: unknown): value is DoneMessage {
  if (
    !isRecord(value) ||
    value.t !== 'done' ||
    typeof value.ms !== 'number' ||
    typeof value.mem !== 'number'
  ) {
    return false;
  }
  if (value.ok === true) return typeof value.body === 'string';
  return value.ok === false && typeof value.retire === 'boolean' && isErrorPayload(value.error);
}

export function isInitMessage(value: unknown): value is InitMessage {
  return (
    isRecord(value) &&
    value.t === 'init' &&
    typeof value.ms === 'number' &&
    (value.retryWithEsmHook === undefined || typeof value.retryWithEsmHook === 'boolean') &&
    (value.error === undefined || isErrorPayload(value.error))
  );
}

export function isFatalMessage(value: unknown): value is FatalMessage {
  return isRecord(value) && value.t === 'fatal';
}

export function isInspectorMessage(value: unknown): value is InspectorMessage {
  return isRecord(value) && value.t === 'inspector' && typeof value.url === 'string';
}

/**
 * Worker → main thread, once per invocation of a response-streaming handler (`awslambda.streamifyResponse`),
 * before its first {@link StreamChunkMessage} (or before its `done` when it wrote nothing): the content type of
 * the stream, `application/octet-stream` unless the function set another.
 */
export interface StreamHeadMessage {
  readonly t: 'head';
  readonly ct: string;
}

/** Worker → main thread: one write of a response-streaming handler, sent as it is written. */
export interface StreamChunkMessage {
  readonly t: 'chunk';
  readonly b: Uint8Array;
}

export function isStreamHeadMessage(value: unknown): value is StreamHeadMessage {
  return isRecord(value) && value.t === 'head' && typeof value.ct === 'string';
}

/** Checked without copying: it arrives once per write. */
export function isStreamChunkMessage(value: unknown): value is StreamChunkMessage {
  return isRecord(value) && value.t === 'chunk' && value.b instanceof Uint8Array;
}
