// @ts-check
/**
 * The CLI (`emulator/cli.ts`) without tsx: esbuild bundles it, with everything it imports, into one module
 * cached under node_modules/.cache, and that module runs. Same commands, options and output as
 * `node --import tsx emulator/cli.ts`, in a little over half the start-up time: tsx costs ~110 ms before any
 * emulator code runs and then compiles and resolves ~120 modules one at a time, where a cached bundle is one
 * file that Node loads as it is.
 *
 * Usage: node emulator/launch.mjs <command> [options]
 *
 * The bundle is rebuilt when any file it was built from has changed (by modification time and size), so edits
 * to the emulator take effect on the next start, as they do under tsx. Plain JavaScript on purpose: it must run
 * before anything can compile TypeScript.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ENTRY = path.join(ROOT, 'emulator', 'cli.ts');

/** @typedef {{ root: string, inputs: Record<string, [number, number]> }} Manifest Inputs: [mtimeMs, size]. */

/** @param {string} file @returns {[number, number]} */
function fingerprint(file) {
  const stats = statSync(file);
  return [stats.mtimeMs, stats.size];
}

/** @param {string} dir */
function isFresh(dir) {
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    statSync(path.join(dir, 'cli.mjs'));
  } catch {
    return false;
  }
  if (manifest.root !== ROOT) return false;
  for (const [file, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
    try {
      const [nowMtimeMs, nowSize] = fingerprint(file);
      if (nowMtimeMs !== mtimeMs || nowSize !== size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * A module that reads `import.meta.url` means the file it was written in (worker-file.ts finds worker.ts beside it,
 * start.ts finds web/): in the bundle, each file's own URL is written in its place.
 * @type {import('esbuild').Plugin}
 */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** Writes a file whole or not at all, so that a process starting meanwhile never reads half of it. */
function writeAtomically(/** @type {string} */ file, /** @type {string | Uint8Array} */ contents) {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

/** @param {string} dir */
async function bundle(dir) {
  const { build } = await import('esbuild');
  const outfile = path.join(dir, 'cli.mjs');
  let result;
  try {
    result = await build({
      entryPoints: [ENTRY],
      absWorkingDir: ROOT,
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // esbuild finds its own native binary at run time; it stays a package import.
      external: ['esbuild'],
      // CommonJS dependencies (yaml) require Node's built-in modules, which an ES module does through this.
      banner: {
        js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
      },
      sourcemap: 'linked',
      metafile: true,
      write: false,
      logLevel: 'silent',
      plugins: [keepImportMetaUrl],
    });
  } catch (error) {
    const errors =
      error instanceof Error && 'errors' in error && Array.isArray(error.errors) ? error.errors : [];
    for (const message of errors) {
      const where = message.location
        ? `${message.location.file}:${message.location.line}:${message.location.column}: `
        : '';
      process.stderr.write(`${where}${message.text}\n`);
    }
    if (errors.length === 0) process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  mkdirSync(dir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  /** @type {Manifest} */
  const manifest = { root: ROOT, inputs: {} };
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(ROOT, input);
    manifest.inputs[file] = fingerprint(file);
  }
  writeAtomically(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** node_modules/.cache, as other build tools use it; the temporary folder when that cannot be written. */
async function bundleDir() {
  const preferred = path.join(ROOT, 'node_modules', '.cache', 'sam-emulator');
  if (isFresh(preferred)) return preferred;
  try {
    await bundle(preferred);
    return preferred;
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
    const fallback = path.join(tmpdir(), 'sam-emulator-cli');
    if (!isFresh(fallback)) await bundle(fallback);
    return fallback;
  }
}

// Stack traces then name the emulator's TypeScript files and lines, as they do under tsx.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(path.join(await bundleDir(), 'cli.mjs')).href);
