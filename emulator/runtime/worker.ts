/**
 * One execution environment: runs in a worker thread, loads the function's module once, then serves one
 * invocation at a time for pool.ts, with the Node.js runtime's handler, context, error and logging rules.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 *
 * Never loaded as TypeScript: a worker that had to load a TypeScript loader would start in ~65 ms instead of
 * ~25 ms, so it runs as the JavaScript that esbuild makes of it (worker-file.ts in the repository, the package's
 * build into dist/). The messages it exchanges are declared, and checked on arrival, in protocol.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { createRequire, Module, register } from 'node:module';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { format, types } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { ErrorPayload, InvokeMessage, WorkerConfig, WorkerInspector } from './protocol.ts';

if (parentPort === null) throw new Error('worker.ts runs inside a worker thread started by pool.ts');
const port = parentPort;
// pool.ts is the only writer of workerData, and it writes a WorkerConfig.
const config: WorkerConfig = workerData;

/** The Node.js runtime's own error types; each is reported as `Runtime.<class name>`. */
class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = `Runtime.${new.target.name}`;
  }
}
class ImportModuleError extends RuntimeError {}
class HandlerNotFound extends RuntimeError {}
class UserCodeSyntaxError extends RuntimeError {}
class CallbackHandlerDeprecated extends RuntimeError {}

