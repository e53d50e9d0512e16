import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { isRecord } from '../emulator/template/values.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Suite {
  readonly spec: readonly string[];
  readonly ignore: readonly string[];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

function readSuite(file: string): Suite {
  const config: unknown = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
  if (!isRecord(config)) throw new Error(`${file} is not a mocha config object`);
  return { spec: strings(config.spec), ignore: strings(config.ignore) };
}

/** The glob forms the suites use: `**` any folders, `*` within one name. */
function globPattern(glob: string): RegExp {
  const source = glob
    .split('/')
    .map((part) =>
      part === '**'
        ? '(?:[^/]+/)*'
        : `${part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}/`,
    )
    .join('')
    .slice(0, -1);
  return new RegExp(`^${source}$`);
}

function inSuite(suite: Suite, file: string): boolean {
  const matches = (glob: string) => globPattern(glob).test(file);
  return suite.spec.some(matches) && !suite.ignore.some(matches);
}

describe('the two test suites: npm run test:emulator and npm run test:app', () => {
  const emulator = readSuite('test/mocharc.emulator.json');
  const app = readSuite('test/mocharc.app.json');
  const files = readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.startsWith(`fixtures${path.sep}`))
    .map((file) => `test/${file.split(path.sep).join('/')}`);

  it('reads the glob forms the suites use', () => {
    expect(globPattern('test/emulator/**/*.test.ts').test('test/emulator/e2e/cli.test.ts')).to.equal(true);
    expect(globPattern('test/emulator/**/*.test.ts').test('test/emulator/app.test.ts')).to.equal(true);
    expect(globPattern('test/emulator/**/*.test.ts').test('test/emulatorx/app.test.ts')).to.equal(false);
    expect(globPattern('test/suites.test.ts').test('test/suitesXtest.ts')).to.equal(false);
  });

  it('puts every test file that npm test runs in exactly one of them', () => {
    expect(files.length).to.be.above(50);
    const misplaced = files.filter(
      (file) => Number(inSuite(emulator, file)) + Number(inSuite(app, file)) !== 1,
    );
    expect(misplaced).to.deep.equal([]);
  });
});
