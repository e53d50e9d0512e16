import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { isRecord } from '../../../emulator/template/values.ts';
import { ROOT, run, type Serving, startServing, stopServing } from '../../support/cli.ts';
import { request } from '../../support/http.ts';

const execFileAsync = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('../../fixtures/package/sam-app/', import.meta.url));
/** What `npm pack` may put in the tarball: the command, the prebuilt JavaScript, bundled licenses, its own files. */
const SHIPPED =
  /^(?:package\.json|README\.md|bin\/sam-emulator\.mjs|dist\/(?:cli|worker|resolve-hooks)\.mjs|dist\/licenses\/[\w-]+\.txt)$/;
const MAX_PACKED_BYTES = 250 * 1024;

/**
 * The environment of every child: this one's without npm's own variables (under `npm test` they name the
 * repository as the prefix, and `npm install` would install there) and without NODE_OPTIONS (tsx's loader must
 * not be what makes the package run).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_OPTIONS'),
  );
}

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly files: readonly string[];
}

/** `npm pack --json` prints one entry per package; the prepack step's own output comes before it. */
function packResult(stdout: string): PackResult {
  const parsed: unknown = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const entry = Array.isArray(parsed) ? parsed[0] : undefined;
  if (!isRecord(entry) || typeof entry.filename !== 'string' || typeof entry.size !== 'number') {
    throw new Error(`unexpected npm pack output: ${stdout}`);
  }
  const files = Array.isArray(entry.files)
    ? entry.files.flatMap((file) => (isRecord(file) && typeof file.path === 'string' ? [file.path] : []))
    : [];
  return { filename: entry.filename, size: entry.size, files };
}

describe('the emulator as an npm package, installed from its tarball into another SAM application', function () {
  // npm pack (with the prepack build) and npm install from the warm cache: a few seconds each on 2 cores.
  this.timeout(120_000);

  let work: string;
  let app: string;
  let bin: string;
  let packed: PackResult;

  before(async () => {
    work = realpathSync(mkdtempSync(path.join(tmpdir(), 'sam-emulator-pack-')));
    const { stdout } = await execFileAsync(
      'npm',
      ['pack', '--workspace', 'emulator', '--pack-destination', work, '--json'],
      { cwd: ROOT, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
    packed = packResult(stdout);
    app = path.join(work, 'sam-app');
    cpSync(FIXTURE, app, { recursive: true });
    await execFileAsync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, packed.filename)],
      { cwd: app, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
    bin = path.join(app, 'node_modules', '.bin', 'sam-emulator');
  });

  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('installs outside the repository, with no TypeScript and no tsx', () => {
    expect(path.relative(ROOT, app).startsWith('..')).to.equal(true);
    const installed = path.join(app, 'node_modules');
    const names = readdirSync(installed);
    expect(names).to.include.members(['sam-emulator', 'esbuild']);
    expect(names).to.not.include('tsx');
    const files = readdirSync(path.join(installed, 'sam-emulator'), { recursive: true, encoding: 'utf8' });
    expect(files.filter((file) => file.endsWith('.ts'))).to.deep.equal([]);
  });

  it('runs a CLI whose only package import is esbuild, its one dependency (yaml and smol-toml are bundled)', () => {
    const cli = readFileSync(path.join(app, 'node_modules', 'sam-emulator', 'dist', 'cli.mjs'), 'utf8');
    const imported = [...cli.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]);
    expect(imported.length).to.be.above(10);
    expect([...new Set(imported.filter((name) => !name?.startsWith('node:')))]).to.deep.equal(['esbuild']);
  });

  it('packs only the command, the prebuilt JavaScript and its README: no sources, tests, fixtures or maps', () => {
    expect(packed.files.filter((file) => !SHIPPED.test(file))).to.deep.equal([]);
    expect(packed.files).to.include.members(['bin/sam-emulator.mjs', 'dist/cli.mjs', 'dist/worker.mjs']);
    expect(packed.size).to.be.below(MAX_PACKED_BYTES);
  });

  describe('start-api through the package bin', () => {
    let serving: Serving | undefined;
    before(async () => {
      serving = await startServing(['start-api', '-p', '0', '--no-watch'], {
        bin,
        cwd: app,
        env: cleanEnv(),
      });
    });
    after(() => stopServing(serving));

    it("answers the REST API route of sam init's hello-world with 200 and its body", async () => {
      const response = await request(`${serving?.url}/hello`);
      expect(response.status).to.equal(200);
      expect(response.json()).to.include({ message: 'hello world' });
    });

    it('answers the HTTP API route with 200, its path parameter in the event', async () => {
      const response = await request(`${serving?.url}/hello/sam`);
      expect(response.status).to.equal(200);
      expect(response.json()).to.include({ message: 'hello sam' });
    });
  });

  it('invoke through npx prints the function result for events/event.json', async () => {
    const { stdout } = await execFileAsync(
      'npx',
      ['--no-install', 'sam-emulator', 'invoke', 'HelloWorldFunction', '-e', 'events/event.json'],
      { cwd: app, env: cleanEnv() },
    );
    const result: unknown = JSON.parse(stdout);
    expect(result).to.include({ statusCode: 200 });
    expect(
      isRecord(result) && typeof result.body === 'string' ? JSON.parse(result.body) : undefined,
    ).to.include({
      message: 'hello world',
    });
  });

  it('--help names the command as the package is run: npx sam-emulator', async () => {
    const finished = await run(['--help'], undefined, { bin, cwd: app, env: cleanEnv() });
    expect(finished.code).to.equal(0);
    expect(finished.stdout).to.match(/^Usage: npx sam-emulator <command>/);
  });

  it('invoke exits 2 naming the function when the template has no such function', async () => {
    const finished = await run(['invoke', 'NoSuchFunction'], undefined, { bin, cwd: app, env: cleanEnv() });
    expect(finished.code).to.equal(2);
    expect(finished.stderr).to.contain('NoSuchFunction');
  });

  describe('start-lambda through the package bin', () => {
    let serving: Serving | undefined;
    before(async () => {
      serving = await startServing(['start-lambda', '-p', '0', '--no-watch'], {
        bin,
        cwd: app,
        env: cleanEnv(),
        ready: /Lambda Invoke endpoint on (http:\/\/\S+?)[\s(]/,
      });
    });
    after(() => stopServing(serving));

    it('answers a Lambda Invoke request (RequestResponse) with 200 and the result', async () => {
      const response = await request(`${serving?.url}/2015-03-31/functions/HelloWorldFunction/invocations`, {
        method: 'POST',
        body: JSON.stringify({ pathParameters: { name: 'lambda' } }),
      });
      expect(response.status).to.equal(200);
      const result: unknown = response.json();
      expect(result).to.include({ statusCode: 200 });
      expect(
        isRecord(result) && typeof result.body === 'string' ? JSON.parse(result.body) : undefined,
      ).to.include({
        message: 'hello lambda',
      });
    });
  });
});