class NodeJsExit extends RuntimeError {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

class UnhandledPromiseRejection extends RuntimeError {
  constructor(
    readonly reason: unknown,
    readonly promise: Promise<unknown>,
  ) {
    super(safeString(reason));
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// Logging. Lambda's runtime replaces the console methods; every line is sent to the pool as it is written.

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
/** Methods below `AWS_LAMBDA_LOG_LEVEL` write nothing; an unknown or absent level lets everything through. */
const minLevel = Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()));
const json = config.logFormat === 'JSON';
/** Undefined during init, then the latest invocation's, as in Lambda. */
let requestId: string | undefined;

function isError(value: unknown): value is Error {
  return types.isNativeError(value) || value instanceof Error;
}

/** JSON.stringify replacer that writes errors as Lambda's JSON logs do. */
function errorsAsObjects(_key: string, value: unknown): unknown {
  if (!isError(value)) return value;
  const error = value;
  return {
    errorType: error.constructor?.name ?? 'UnknownError',
    errorMessage: error.message,
    stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : error.stack,
    ...error,
  };
}

function jsonLine(level: string, args: unknown[]): string {
  const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId };
  if (args.length <= 1) {
    // A single value is kept as it is, so an object stays an object rather than a string of JSON.
    record.message = args[0];
    try {
      return JSON.stringify(record, errorsAsObjects);
    } catch {
      record.message = format(args[0]);
      return JSON.stringify(record);
    }
  }
  record.message = format(...args);
  const error = args.find(isError);
  if (error instanceof Error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

function textLine(level: string, args: unknown[]): string {
  const message = args.length === 0 ? 'undefined' : format(...args);
  // CloudWatch keeps one event per line, so Lambda turns a message's newlines into carriage returns.
  return `${new Date().toISOString()}\t${requestId}\t${level}\t${message}`.replaceAll('\n', '\r');
}

const formatLine = json ? jsonLine : textLine;

function send(line: string): void {
  port.postMessage(line);
}

function log(level: string, args: unknown[]): void {
  if (LEVELS.indexOf(level) >= minLevel) send(formatLine(level, args));
}

function logAt(level: string): (...args: unknown[]) => void {
  if (LEVELS.indexOf(level) < minLevel) return () => {};
  return (...args) => send(formatLine(level, args));
}

Object.assign(console, {
  trace: logAt('TRACE'),
  debug: logAt('DEBUG'),
  info: logAt('INFO'),
  log: logAt('INFO'),
  warn: logAt('WARN'),
  error: logAt('ERROR'),
  fatal: logAt('FATAL'),
});

/** Lambda logs a failure with the error's own enumerable properties next to its type, message and stack. */
function errorDocument(error: Error & { code?: unknown }) {
  return {
    errorType: error.name,
    errorMessage: error.message,
    code: error.code,
    ...error,
    ...(typeof error.stack === 'string' && { stack: error.stack.split('\n') }),
  };
}

function logFailure(label: string, thrown: unknown): void {
  const error = isError(thrown) ? thrown : new Error(safeString(thrown));
  if (json) {
    log('ERROR', [error]);
    return;
  }
  let detail: string;
  try {
    detail = JSON.stringify(error, (_key, value: unknown) => (isError(value) ? errorDocument(value) : value));
  } catch {
    detail = JSON.stringify(toErrorPayload(error));
  }
  log('ERROR', [label, `\t${detail}`]);
}

/**
 * Whatever the function writes to stdout or stderr outside console (CloudWatch embedded-metric lines, for
 * instance) goes to the log untouched, one line per newline.
 */
function captureRaw(stream: NodeJS.WriteStream): () => void {
  let partial = '';
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')
          : safeString(chunk);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) send(line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
  Object.assign(stream, { write });
  return () => {
    if (partial !== '') send(partial);
    partial = '';
  };
}

const flushStdout = captureRaw(process.stdout);
const flushStderr = captureRaw(process.stderr);

// Errors as the caller receives them.

function toErrorPayload(error: unknown): ErrorPayload {
  try {
    if (isError(error) || looksLikeError(error)) {
      const { name, message, stack } = error;
      // A native error always has its stack; only a getter that throws (caught below) could spoil it.
      return { errorType: name, errorMessage: message, trace: String(stack).split('\n') };
    }
    // A thrown string, number or plain object: its type and its text, as the Node.js runtime reports it.
    return { errorType: typeof error, errorMessage: safeString(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function looksLikeError(value: unknown): value is { name: string; message: string; stack: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { name, message, stack } = value as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    name !== '' &&
    typeof message === 'string' &&
    message !== '' &&
    typeof stack === 'string'
  );
}

// Loading the function (the init phase).

/**
 * The `type` of the package.json that governs `dir` in Lambda: the nearest one, looked for up to the task root
 * only, since nothing lies above `/var/task` there. `undefined` when there is none up to the task root.
 */
function packageTypeWithin(dir: string, root: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (current.endsWith('/node_modules')) return undefined;
    const manifest = join(current, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8')).type ?? 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (current === root || dirname(current) === current) return undefined;
  }
}

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? dirname(config.file);

/**
 * Locally the code folder sits inside a project, and a `"type": "module"` package.json above it would make Node
 * load its CommonJS `.js` files as ES modules, where Lambda (with nothing above the task root) loads them as
 * CommonJS. Only then are `.js` files under the task root that no package.json of their own governs compiled as
 * CommonJS, as in Lambda.
 */
function keepCommonJsBelowTaskRoot() {
  if (packageTypeWithin(taskRoot, taskRoot) !== undefined) return;
  if (packageTypeWithin(dirname(taskRoot), '/') !== 'module') return;
  // Module._extensions is Node's own CommonJS loader table, which @types/node does not declare.
  const extensions = (Module as unknown as { _extensions: Record<string, CommonJsLoader> })._extensions;
  const original = extensions['.js'];
  extensions['.js'] = (module, file) => {
    if (file.startsWith(`${taskRoot}/`) && packageTypeWithin(dirname(file), taskRoot) === undefined) {
      module._compile(readFileSync(file, 'utf8'), file);
    } else original?.(module, file);
  };
}

type CommonJsLoader = (module: { _compile(code: string, file: string): void }, file: string) => void;

async function loadModule(file: string): Promise<unknown> {
  if (
    file.endsWith('.mjs') ||
    (file.endsWith('.js') && packageTypeWithin(dirname(file), taskRoot) === 'module')
  ) {
    return import(pathToFileURL(file).href);
  }
  keepCommonJsBelowTaskRoot();
  return createRequire(file)(file);
}

function asInitError(error: unknown): unknown {
  if (error instanceof SyntaxError) return new UserCodeSyntaxError(safeString(error));
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return new ImportModuleError(safeString(error));
  }
  return error;
}

/** A handler as the runtime calls it: (event, context, callback), or (event, responseStream, context). */
type Handler = ((event: unknown, second: object, third?: unknown) => unknown) & Record<symbol, unknown>;

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

async function loadHandler(): Promise<Handler> {
  const loaded = await loadModule(config.file);
  let handler: unknown = loaded;
  for (const key of config.exportName.split('.')) {
    handler =
      (typeof handler === 'object' && handler !== null) || typeof handler === 'function'
        ? (handler as Record<string, unknown>)[key]
        : undefined;
  }
  if (!handler) throw new HandlerNotFound(`${config.handler} is undefined or not exported`);
  if (!isHandler(handler)) throw new HandlerNotFound(`${config.handler} is not a function`);
  return handler;
}

// The Node.js runtime's version rules and module folders (layers, the runtime's SDK). `require` finds those
// folders through the worker's NODE_PATH; `import` ignores NODE_PATH, so a resolve hook serves it, registered
// only for functions that need it (module.register starts a loader thread: ~60 ms per worker on Node 20).

/** aws-lambda-nodejs-runtime-interface-client, `CALLBACK_ERROR_NODEJS24_ABOVE`. */
const CALLBACK_HANDLER_MESSAGE =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

if (config.esmHook === true) {
  register(new URL('./resolve-hooks.mjs', import.meta.url), { data: { dirs: config.moduleDirs ?? [] } });
}

/**
 * From nodejs24.x on, the runtime client fails a handler that declares three or more parameters (a response
 * streaming handler excepted) at init, before any invocation.
 */
function checkHandlerSignature(handler: Handler): void {
  if (config.callbacks !== false) return;
  if (handler.length >= 3 && !handler[HANDLER_STREAMING]) {
    throw new CallbackHandlerDeprecated(CALLBACK_HANDLER_MESSAGE);
  }
}

/** The nodejs24.x context: no callbackWaitsForEmptyEventLoop, done, succeed or fail. */
function withoutCallbacks(context: object): object {
  const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(context);
  for (const key of ['callbackWaitsForEmptyEventLoop', 'done', 'succeed', 'fail']) {
    delete descriptors[key];
  }
  return Object.defineProperties({}, descriptors);
}

/**
 * An `import` of a package that only the module folders have, in a worker without the hook: the pool starts a
 * worker with it. (A failed ES module graph stays cached in this worker, so it cannot retry itself.)
 */
function needsEsmHook(error: unknown): boolean {
  if (config.esmHook === true || !isError(error)) return false;
  const { message } = error;
  const code = 'code' in error ? error.code : undefined;
  const specifier =
    code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find package '([^']+)'/.exec(message)?.[1] : undefined;
  if (specifier === undefined) return false;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return (config.moduleDirs ?? []).some((dir) => existsSync(join(dir, name ?? '')));
}

// Invocations.

interface Invocation {
  started: number;
  /** The function has answered (callback, done/succeed/fail or its promise settled). */
  claimed: boolean;
  /** The answer has been sent to the pool. */
  finished: boolean;
  /** `context.callbackWaitsForEmptyEventLoop`. */
  waits: boolean;
  /** A callback result held until the event loop is empty. */
  deferred: { value: unknown } | undefined;
  /** Runs just before a successful answer is sent (the head of a stream that was never written to). */
  beforeFinish?: (() => void) | undefined;
  /** The handler is a response-streaming one. */
  streaming?: boolean;
}

type Answer = { ok: true; value: unknown } | { ok: false; error: unknown; logAs?: string; retire?: boolean };

let current: Invocation | undefined;
/** Set once the environment has crashed: it answers nothing more and the pool replaces it. */
let dead = false;
let initialised = false;
let initCrash: unknown;
let peakMemoryMb = 0;
/** Decides what an invocation that never answers gets once the event loop is empty. */
let isAsyncHandler = false;

function finish(invocation: Invocation, answer: Answer): void {
  if (invocation.finished) return;
  invocation.finished = true;
  if (answer.ok) invocation.beforeFinish?.();
  let body: string | undefined;
  let failure = answer.ok ? undefined : answer;
  if (answer.ok) {
    try {
      body = JSON.stringify(answer.value === undefined ? null : answer.value) ?? 'null';
    } catch {
      failure = { ok: false, error: new Error('Unable to stringify response body'), logAs: 'Invoke Error' };
    }
  }
  if (failure?.logAs !== undefined) logFailure(failure.logAs, failure.error);
  flushStdout();
  flushStderr();
  const ms = performance.now() - invocation.started;
  const heap = getHeapStatistics();
  peakMemoryMb = Math.max(peakMemoryMb, Math.ceil((heap.total_heap_size + heap.external_memory) / 1048576));
  current = undefined;
  port.ref();
  if (failure === undefined) port.postMessage({ t: 'done', ok: true, body, ms, mem: peakMemoryMb });
  else {
    const error = toErrorPayload(failure.error);
    port.postMessage({ t: 'done', ok: false, error, ms, mem: peakMemoryMb, retire: failure.retire === true });
  }
}

function createContext(invocation: Invocation, message: InvokeMessage) {
  const deadline = Date.now() + config.timeoutMs;
  const done = (error: unknown, value?: unknown): void => {
    if (invocation.claimed) return;
    invocation.claimed = true;
    if (error !== undefined && error !== null)
      finish(invocation, { ok: false, error, logAs: 'Invoke Error' });
    else finish(invocation, { ok: true, value });
  };
  const callback = (error: unknown, value?: unknown): void => {
    if (invocation.claimed) return;
    if (error !== undefined && error !== null) {
      done(error);
      return;
    }
    invocation.claimed = true;
    // callbackWaitsForEmptyEventLoop: the result waits until nothing the function started is pending.
    if (invocation.waits) invocation.deferred = { value };
    else finish(invocation, { ok: true, value });
  };
  const { env } = process;
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return invocation.waits;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      invocation.waits = value;
    },
    succeed: (value: unknown) => done(null, value),
    fail: (error: unknown) => done(error ?? 'handled'),
    done,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: message.clientContext,
    identity: undefined,
    invokedFunctionArn: message.arn,
    awsRequestId: message.id,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  return { context, callback, done };
}

/** Makes `message` the invocation in progress. */
function begin(message: InvokeMessage, streaming: boolean): Invocation {
  requestId = message.id;
  const invocation: Invocation = {
    started: performance.now(),
    claimed: false,
    finished: false,
    waits: true,
    deferred: undefined,
    streaming,
  };
  current = invocation;
  // While the function runs, the port must not keep the thread alive: 'beforeExit' then tells us when the
  // function has nothing left pending, which is when Lambda sends a callback's result or gives up on a promise.
  port.unref();
  return invocation;
}

function invoke(handler: Handler, message: InvokeMessage): void {
  if (dead) return;
  const invocation = begin(message, false);
  const { context, callback, done } = createContext(invocation, message);
  const callbacks = config.callbacks !== false;
  try {
    if (config.breakBeforeHandler) {
      // `invoke -d` stops here, in the attached debugger, before the handler runs (as `sam local invoke -d`
      // waits for one): Step Into enters the handler's first line. Without a debugger this does nothing.
      // biome-ignore lint/suspicious/noDebugger: the pause `invoke -d` promises, set only by it.
      debugger;
    }
    const result = callbacks
      ? handler(JSON.parse(message.event), context, callback)
      : handler(JSON.parse(message.event), withoutCallbacks(context));
    if (
      typeof result === 'object' &&
      result !== null &&
      'then' in result &&
      typeof result.then === 'function'
    ) {
      result.then(
        (value: unknown) => done(null, value),
        (error: unknown) => done(error ?? 'handled'),
      );
    } else if (!callbacks) {
      // nodejs24.x awaits whatever the handler returns: a plain value is the answer at once.
      done(null, result);
    }
  } catch (error) {
    callback(error);
  }
}

process.on('beforeExit', () => {
  const invocation = current;
  if (invocation === undefined || invocation.finished) return;
  if (invocation.deferred !== undefined) {
    finish(invocation, { ok: true, value: invocation.deferred.value });
  } else if (!invocation.claimed) {
    invocation.claimed = true;
    // An async handler whose promise can no longer settle fails; any other handler that never called back
    // answers null, as the Node.js runtime does.
    if (isAsyncHandler || invocation.streaming)
      finish(invocation, { ok: false, error: new NodeJsExit(), logAs: 'Invoke Error' });
    else finish(invocation, { ok: true, value: null });
  }
});

/** A crash ends the environment; the invocation in progress, if any, fails with it. */
function crash(error: unknown): void {
  if (!initialised) {
    initCrash ??= error;
    return;
  }
  dead = true;
  if (current !== undefined && !current.finished) finish(current, { ok: false, error, retire: true });
  else port.postMessage({ t: 'fatal' });
}

process.on('uncaughtException', (error) => {
  logFailure('Uncaught Exception', error);
  crash(error);
});

process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logFailure('Unhandled Promise Rejection', error);
  crash(error);
});

