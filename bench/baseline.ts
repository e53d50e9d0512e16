/**
 * The baselines the emulator is compared with: a bare `node:http` server, in its own process, that calls a
 * bundled handler and writes the proxy result it returns. No event building, no logging.
 *
 * By default the handler runs in-process. With `--threads N` it runs in N worker threads instead, one request
 * per thread at a time, the most recently idle one first, each request sent as JSON text and answered the same
 * way: one message each way, what any emulator that runs functions in worker threads has to add at the least.
 *
 * Usage: node --import tsx bench/baseline.ts <bundle.mjs> [--threads N]
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { closeServer, listen } from '../emulator/net.ts';
import { isRecord, isString } from '../functions/shared/guards.ts';

type Handler = (event: unknown, context: unknown) => unknown;

interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

function isProxyResult(value: unknown): value is ProxyResult {
  return (
    isRecord(value) &&
    typeof value.statusCode === 'number' &&
    isRecord(value.headers) &&
    Object.values(value.headers).every(isString) &&
    isString(value.body)
  );
}

const { values, positionals } = parseArgs({
  options: { threads: { type: 'string' } },
  allowPositionals: true,
});
const [file] = positionals;
if (file === undefined) throw new Error('usage: baseline.ts <bundle.mjs> [--threads N]');
const moduleUrl = pathToFileURL(file).href;

async function inProcess(): Promise<Handler> {
  const loaded: unknown = await import(moduleUrl);
  const handler = isRecord(loaded) ? loaded.handler : undefined;
  if (!isHandler(handler)) throw new Error(`${file} exports no function handler`);
  return handler;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData).then(({ handler }) => {
  parentPort.on('message', async (event) => {
    parentPort.postMessage(JSON.stringify(await handler(JSON.parse(event), {})));
  });
  parentPort.postMessage('ready');
});
`;

async function inThreads(count: number): Promise<Handler> {
  const idle: { worker: Worker; answer?: (text: string) => void }[] = [];
  const waiting: (() => void)[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: moduleUrl, execArgv: [] });
      const slot: { worker: Worker; answer?: (text: string) => void } = { worker };
      await new Promise((resolve) => worker.once('message', resolve));
      worker.on('message', (text: string) => slot.answer?.(text));
      worker.unref();
      idle.push(slot);
    }),
  );
  return async (event) => {
    let slot = idle.pop();
    while (slot === undefined) {
      await new Promise<void>((resolve) => waiting.push(resolve));
      slot = idle.pop();
    }
    const taken = slot;
    const text = await new Promise<string>((resolve) => {
      taken.answer = resolve;
      taken.worker.postMessage(JSON.stringify(event));
    });
    idle.push(taken);
    waiting.shift()?.();
    return JSON.parse(text);
  };
}

const run = values.threads === undefined ? await inProcess() : await inThreads(Number(values.threads));
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const event = { httpMethod: request.method, path: request.url, body: Buffer.concat(chunks).toString() };
    const result = await run(event, {});
    if (!isProxyResult(result)) {
      response.writeHead(500).end();
      return;
    }
    response.writeHead(result.statusCode, result.headers).end(result.body);
  });
});
const url = await listen(server, '127.0.0.1', 0);
process.stdout.write(`Listening on ${url}\n`);
process.once('SIGTERM', () => void closeServer(server));
