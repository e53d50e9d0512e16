// @ts-check
/**
 * The package's build (`npm pack` runs it as prepack): the CLI and the worker as plain JavaScript in dist/, so
 * that an installed package runs with Node alone, without tsx or a writable cache.
 *
 *   dist/cli.mjs            cli.ts and every emulator module it imports, in one file
 *   dist/worker.mjs         runtime/worker.ts, the module each worker thread runs
 *   dist/resolve-hooks.mjs  the resolve hook worker.mjs registers beside itself
 *
 * The packages in package.json's dependencies stay imports: esbuild finds its native binary at run time, and
 * yaml and smol-toml are installed beside the package as any dependency is. No source maps: they would more
 * than double the tarball, and the emulator's faults are reported with the stack of this readable,
 * unminified output.
 *
 * Usage: node build-dist.mjs   (from the emulator folder, or anywhere: paths are relative to this file)
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = path.join(HERE, 'dist');

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: HERE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { cli: 'cli.ts' },
  outdir: DIST,
  outExtension: { '.js': '.mjs' },
  banner: { js: '#!/usr/bin/env node' },
});
await build({
  ...common,
  entryPoints: { worker: 'runtime/worker.ts' },
  outdir: DIST,
  outExtension: { '.js': '.mjs' },
});
copyFileSync(path.join(HERE, 'runtime', 'resolve-hooks.mjs'), path.join(DIST, 'resolve-hooks.mjs'));
