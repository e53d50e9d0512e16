#!/usr/bin/env node
// The package's command. Installed, it runs the prebuilt CLI in dist/ (made by `npm pack`'s prepack step);
// in the repository, where the TypeScript sources sit beside this folder and dist/ is not kept, it runs them
// through launch.mjs's cached bundle, as the npm scripts do.
import { existsSync } from 'node:fs';

const fromSource = existsSync(new URL('../cli.ts', import.meta.url));
await import(fromSource ? '../launch.mjs' : '../dist/cli.mjs');
