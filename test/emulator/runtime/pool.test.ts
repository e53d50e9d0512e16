import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { type InvokeOutcome, TooManyRequestsError } from '../../../emulator/runtime/pool.ts';
import { closePools, FIXTURES, openPool, payloadOf, recordOf } from './helpers.ts';

const ROOT = join(FIXTURES, '..', '..', '..');

describe('runtime: the pool of execution environments', () => {
  afterEach(closePools);

  it('reuses a warm environment: module state survives, Init Duration comes only once', async () => {
    const { pool } = openPool('fault');
    const outcomes: InvokeOutcome[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(await pool.invoke({ payload: {} }));
    const answers = outcomes.map(recordOf);
    expect(answers.map((answer) => answer.invocations)).to.deep.equal([1, 2, 3]);
    expect(new Set(answers.map((answer) => answer.instance)).size).to.equal(1);
    expect(outcomes.map((outcome) => outcome.initDurationMs !== undefined)).to.deep.equal([
      true,
      false,
      false,
    ]);
    expect(pool.stats).to.deep.equal({ workers: 1, busy: 0, queued: 0 });
  });

  it('gives each pool its own module instance', async () => {
    const first = openPool('fault');
    const second = openPool('fault');
    await first.pool.invoke({ payload: {} });
    const a = recordOf(await first.pool.invoke({ payload: {} }));
    const b = recordOf(await second.pool.invoke({ payload: {} }));
    expect(a.invocations).to.equal(2);
    expect(b.invocations).to.equal(1);
    expect(a.instance).not.to.equal(b.instance);
  });

  it('starts one environment per concurrent invocation', async () => {
    const { pool } = openPool('slow', { maxConcurrency: 3 });
    const started = performance.now();
    const outcomes = await Promise.all([1, 2, 3].map(() => pool.invoke({ payload: { ms: 300 } })));
    // Run one after another they would take at least 3 × 300 ms; any less means they overlapped.
    expect(performance.now() - started).to.be.below(900);
    expect(new Set(outcomes.map((outcome) => recordOf(outcome).instance)).size).to.equal(3);
    expect(pool.stats).to.deep.equal({ workers: 3, busy: 0, queued: 0 });
  });

  it('queues invocations beyond maxConcurrency and runs them in arrival order', async () => {
    const { pool } = openPool('slow', { maxConcurrency: 1 });
    const pending = [1, 2, 3].map((n) => pool.invoke({ payload: { ms: 20, n }, requestId: `fifo-${n}` }));
    expect(pool.stats).to.deep.equal({ workers: 1, busy: 1, queued: 2 });
    const outcomes = await Promise.all(pending);
    expect(outcomes.map((outcome) => recordOf(outcome).invocations)).to.deep.equal([1, 2, 3]);
  });

  it('never runs more environments than the function’s reserved concurrency', async () => {
    const { pool } = openPool('slow', { fn: { reservedConcurrency: 2 }, maxConcurrency: 10 });
    const pending = [1, 2, 3, 4].map(() => pool.invoke({ payload: { ms: 50 } }));
    expect(pool.stats).to.deep.equal({ workers: 2, busy: 2, queued: 2 });
    const instances = new Set((await Promise.all(pending)).map((outcome) => recordOf(outcome).instance));
    expect(instances.size).to.equal(2);
  });

  it('rejects invocations of a function whose reserved concurrency is 0, as Lambda throttles them', async () => {
    const { pool } = openPool('echo', { fn: { reservedConcurrency: 0 } });
    const rejection = await pool.invoke({ payload: {} }).then(
      () => expect.fail('expected a rejection'),
      (error: unknown) => error,
    );
    expect(rejection)
      .to.be.instanceOf(TooManyRequestsError)
      .with.property('name', 'TooManyRequestsException');
  });

  it('sends sequential invocations to the most recently used warm environment', async () => {
    const { pool } = openPool('slow', { maxConcurrency: 2 });
    await Promise.all([pool.invoke({ payload: { ms: 30 } }), pool.invoke({ payload: { ms: 60 } })]);
    expect(pool.stats.workers).to.equal(2);
    const instances = new Set<unknown>();
    for (let i = 0; i < 4; i++) instances.add(recordOf(await pool.invoke({ payload: { ms: 0 } })).instance);
    expect(instances.size).to.equal(1);
  });

  it('gives each environment the heap of its MemorySize, and the heap flags of NODE_OPTIONS that workers ignore', async () => {
    const sized = recordOf(await openPool('heap', { fn: { memorySize: 256 } }).pool.invoke({ payload: {} }));
    // The limit is the old space plus the young generation (3 MB at 256 MB).
    expect(sized.limitMb).to.equal(256 + 3);
    const flagged = openPool('heap', {
      fn: {
        memorySize: 1024,
        environment: { NODE_OPTIONS: '--max-old-space-size=300 --max-semi-space-size=2' },
      },
    });
    expect(recordOf(await flagged.pool.invoke({ payload: {} })).limitMb).to.equal(300 + 6);
  });

  describe('hot reload (setCode)', () => {
    it('loads the new code for the next invocation and stops the idle environments of the old code', async () => {
      const { pool } = openPool('version');
      expect(payloadOf(await pool.invoke({ payload: {} }))).to.equal('v1');
      pool.setCode({ dir: FIXTURES, file: join(FIXTURES, 'runtime-v2.mjs'), exportName: 'version' });
      expect(pool.stats.workers).to.equal(0);
      expect(payloadOf(await pool.invoke({ payload: {} }))).to.equal('v2');
    });

    it('points LAMBDA_TASK_ROOT at the new code folder', async () => {
      const { pool } = openPool('environment');
      const esmDir = join(FIXTURES, 'esm-js');
      pool.setCode({ dir: esmDir, file: join(FIXTURES, 'runtime.mjs'), exportName: 'environment' });
      const { env } = recordOf(await pool.invoke({ payload: {} }));
      expect(env).to.have.property('LAMBDA_TASK_ROOT', esmDir);
    });

    it('lets an invocation in progress finish on the old code, then retires its environment', async () => {
      const { pool } = openPool('slow');
      const inProgress = pool.invoke({ payload: { ms: 150 } });
      await new Promise((resolve) => setTimeout(resolve, 60));
      pool.setCode({ dir: FIXTURES, file: join(FIXTURES, 'runtime-v2.mjs'), exportName: 'slow' });
      const fresh = await pool.invoke({ payload: { ms: 0 } });
      expect(payloadOf(fresh)).to.deep.equal({ version: 'v2' });
      expect(recordOf(await inProgress)).to.have.property('invocations', 1);
      expect(pool.stats.workers).to.equal(1);
    });
  });

  describe('while debugging (-d)', () => {
    it('lifts the function Timeout, as sam local does while a debugger is attached: a 1.5 s invocation of a 1 s function answers', async function () {
      this.timeout(5_000);
      const { pool } = openPool('slow', { debug: { breakBeforeHandler: false } });
      const outcome = await pool.invoke({ payload: { ms: 1500 } });
      expect(recordOf(outcome)).to.include({ invocations: 1 });
    });

    it('keeps the Timeout without -d (the same invocation times out)', async function () {
      this.timeout(5_000);
      const { pool } = openPool('slow');
      const outcome = await pool.invoke({ payload: { ms: 1500 } });
      expect(outcome.kind === 'error' && outcome.timedOut).to.equal(true);
    });
  });

  describe('close', () => {
    it('finishes the invocations in progress, stops every environment and refuses new invocations', async () => {
      const { pool } = openPool('slow');
      const inProgress = pool.invoke({ payload: { ms: 150 } });
      await new Promise((resolve) => setTimeout(resolve, 60));
      const closing = pool.close();
      const refused = await pool.invoke({ payload: { ms: 0 } }).then(
        () => 'accepted',
        () => 'refused',
      );
      expect(refused).to.equal('refused');
      expect((await inProgress).kind).to.equal('success');
      await closing;
      expect(pool.stats).to.deep.equal({ workers: 0, busy: 0, queued: 0 });
    });

    it('leaves nothing that keeps the process alive, even for a pool never closed', function () {
      this.timeout(15_000);
      const script = `
        import { FunctionPool } from './emulator/runtime/pool.ts';
        const dir = ${JSON.stringify(FIXTURES)};
        const fn = {
          logicalId: 'F', functionName: 'f', codeUri: dir, handler: 'runtime.slow', runtime: 'nodejs22.x',
          architectures: ['x86_64'], timeout: 1, memorySize: 128, environment: {}, reservedConcurrency: undefined,
          logFormat: 'Text', applicationLogLevel: undefined, systemLogLevel: undefined, build: undefined,
          maximumRetryAttempts: undefined, maximumEventAgeInSeconds: undefined, layers: [],
        };
        const code = { dir, file: dir + '/runtime.mjs', exportName: 'slow' };
        const options = { environment: {}, region: 'eu-west-1', accountId: '123456789012', logSink: () => {} };
        const closed = new FunctionPool(fn, code, options);
        const open = new FunctionPool(fn, code, options);
        const outcomes = await Promise.all([closed.invoke({ payload: { ms: 10 } }), open.invoke({ payload: { ms: 10 } })]);
        await closed.close();
        console.log(outcomes.map((outcome) => outcome.kind).join(','));
      `;
      const started = Date.now();
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(child.stderr).to.equal('');
      expect(child.stdout.trim()).to.equal('success,success');
      expect(child.status).to.equal(0);
      expect(Date.now() - started).to.be.below(8000);
    });
  });
});