process.on('exit', () => {
  flushStdout();
  flushStderr();
});

// Response streaming: the `awslambda` global of the Node.js runtime, and the invocations of the handlers that
// `awslambda.streamifyResponse` marks. Rules from aws-lambda-nodejs-runtime-interface-client (UserFunction.js,
// HttpResponseStream.js, ResponseStream.js, Runtime.js handleOnceStreaming).
// https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';

class InvalidStreamingOperation extends RuntimeError {}
class MalformedStreamingHandler extends RuntimeError {}

/** The runtime defines `awslambda` before loading the function, unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set. */
function installAwsLambdaGlobal() {
  const opt = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (opt === '1' || opt === 'true') return;
  Object.assign(globalThis, {
    awslambda: {
      streamifyResponse(handler: Record<symbol, unknown>, options: { highWaterMark?: unknown } | undefined) {
        handler[HANDLER_STREAMING] = STREAM_RESPONSE;
        if (typeof options?.highWaterMark === 'number') {
          handler[HANDLER_HIGH_WATER_MARK] = Number.parseInt(String(options.highWaterMark), 10);
        }
        return handler;
      },
      HttpResponseStream: {
        /** The metadata prelude (status, headers, cookies) as JSON, then 8 NUL bytes, before the body. */
        from(stream: ResponseStream, prelude: unknown) {
          stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
          const metadata = JSON.stringify(prelude);
          stream._onBeforeFirstWrite = (write) => {
            write(metadata);
            write(new Uint8Array(8));
          };
          return stream;
        },
      },
    },
  });
}

