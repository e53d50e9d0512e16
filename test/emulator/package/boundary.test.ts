import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { isRecord } from '../../../emulator/template/values.ts';

const EMULATOR = fileURLToPath(new URL('../../../emulator/', import.meta.url));

interface ModuleImport {
  /** The importing file, relative to emulator/. */
  readonly file: string;
  readonly specifier: string;
}

/** Every .ts/.mjs module of the package's sources (not its build output or installed packages). */
function emulatorModules(): string[] {
  return readdirSync(EMULATOR, { recursive: true, encoding: 'utf8' }).filter(
    (file) =>
      /\.(?:ts|mjs)$/.test(file) &&
      !file.split(path.sep).some((part) => part === 'node_modules' || part === 'dist'),
  );
}

/**
 * The modules a file loads at run time: static imports and re-exports, side-effect imports and `import()` of a
 * literal. `import type` and `export type` are left out: TypeScript erases them, so they load nothing.
 */
function runtimeImports(file: string): ModuleImport[] {
  const source = readFileSync(path.join(EMULATOR, file), 'utf8');
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s+'([^']+)'/gm,
    /^\s*import\s+'([^']+)'/gm,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ];
  return patterns.flatMap((pattern) =>
    [...source.matchAll(pattern)].flatMap((match) =>
      match[1] === undefined ? [] : [{ file, specifier: match[1] }],
    ),
  );
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * The packages emulator/package.json declares: `dependencies` stay imports of the built CLI (esbuild), and
 * `devDependencies` are bundled into it by build-dist.mjs (yaml, smol-toml).
 */
function declaredDependencies(): string[] {
  const manifest: unknown = JSON.parse(readFileSync(path.join(EMULATOR, 'package.json'), 'utf8'));
  if (!isRecord(manifest)) return [];
  return [manifest.dependencies, manifest.devDependencies].flatMap((map) =>
    isRecord(map) ? Object.keys(map) : [],
  );
}

describe('the emulator package depends on nothing in the application', () => {
  const imports = emulatorModules().flatMap(runtimeImports);

  it('finds the modules it checks (the rules below cannot pass on an empty list)', () => {
    expect(imports.length).to.be.above(100);
    expect(imports.map((found) => found.file)).to.include('cli.ts');
  });

  it('no module under emulator/ imports from outside emulator/ (functions/, web/, test/, bench/)', () => {
    const escaping = imports.filter(({ file, specifier }) => {
      if (!specifier.startsWith('.')) return false;
      const target = path.resolve(EMULATOR, path.dirname(file), specifier);
      return path.relative(EMULATOR, target).startsWith('..');
    });
    expect(escaping).to.deep.equal([]);
  });

  it('every package it imports at run time is a Node built-in or declared in emulator/package.json', () => {
    const declared = new Set(declaredDependencies());
    const builtins = new Set(builtinModules);
    const undeclared = imports.filter(({ specifier }) => {
      if (specifier.startsWith('.') || specifier.startsWith('node:')) return false;
      const name = packageName(specifier);
      return !builtins.has(name) && !declared.has(name);
    });
    expect(undeclared).to.deep.equal([]);
  });

  it('the application does not declare the dependencies only the emulator uses', () => {
    const root: unknown = JSON.parse(readFileSync(path.join(EMULATOR, '..', 'package.json'), 'utf8'));
    const own = isRecord(root)
      ? {
          ...(isRecord(root.dependencies) ? root.dependencies : {}),
          ...(isRecord(root.devDependencies) ? root.devDependencies : {}),
        }
      : {};
    // esbuild stays in the application too: `sam build`'s esbuild workflow looks for its binary on PATH.
    const duplicated = declaredDependencies().filter((name) => name !== 'esbuild' && name in own);
    expect(duplicated).to.deep.equal([]);
    expect(own).to.have.property('sam-emulator');
  });
});
