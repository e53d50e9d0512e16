// @ts-check
/**
 * Resolve hook for a worker whose ES modules import packages from a layer or the runtime's SDK folder (see
 * modules.ts): a bare specifier that Node's own resolution cannot find is resolved from the first of those
 * folders that has the package, in NODE_PATH order, as Lambda's Node.js runtime makes /opt and
 * /var/runtime/node_modules importable. Registered by worker.mjs only when the function needs it.
 * https://nodejs.org/api/module.html#resolvespecifier-context-nextresolve
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @type {readonly string[]} */
let dirs = [];

/** @param {{ dirs: readonly string[] }} data */
export function initialize(data) {
  dirs = data.dirs;
}

/** @param {string} specifier */
function packageNameOf(specifier) {
  if (specifier === '' || /^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string, conditions: string[], importAttributes: object }} context
 * @param {(specifier: string, context?: object) => Promise<{ url: string }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    const name = code === 'ERR_MODULE_NOT_FOUND' ? packageNameOf(specifier) : undefined;
    const dir = name === undefined ? undefined : dirs.find((candidate) => existsSync(join(candidate, name)));
    if (dir === undefined) throw error;
    // Resolved as if imported from a file in the folder's parent, so that Node's own rules (exports, conditions,
    // symlinks to the real package) apply.
    return nextResolve(specifier, {
      ...context,
      parentURL: pathToFileURL(join(dir, '..', 'index.mjs')).href,
    });
  }
}