function isStreamingHandler(handler: Handler): boolean {
  const mark = handler[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

type ResponseStream = Writable & {
  setContentType(type: string): void;
  _onBeforeFirstWrite?: (write: (chunk: unknown) => void) => void;
};

/**
 * The `responseStream` a streaming handler writes to: a Writable whose every write goes to the pool as one
 * message. Non-binary, non-string chunks are written as their JSON, as the runtime does.
 */
function createResponseStream(invocation: Invocation, highWaterMark: number | undefined): ResponseStream {
  let contentType = DEFAULT_STREAM_CONTENT_TYPE;
  let headSent = false;
  let written = false;
  const sendHead = () => {
    if (headSent) return;
    headSent = true;
    port.postMessage({ t: 'head', ct: contentType });
  };
  const stream = Object.assign(
    new Writable({
      ...(highWaterMark === undefined ? {} : { highWaterMark }),
      write(chunk: Buffer, _encoding, callback) {
        if (!invocation.finished) {
          sendHead();
          // A copy of exactly the chunk, transferred: posting the Buffer itself would clone all of its backing
          // store, which for a small write is Node's whole 8 KB pool.
          const bytes = new Uint8Array(chunk);
          port.postMessage({ t: 'chunk', b: bytes }, [bytes.buffer]);
        }
        callback();
      },
    }),
    {
      setContentType(type: string): void {
        if (written) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
        contentType = String(type);
      },
    },
  ) as ResponseStream;
  invocation.beforeFinish = sendHead;
  const write = stream.write.bind(stream);
  const beforeWrite = (chunk: unknown): string | Uint8Array => {
    if (!written && typeof stream._onBeforeFirstWrite === 'function') {
      written = true;
      stream._onBeforeFirstWrite((prelude) => write(prelude));
    }
    written = true;
    return typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
  };
  // The runtime's stream accepts any chunk (a non-binary, non-string one is written as its JSON), where
  // Writable#write's overloads take only strings and bytes.
  stream.write = ((chunk: unknown, encoding: never, callback: never) =>
    write(beforeWrite(chunk), encoding, callback)) as typeof stream.write;
  const end = stream.end.bind(stream);
  // Writable#end writes its chunk without calling write(); the prelude must still come first, also when the
  // function ends without writing (a status and headers with an empty body).
  stream.end = ((...args: unknown[]) => {
    if (args.length > 0 && typeof args[0] !== 'function') stream.write(args.shift());
    else if (!written) beforeWrite('');
    return end(...(args as never[]));
  }) as typeof stream.end;
  return stream;
}

/**
 * One invocation of a streaming handler: `handler(event, responseStream, context)`. It must return a promise
 * and have ended the stream when the promise resolves; a throw or a rejection ends the stream with the error.
 */
async function invokeStreaming(
  handler: Handler,
  message: InvokeMessage,
  highWaterMark: number | undefined,
): Promise<void> {
  if (dead) return;
  const invocation = begin(message, true);
  const { context } = createContext(invocation, message);
  const stream = createResponseStream(invocation, highWaterMark);
  const fail = (error: unknown): void => {
    invocation.claimed = true;
    finish(invocation, { ok: false, error, logAs: 'Invoke Error' });
  };
  try {
    if (config.breakBeforeHandler) {
      // As in `invoke` above.
      // biome-ignore lint/suspicious/noDebugger: the pause `invoke -d` promises, set only by it.
      debugger;
    }
    const result = handler(JSON.parse(message.event), stream, context);
    if (
      typeof result !== 'object' ||
      result === null ||
      !('then' in result) ||
      typeof result.then !== 'function'
    ) {
      fail('Streaming does not support non-async handlers.');
      return;
    }
    const value = await result;
    if (value !== undefined) console.warn('Streaming handlers ignore return values.');
    if (stream.writableEnded && !stream.writableFinished) {
      await new Promise((resolve) => stream.once('finish', resolve));
    }
    if (!stream.writableFinished) {
      fail('Response stream is not finished.');
      return;
    }
    invocation.claimed = true;
    finish(invocation, { ok: true, value: undefined });
  } catch (error) {
    fail(error ?? 'handled');
  }
}

/**
 * While debugging, the execution environment has an inspector of its own beside the process's: Chrome's DevTools
 * reach a worker thread only this way on Node 20 and 22 (VS Code uses the process's, through its NodeWorker
 * domain). `invoke -d` puts it on the -d port and waits there, before the module loads, for a debugger to say
 * run, as `sam local invoke -d` starts the runtime under `--inspect-brk`.
 */
function openOwnInspector(options: WorkerInspector): void {
  inspector.open(options.port, options.host, false);
  const url = inspector.url();
  if (url === undefined) {
    send(`the execution environment's inspector could not listen on ${options.host}:${options.port}`);
    return;
  }
  port.postMessage({ t: 'inspector', url });
  if (options.wait) inspector.waitForDebugger();
}

if (config.inspector !== undefined) openOwnInspector(config.inspector);

const initStarted = performance.now();
let initError: unknown;
let handler: Handler | undefined;
let retryWithEsmHook = false;
try {
  installAwsLambdaGlobal();
  handler = await loadHandler();
  checkHandlerSignature(handler);
} catch (error) {
  retryWithEsmHook = needsEsmHook(error);
  initError = asInitError(error);
}
initialised = true;
initError ??= initCrash;
const initMs = performance.now() - initStarted;
if (retryWithEsmHook) {
  dead = true;
  port.postMessage({ t: 'init', ms: initMs, error: undefined, retryWithEsmHook: true });
} else if (handler === undefined || initError !== undefined) {
  dead = true;
  logFailure('Uncaught Exception', initError);
  port.postMessage({ t: 'init', ms: initMs, error: toErrorPayload(initError) });
} else {
  const loaded = handler;
  try {
    isAsyncHandler = loaded.constructor?.name === 'AsyncFunction';
  } catch {}
  let streaming = false;
  let streamingError: unknown;
  try {
    streaming = isStreamingHandler(loaded);
  } catch (error) {
    streamingError = error;
  }
  if (streamingError !== undefined) {
    dead = true;
    logFailure('Uncaught Exception', streamingError);
    port.postMessage({ t: 'init', ms: initMs, error: toErrorPayload(streamingError) });
  } else {
    port.postMessage({ t: 'init', ms: initMs, error: undefined });
    const marked = loaded[HANDLER_HIGH_WATER_MARK];
    const highWaterMark = typeof marked === 'number' && !Number.isNaN(marked) ? marked : undefined;
    // pool.ts sends nothing but InvokeMessages after init.
    port.on('message', (message: InvokeMessage) =>
      streaming ? void invokeStreaming(loaded, message, highWaterMark) : invoke(loaded, message),
    );
  }
}
