import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { ROOT } from '../support/cli.ts';

const RUNS = 50;
const AT_ONCE = 5;

interface PipedRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `generate-event … | npm run -s invoke -- MultiplyFunction` with the writer slowed down: nothing for 150 ms
 * (invoke finds its stdin empty, and npm has made the pipe non-blocking: EAGAIN for a synchronous read), then
 * the event in three chunks 40 ms apart.
 */
function slowPipeIntoInvoke(event: string, index: number): Promise<PipedRun> {
  const third = Math.ceil(event.length / 3);
  const chunks = [event.slice(0, third), event.slice(third, 2 * third), event.slice(2 * third)];
  const writer = `sleep 0.15; printf '%s' "$C0"; sleep 0.04; printf '%s' "$C1"; sleep 0.04; printf '%s' "$C2"`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `(${writer}) | npm run -s invoke -- MultiplyFunction`], {
      cwd: ROOT,
      env: { ...process.env, C0: chunks[0], C1: chunks[1], C2: chunks[2], RUN: String(index) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('invoke reading its event from a slow pipe behind npm', function () {
  this.timeout(180_000);

  it(`gets the whole event in ${RUNS} runs out of ${RUNS} (${AT_ONCE} at a time)`, async () => {
    const captured = JSON.parse(await readFile(`${ROOT}events/multiply.json`, 'utf8'));
    const outcomes: PipedRun[] = [];
    for (let start = 0; start < RUNS; start += AT_ONCE) {
      const batch = Array.from({ length: Math.min(AT_ONCE, RUNS - start) }, (_, offset) => {
        const index = start + offset;
        const event = JSON.stringify({ ...captured, body: JSON.stringify({ a: index, b: 3 }) });
        return slowPipeIntoInvoke(event, index);
      });
      outcomes.push(...(await Promise.all(batch)));
    }

    const failures = outcomes.flatMap((outcome, index) => {
      const body = outcome.code === 0 ? JSON.parse(outcome.stdout).body : undefined;
      return body === JSON.stringify({ result: index * 3 })
        ? []
        : [
            `run ${index}: exit ${outcome.code}, stdout ${outcome.stdout}, stderr ${outcome.stderr.slice(-300)}`,
          ];
    });
    expect(failures).to.deep.equal([]);
  });
});
