/**
 * Where the emulator writes: its own lines (routes, requests, warnings) to stdout, the functions' log lines
 * to stderr, as `sam local` does. Injected everywhere so that tests can capture it instead of patching globals.
 */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** One log line written by a function (START/END/REPORT, console output, EMF). */
  function(line: string): void;
}

/** Beyond this many pending characters a stream is written at once rather than at the end of the turn. */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * Lines bound for one stream, written together at the end of the current turn of the event loop. Under load
 * the emulator logs a request line and three function lines per request; one write per turn instead of one
 * per line takes most of the cost of logging (each write is a system call) off the request path, and the
 * lines still appear within the same turn.
 */
class BatchedLines {
  readonly #stream: NodeJS.WriteStream;
  #pending = '';

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  add(line: string): void {
    if (this.#pending === '') scheduleFlush();
    this.#pending += `${line}\n`;
    if (this.#pending.length > MAX_PENDING_CHARS) this.flush();
  }

  flush(): void {
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#stream.write(text);
  }
}

const stdoutLines = new BatchedLines(process.stdout);
const stderrLines = new BatchedLines(process.stderr);
let flushScheduled = false;
let flushOnExit = false;

function flushAll(): void {
  flushScheduled = false;
  stderrLines.flush();
  stdoutLines.flush();
}

function scheduleFlush(): void {
  if (!flushOnExit) {
    // stdout and stderr are written synchronously (files, pipes and terminals), so this still gets out.
    process.on('exit', flushAll);
    flushOnExit = true;
  }
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushAll);
}

/** Warnings and errors are written at once, after whatever was logged before them. */
function writeNow(stream: NodeJS.WriteStream, text: string): void {
  flushAll();
  stream.write(text);
}

export const consoleLogger: Logger = {
  info: (line) => stdoutLines.add(line),
  warn: (line) => writeNow(process.stderr, `warning: ${line}\n`),
  error: (line) => writeNow(process.stderr, `error: ${line}\n`),
  function: (line) => stderrLines.add(line),
};

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  function: () => {},
};
