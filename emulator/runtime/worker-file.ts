import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

/**
 * The module each worker thread runs. The package ships it built (dist/worker.mjs beside dist/cli.mjs, the one
 * module every other one is bundled into, so `import.meta.url` here is the bundle's). In the repository this
 * file runs from source (under tsx, or from launch.mjs's bundle, which keeps each file's own URL), beside
 * worker.ts: that is compiled once by esbuild into a cache keyed by its content, since a worker started with a
 * TypeScript loader would take ~40 ms longer to start, every cold start.
 */
export function workerUrl(): URL {
  return workerFileIn(fileURLToPath(new URL('./', import.meta.url)));
}

/** Where the compiled worker of `sourceDir` is kept: node_modules/.cache, else the temporary folder. */
export function defaultCacheDirs(sourceDir: string): (hash: string) => string[] {
  return (hash) => [
    join(sourceDir, '..', '..', 'node_modules', '.cache', 'sam-emulator', `worker-${hash}`),
    join(tmpdir(), `sam-emulator-worker-${hash}`),
  ];
}

/**
 * The worker module for the folder `dir`: its worker.ts compiled when it has one, else its worker.mjs (the
 * package's dist/). The source wins: a worker.mjs left beside it (an old checkout, a merge) must never run in
 * its place.
 */
export function workerFileIn(dir: string, cacheDirs = defaultCacheDirs(dir)): URL {
  if (!existsSync(join(dir, 'worker.ts'))) return pathToFileURL(join(dir, 'worker.mjs'));
  const source = join(dir, 'worker.ts');
  const hooksText = readFileSync(join(dir, 'resolve-hooks.mjs'));
  const hash = createHash('sha256').update(readFileSync(source)).update(hooksText).digest('hex').slice(0, 16);
  const candidates = cacheDirs(hash);
  for (const cache of candidates) {
    const file = join(cache, 'worker.mjs');
    if (existsSync(file)) return pathToFileURL(file);
  }
  let lastError: unknown;
  for (const cache of candidates) {
    try {
      return pathToFileURL(writeWorker(source, hooksText, cache));
    } catch (error) {
      // A read-only checkout: the next folder instead.
      lastError = error;
    }
  }
  throw lastError;
}

function writeWorker(source: string, hooksText: Buffer, dir: string): string {
  const result = buildSync({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // No source map: the output keeps worker.ts's statements, and a map would be parsed at every cold start
    // of a function whose NODE_OPTIONS enable source maps.
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${source}`);
  mkdirSync(dir, { recursive: true });
  // The hook first: a worker may start as soon as worker.mjs exists.
  writeAtomically(join(dir, 'resolve-hooks.mjs'), hooksText);
  const file = join(dir, 'worker.mjs');
  writeAtomically(file, output.contents);
  return file;
}

/** Whole or not at all, so that a process starting meanwhile never loads half of it. */
function writeAtomically(file: string, contents: Uint8Array): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}
