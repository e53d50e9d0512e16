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

export const consoleLogger: Logger = {
  info: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`warning: ${line}\n`),
  error: (line) => process.stderr.write(`error: ${line}\n`),
  function: (line) => process.stderr.write(`${line}\n`),
};

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  function: () => {},
};
