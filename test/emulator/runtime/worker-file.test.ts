import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { workerFileIn } from '../../../emulator/runtime/worker-file.ts';

const RUNTIME = fileURLToPath(new URL('../../../emulator/runtime/', import.meta.url));

describe('the worker module a pool starts (worker-file.ts)', () => {
  let dir: string;
  let source: string;
  let cacheRoot: string;
  const caches = (hash: string) => [path.join(cacheRoot, `worker-${hash}`)];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'worker-file-'));
    source = path.join(dir, 'runtime');
    cacheRoot = path.join(dir, 'cache');
    mkdirSync(source);
    copyFileSync(path.join(RUNTIME, 'worker.ts'), path.join(source, 'worker.ts'));
    copyFileSync(path.join(RUNTIME, 'protocol.ts'), path.join(source, 'protocol.ts'));
    copyFileSync(path.join(RUNTIME, 'resolve-hooks.mjs'), path.join(source, 'resolve-hooks.mjs'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles worker.ts to JavaScript in the cache, with the resolve hook it registers beside it', () => {
    const file = fileURLToPath(workerFileIn(source, caches));
    expect(path.dirname(path.dirname(file))).to.equal(cacheRoot);
    const compiled = readFileSync(file, 'utf8');
    expect(compiled).to.contain('installAwsLambdaGlobal');
    expect(compiled).to.not.match(/: WorkerConfig|import type/);
    expect(readFileSync(path.join(path.dirname(file), 'resolve-hooks.mjs'), 'utf8')).to.equal(
      readFileSync(path.join(source, 'resolve-hooks.mjs'), 'utf8'),
    );
  });

  it('reuses the compiled worker while worker.ts is unchanged, and compiles anew when it changes', () => {
    const first = fileURLToPath(workerFileIn(source, caches));
    const written = statSync(first).mtimeMs;
    expect(fileURLToPath(workerFileIn(source, caches))).to.equal(first);
    expect(statSync(first).mtimeMs).to.equal(written);
    writeFileSync(
      path.join(source, 'worker.ts'),
      `${readFileSync(path.join(source, 'worker.ts'), 'utf8')}\n// edited\n`,
    );
    expect(fileURLToPath(workerFileIn(source, caches))).to.not.equal(first);
  });

  it('never runs a worker.mjs left beside worker.ts (an old checkout or a merge)', () => {
    writeFileSync(path.join(source, 'worker.mjs'), 'throw new Error("stale");\n');
    expect(path.dirname(fileURLToPath(workerFileIn(source, caches)))).to.not.equal(source);
  });

  it("runs the package's prebuilt worker.mjs where there is no worker.ts (dist/)", () => {
    const dist = path.join(dir, 'dist');
    mkdirSync(dist);
    writeFileSync(path.join(dist, 'worker.mjs'), '');
    expect(fileURLToPath(workerFileIn(dist, caches))).to.equal(path.join(dist, 'worker.mjs'));
  });

  it('falls back to the next cache folder when one cannot be written', () => {
    const blocked = path.join(dir, 'blocked');
    // A file where a folder should be: mkdir under it fails as on a read-only checkout.
    writeFileSync(blocked, '');
    const fallback = path.join(dir, 'fallback');
    const file = fileURLToPath(
      workerFileIn(source, (hash) => [path.join(blocked, hash), path.join(fallback, hash)]),
    );
    expect(file.startsWith(`${fallback}${path.sep}`)).to.equal(true);
  });
});
