import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildFunction, isBuildable, withAbsoluteSources } from '../../../emulator/build/esbuild.ts';
import { loadTemplate } from '../../../emulator/template/load.ts';
import { ROOT } from '../../support/cli.ts';
import { PROJECT_TEMPLATE } from '../../support/emulator.ts';

/** The project's MultiplyFunction (`Minify: true`, `Sourcemap: true`), built into a fresh folder. */
async function buildMultiply(debug: boolean) {
  const fn = loadTemplate(PROJECT_TEMPLATE, { parameterOverrides: {} }).functions.get('MultiplyFunction');
  if (fn === undefined || !isBuildable(fn)) throw new Error('MultiplyFunction is not an esbuild function');
  const outdir = mkdtempSync(path.join(tmpdir(), 'esbuild-test-'));
  const built = await buildFunction(fn, outdir, { debug });
  const map: unknown = JSON.parse(readFileSync(`${built.file}.map`, 'utf8'));
  return { outdir, bundle: readFileSync(built.file, 'utf8'), map };
}

function sourcesOf(map: unknown): string[] {
  if (typeof map !== 'object' || map === null || !('sources' in map) || !Array.isArray(map.sources))
    return [];
  return map.sources.map(String);
}

describe('esbuild: the builds made for a debugger (-d)', function () {
  this.timeout(20_000);
  const outdirs: string[] = [];
  after(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the original names whatever Minify says, and maps every line to the absolute path of a file on disk', async () => {
    const { outdir, bundle, map } = await buildMultiply(true);
    outdirs.push(outdir);

    expect(bundle).to.include('function parseOperands(body)');
    const sources = sourcesOf(map);
    expect(sources).to.include(path.join(ROOT, 'functions', 'multiply', 'handler.ts'));
    expect(sources.filter((source) => !path.isAbsolute(source) || !existsSync(source))).to.deep.equal([]);
    // Inline too, for Chrome's DevTools, which cannot fetch a file: map for a Node target.
    const inline = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(bundle)?.[1] ?? '';
    expect(sourcesOf(JSON.parse(Buffer.from(inline, 'base64').toString('utf8')))).to.deep.equal(sources);
  });

  it('leaves the sam build output as the template says: minified, with sources relative to the map', async () => {
    const { outdir, bundle, map } = await buildMultiply(false);
    outdirs.push(outdir);

    expect(bundle).to.not.include('function parseOperands(');
    expect(sourcesOf(map).every((source) => source.startsWith('../'))).to.equal(true);
  });

  it('resolves sources behind a sourceRoot and leaves URLs as they are', () => {
    const map = { version: 3, sourceRoot: 'src/', sources: ['a.ts', 'webpack://x/b.ts'], mappings: '' };
    const rewritten = withAbsoluteSources(Buffer.from(JSON.stringify(map)), '/build/out/a.js.map');

    expect(JSON.parse(Buffer.from(rewritten).toString('utf8'))).to.deep.include({
      sourceRoot: '',
      sources: ['/build/out/src/a.ts', 'webpack://x/b.ts'],
    });
  });
});
