/**
 * The lines Lambda itself writes around an invocation (START, END, REPORT and failure notices), in the Text
 * format or as JSON platform records, and the error documents Lambda returns when the runtime did not answer.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html
 */
import type { ErrorPayload } from './protocol.ts';

export type LogFormat = 'Text' | 'JSON';

/** Telemetry status of an invocation: `failure` is an error the function reported, `error` a runtime crash. */
export type InvokeStatus = 'success' | 'failure' | 'error' | 'timeout';

export interface Report {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on the first invocation of an execution environment. */
  readonly initDurationMs: number | undefined;
  readonly status: InvokeStatus;
  /** For `error` and `timeout`. */
  readonly errorType: string | undefined;
}

/** Lambda bills each started millisecond. */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

let stampedMs = Number.NaN;
let stamp = '';

/** The current time as ISO text, formatted once per millisecond: an invocation stamps three records at once. */
function isoNow(): string {
  const now = Date.now();
  if (now !== stampedMs) {
    stampedMs = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

function platformRecord(type: string, record: Record<string, unknown>): string {
  return JSON.stringify({ time: isoNow(), type, record });
}

export function startLine(format: LogFormat, requestId: string): string {
  return format === 'JSON'
    ? platformRecord('platform.start', { requestId, version: '$LATEST' })
    : `START RequestId: ${requestId} Version: $LATEST`;
}

/** `END`, or in JSON the `platform.runtimeDone` record that takes its place. */
export function endLine(
  format: LogFormat,
  requestId: string,
  status: InvokeStatus,
  errorType?: string,
): string {
  return format === 'JSON'
    ? platformRecord('platform.runtimeDone', { requestId, status, ...(errorType && { errorType }) })
    : `END RequestId: ${requestId}`;
}

/** The REPORT line; like Lambda's, the Text form ends with a tab unless a status follows. */
export function reportLine(format: LogFormat, report: Report): string {
  const { requestId, durationMs, memorySizeMb, maxMemoryUsedMb, initDurationMs, status, errorType } = report;
  if (format === 'JSON') {
    const metrics = {
      durationMs: round3(durationMs),
      billedDurationMs: billedDurationMs(durationMs),
      memorySizeMB: memorySizeMb,
      maxMemoryUsedMB: maxMemoryUsedMb,
      ...(initDurationMs !== undefined && { initDurationMs: round3(initDurationMs) }),
    };
    return platformRecord('platform.report', { requestId, metrics, status, ...(errorType && { errorType }) });
  }
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${billedDurationMs(durationMs)} ms\tMemory Size: ${memorySizeMb} MB\t` +
    `Max Memory Used: ${maxMemoryUsedMb} MB\t`;
  if (initDurationMs !== undefined) line += `Init Duration: ${initDurationMs.toFixed(2)} ms\t`;
  if (status === 'timeout') line += 'Status: timeout';
  else if (status === 'error') line += `Status: error\tError Type: ${errorType}`;
  return line;
}

/** `Task timed out after 3.00 seconds`. */
export function timeoutText(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** The line Lambda writes when it stops a function at its timeout. */
export function timeoutLine(requestId: string, timeoutSeconds: number): string {
  return `${new Date().toISOString()} ${requestId} ${timeoutText(timeoutSeconds)}`;
}

/** What the caller receives when the function runs past its `Timeout`. */
export function timeoutError(requestId: string, timeoutSeconds: number): ErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: ${timeoutText(timeoutSeconds)}`,
  };
}

/** What the caller receives when the runtime process ends mid-invocation (e.g. `process.exit()`). */
export function exitError(requestId: string, exitCode: number): ErrorPayload {
  const reason =
    exitCode === 0
      ? 'Runtime exited without providing a reason'
      : `Runtime exited with error: exit status ${exitCode}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${reason}` };
}

/** What the caller receives when the function's memory use passes its `MemorySize`. */
export function outOfMemoryError(requestId: string): ErrorPayload {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
  };
}

/** Lambda's limit on a synchronous response. */
export const MAX_RESPONSE_BYTES = 6_291_556;

export function responseTooLargeError(): ErrorPayload {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
  };
}
