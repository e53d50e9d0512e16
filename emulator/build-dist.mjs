// @ts-check
/**
 * The package's build (`npm pack` runs it as prepack): the CLI and the worker as plain JavaScript in dist/, so
 * that an installed package runs with Node alone, without tsx or a writable cache.
 *
 *   dist/cli.mjs            cli.ts and every module it imports, yaml and smol-toml included, in one file
 *   dist/worker.mjs         runtime/worker.ts, the module each worker thread runs
 *   dist/resolve-hooks.mjs  the resolve hook worker.mjs registers beside itself
 *   dist/licenses/          the licenses of the packages bundled in cli.mjs
 *
 * One file, as launch.mjs bundles the CLI in the repository: importing yaml's ~70 modules one by one would
 * add ~40 ms to every start. esbuild alone stays an import (the package's one dependency): it finds its
 * native binary at run time. No source maps and no minifying: a map would more than double the tarball, and
 * the emulator's faults are reported with a stack that names readable lines of this output.
 *
 * Usage: node build-dist.mjs   (from the emulator folder, or anywhere: paths are relative to this file)
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  external: ['esbuild'],
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { cli: 'cli.ts' },
  outdir: DIST,
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies (yaml) require Node's built-in modules, which an ES module does through this.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
  },
});
await build({
  ...common,
  entryPoints: { worker: 'runtime/worker.ts' },
  outdir: DIST,
  outExtension: { '.js': '.mjs' },
});
copyFileSync(path.join(HERE, 'runtime', 'resolve-hooks.mjs'), path.join(DIST, 'resolve-hooks.mjs'));
const require = createRequire(import.meta.url);
mkdirSync(path.join(DIST, 'licenses'));
for (const bundled of ['yaml', 'smol-toml']) {
  // The package's folder: the entry point's nearest node_modules/<name> (smol-toml exports no package.json).
  const entry = require.resolve(bundled);
  const folder =
    entry.slice(0, entry.lastIndexOf(`node_modules${path.sep}${bundled}${path.sep}`)) +
    `node_modules${path.sep}${bundled}`;
  copyFileSync(path.join(folder, 'LICENSE'), path.join(DIST, 'licenses', `${bundled}.txt`));
}
