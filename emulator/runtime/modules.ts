/**
 * Where a function's bare imports resolve beyond its own node_modules, as in Lambda: the layers' folders under
 * /opt, then the runtime's own /var/runtime/node_modules (the AWS SDK). Lambda's Node.js runtimes set
 * `NODE_PATH=/opt/nodejs/nodeNN/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:…`; locally each
 * of those is a folder of this machine.
 * https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LayerModel } from '../template/model.ts';
import { isRecord } from '../template/values.ts';
import type { ErrorPayload } from './protocol.ts';
import { type NodeRuntime, SDK_V3_SCOPES } from './runtimes.ts';

/**
 * The layers' module folders in the order Node searches them. Lambda extracts the layers into one /opt in their
 * order, a later layer's files replacing an earlier one's, so a later layer is searched first; and every
 * `nodejs/nodeNN/node_modules` comes before every `nodejs/node_modules`, as in NODE_PATH.
 */
export function layerModuleDirs(layers: readonly LayerModel[], nodeMajor: number): string[] {
  const latestFirst = [...layers].reverse().flatMap(nodejsDirsOf);
  return [
    ...latestFirst.map((dir) => join(dir, `node${nodeMajor}`, 'node_modules')),
    ...latestFirst.map((dir) => join(dir, 'node_modules')),
  ].filter((dir) => existsSync(dir));
}

/**
 * A layer built with a `nodejsNN.x` BuildMethod is its own `/opt/nodejs` once `sam build` has installed it; one
 * whose ContentUri is already laid out for `/opt` (a `nodejs/` folder inside, which is how `sam local` mounts a
 * layer it has not built) is read that way too.
 */
function nodejsDirsOf(layer: LayerModel): string[] {
  return layer.nodejsDir === layer.contentDir
    ? [layer.contentDir, join(layer.contentDir, 'nodejs')]
    : [layer.nodejsDir];
}

/** Every `node_modules` folder from each start folder up to the root, nearest first, each once. */
export function nodeModulesAbove(starts: readonly string[]): string[] {
  const found: string[] = [];
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules');
      if (!found.includes(candidate) && existsSync(candidate)) found.push(candidate);
      if (dirname(dir) === dir) break;
    }
  }
  return found;
}

/** The top-level names (scopes or packages) that stand for the runtime's bundled SDK. */
function sdkNames(runtime: NodeRuntime): readonly string[] {
  return runtime.sdk === 'v3' ? SDK_V3_SCOPES : ['aws-sdk'];
}

/**
 * A folder standing for /var/runtime/node_modules (name `target` `node_modules`: the resolve hook resolves from its
 * parent): links to the SDK the runtime includes (`@aws-sdk`, `@smithy`,
 * `@aws-crypto` for SDK v3), taken from the first of `candidates` that has each. Only the SDK: a bundle that
 * forgot another dependency must fail here as it fails on AWS. `undefined` when none is installed.
 */
export function linkRuntimeModules(
  target: string,
  candidates: readonly string[],
  runtime: NodeRuntime,
): string | undefined {
  let linked = false;
  for (const name of sdkNames(runtime)) {
    const source = candidates.map((dir) => join(dir, name)).find((dir) => existsSync(dir));
    if (source === undefined) continue;
    mkdirSync(target, { recursive: true });
    symlinkSync(source, join(target, name), 'dir');
    linked = true;
  }
  return linked ? target : undefined;
}

const MISSING_MODULE = /Cannot find (?:module|package) '([^']+)'/;

/** The package a bare specifier names (`@aws-sdk/client-s3/dist-cjs/x.js` → `@aws-sdk/client-s3`). */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier === '' || /^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * A `Runtime.ImportModuleError` for a package the Node.js runtime includes in AWS, with what to do locally: the
 * runtime's SDK is not installed here. `aws-sdk` (v2) is only in nodejs16.x and earlier.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included
 */
export function withRuntimeModuleHint(error: ErrorPayload, runtime: NodeRuntime): ErrorPayload {
  if (error.errorType !== 'Runtime.ImportModuleError') return error;
  const specifier = MISSING_MODULE.exec(error.errorMessage)?.[1];
  const name = specifier === undefined ? undefined : packageNameOf(specifier);
  if (name === undefined) return error;
  const hint = runtimeModuleHint(name, runtime);
  return hint === undefined ? error : { ...error, errorMessage: `${error.errorMessage}\n${hint}` };
}

function runtimeModuleHint(name: string, runtime: NodeRuntime): string | undefined {
  const scope = name.split('/')[0] ?? '';
  if (runtime.sdk === 'v3' && SDK_V3_SCOPES.includes(scope)) {
    return (
      `${name} is part of the ${runtime.id} runtime in AWS (the AWS SDK for JavaScript v3), but it is not ` +
      `installed in this project; install it locally with: npm install --save-dev ${name}`
    );
  }
  if (runtime.sdk === 'v3' && name === 'aws-sdk') {
    return (
      `aws-sdk is the AWS SDK for JavaScript v2, which ${runtime.id} does not include (nodejs18.x and later ` +
      'include only the v3 SDK, @aws-sdk/*): migrate to @aws-sdk/* or bundle aws-sdk with the function'
    );
  }
  if (runtime.sdk === 'v2' && name === 'aws-sdk') {
    return (
      `aws-sdk is part of the ${runtime.id} runtime in AWS (the AWS SDK for JavaScript v2), but it is not ` +
      'installed in this project; install it locally with: npm install --save-dev aws-sdk'
    );
  }
  return undefined;
}

/**
 * Warnings for a layer `sam build` would install: with `BuildMethod: nodejsNN.x` it runs `npm install` in
 * ContentUri, which the emulator does not; a package.json with dependencies and no node_modules beside it will
 * not resolve.
 */
export function layerWarnings(layers: Iterable<LayerModel>): string[] {
  const warnings = new Set<string>();
  for (const layer of layers) {
    if (!layer.buildMethod?.startsWith('nodejs')) continue;
    const manifest = join(layer.contentDir, 'package.json');
    if (!existsSync(manifest) || existsSync(join(layer.contentDir, 'node_modules'))) continue;
    if (hasDependencies(manifest)) {
      warnings.add(
        `${layer.logicalId}: ${manifest} has dependencies but no node_modules beside it; run npm install in ` +
          `${layer.contentDir} (sam build would, for BuildMethod ${layer.buildMethod})`,
      );
    }
  }
  return [...warnings];
}

function hasDependencies(manifest: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return isRecord(parsed) && isRecord(parsed.dependencies) && Object.keys(parsed.dependencies).length > 0;
  } catch {
    return false;
  }
}
