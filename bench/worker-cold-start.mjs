// Cold start of one execution environment: the time from `new Worker()` to the worker's `init` message, for
// two builds of the worker side by side (interleaved, so that machine load hits both alike). Used to check that
// the awslambda global (response streaming), and then the worker's move to TypeScript, cost a cold start
// nothing noticeable:
//   git show <before>:emulator/runtime/worker.mjs > /tmp/worker-before.mjs   (before worker.ts existed)
//   node emulator/build-dist.mjs                                              (worker.ts → emulator/dist/worker.mjs)
//   node bench/worker-cold-start.mjs /tmp/worker-before.mjs emulator/dist/worker.mjs 60
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const [first, second, roundsArg] = process.argv.slice(2);
if (first === undefined || second === undefined) {
  process.stderr.write('usage: node bench/worker-cold-start.mjs <worker-a.mjs> <worker-b.mjs> [rounds]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 40);
const dir = mkdtempSync(path.join(tmpdir(), 'cold-start-'));
const handlerFile = path.join(dir, 'handler.mjs');
writeFileSync(handlerFile, 'export const handler = async () => "ok";\n');
const workerData = {
  file: handlerFile,
  exportName: 'handler',
  handler: 'handler.handler',
  timeoutMs: 3000,
  logFormat: 'Text',
};

function coldStart(file) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const worker = new Worker(pathToFileURL(path.resolve(file)), {
      workerData,
      execArgv: [],
      env: { PATH: process.env.PATH ?? '' },
    });
    worker.on('message', (message) => {
      if (message?.t !== 'init') return;
      const ms = performance.now() - started;
      worker.terminate().then(() => resolve(ms), reject);
    });
    worker.on('error', reject);
  });
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.floor(q * (sorted.length - 1))].toFixed(1);
  return `median ${at(0.5)} ms, p10 ${at(0.1)} ms, p90 ${at(0.9)} ms`;
}

const samples = new Map([
  [first, []],
  [second, []],
]);
for (let warm = 0; warm < 3; warm++) for (const file of samples.keys()) await coldStart(file);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [first, second] : [second, first];
  for (const file of order) samples.get(file).push(await coldStart(file));
}
for (const [file, values] of samples) process.stdout.write(`${file}: ${summary(values)} (${rounds} runs)\n`);
