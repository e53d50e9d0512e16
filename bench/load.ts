import autocannon from 'autocannon';
import { cpuSeconds, cpuSecondsBetween, processCpuSeconds } from './processes.ts';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

export interface LoadSpec {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Each connection sends these in turn, over and over. */
  readonly requests: readonly LoadRequest[];
  readonly connections: number;
  /** Run for this many seconds… */
  readonly seconds?: number;
  /** …or until this many requests have been answered. */
  readonly amount?: number;
  /** The server under load, whose CPU time is reported beside the load generator's. */
  readonly serverPid: number;
}

export interface LoadResult {
  /** Responses received, whatever their status. */
  readonly responses: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly seconds: number;
  /** 2xx responses a second. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU used by the load generator (this process), in % of one core. */
  readonly loadCpuPct: number;
  /** CPU used by the server process, every thread, in % of one core. */
  readonly serverCpuPct: number;
  /**
   * CPU used meanwhile by every other process on the machine, in % of one core: anything much above 0 means
   * the run shared the machine and its numbers are low.
   */
  readonly otherCpuPct: number;
}

/**
 * One autocannon run. Latencies are taken from each response's own timing (sub-millisecond), not from
 * autocannon's histogram, which rounds to whole milliseconds: a 0.4 ms p50 would read as 0 or 1.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  const cpuBefore = process.cpuUsage();
  const serverBefore = cpuSeconds(spec.serverPid);
  const measuredPids = [process.pid, spec.serverPid];
  const othersBefore = processCpuSeconds(measuredPids);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount === undefined ? { duration: spec.seconds ?? 10 } : { amount: spec.amount }),
        requests: spec.requests.map((request) => ({
          method: request.method,
          path: request.path,
          ...(request.body === undefined
            ? {}
            : { body: request.body, headers: { 'content-type': 'application/json' } }),
        })),
      },
      (error, result) => {
        if (error !== null && error !== undefined) {
          reject(error);
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const serverCpu = cpuSeconds(spec.serverPid) - serverBefore;
        const loadCpu = (cpu.user + cpu.system) / 1e6;
        const otherCpu = cpuSecondsBetween(othersBefore, processCpuSeconds(measuredPids));
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          responses: latencies.length,
          non2xx,
          errors: result.errors + result.timeouts,
          seconds,
          rps: (latencies.length - non2xx) / seconds,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          maxMs: sorted.at(-1) ?? 0,
          loadCpuPct: (loadCpu / seconds) * 100,
          serverCpuPct: (serverCpu / seconds) * 100,
          otherCpuPct: (otherCpu / seconds) * 100,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode < 200 || statusCode > 299) non2xx++;
    });
  });
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

/**
 * A load result that says the server answered as it should: no connection errors, nothing but 2xx. A warm-up
 * may end before any answer (workers still starting); a measured run may not.
 */
export function checkAnswered(what: string, result: LoadResult, warmUp = false): void {
  if (result.errors > 0 || result.non2xx > 0 || (result.responses === 0 && !warmUp)) {
    throw new Error(
      `${what}: ${result.responses} responses, ${result.non2xx} not 2xx, ${result.errors} errors or timeouts`,
    );
  }
}
