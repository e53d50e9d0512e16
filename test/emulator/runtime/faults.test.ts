import { expect } from 'chai';
import type { FunctionPool } from '../../../emulator/runtime/pool.ts';
import { closePools, errorOf, eventually, openPool, recordOf } from './helpers.ts';

/** The fixture's module instance, which tells whether the environment that answered is the same as before. */
async function instanceOf(pool: FunctionPool): Promise<unknown> {
  return recordOf(await pool.invoke({ payload: {} })).instance;
}

describe('runtime: function failures', () => {
  afterEach(closePools);

  describe('errors the function reports', () => {
    it('fails with the thrown error’s type, message and stack as `trace`, and keeps the environment warm', async () => {
      const { pool } = openPool('fault');
      const before = await instanceOf(pool);
      const outcome = await pool.invoke({ payload: { fault: 'throws' } });
      const error = errorOf(outcome);
      expect(error).to.include({ errorType: 'TypeError', errorMessage: 'bad input' });
      expect(error.trace?.[0]).to.equal('TypeError: bad input');
      expect(error.trace?.[1]).to.match(/^ {4}at .*runtime\.mjs:\d+:\d+\)$/);
      expect(outcome).to.include({ timedOut: false });
      expect(outcome.log).to.include(
        '\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"bad input"',
      );
      expect(await instanceOf(pool)).to.equal(before);
    });

    it('reports a thrown string with errorType "string" and an empty trace', async () => {
      const { pool } = openPool('fault');
      expect(errorOf(await pool.invoke({ payload: { fault: 'throwsString' } }))).to.deep.equal({
        errorType: 'string',
        errorMessage: 'plain string',
        trace: [],
      });
    });

    it('fails with the reason of a rejected promise', async () => {
      const { pool } = openPool('fault');
      expect(errorOf(await pool.invoke({ payload: { fault: 'rejects' } }))).to.include({
        errorType: 'RangeError',
        errorMessage: 'out of range',
      });
    });
  });

  describe('crashes: the invocation fails, the environment is replaced, the pool keeps serving', () => {
    it('stops a function still running at its Timeout with Sandbox.Timedout', async () => {
      const looping = openPool('fault');
      const waiting = openPool('fault');
      const before = await instanceOf(looping.pool);
      const [loop, pending] = await Promise.all([
        looping.pool.invoke({ payload: { fault: 'infiniteLoop' }, requestId: 'loop-1' }),
        waiting.pool.invoke({ payload: { fault: 'neverSettlesWithTimer' }, requestId: 'wait-1' }),
      ]);
      expect(errorOf(loop)).to.deep.equal({
        errorType: 'Sandbox.Timedout',
        errorMessage: 'RequestId: loop-1 Error: Task timed out after 1.00 seconds',
      });
      expect(loop).to.include({ timedOut: true });
      expect(loop.durationMs).to.be.within(990, 1500);
      const log = loop.log.split('\n');
      expect(log[1]).to.match(/\tloop-1\tINFO\tentering the loop$/);
      expect(log[2]).to.match(/^\d{4}-\d\d-\d\dT[\d:.]+Z loop-1 Task timed out after 1\.00 seconds$/);
      expect(log[3]).to.equal('END RequestId: loop-1');
      expect(log[4]).to.match(/^REPORT RequestId: loop-1\tDuration: \d+\.\d\d ms\t.*\tStatus: timeout$/);
      expect(errorOf(pending).errorType).to.equal('Sandbox.Timedout');
      expect(looping.pool.stats.workers).to.equal(0);
      expect(await instanceOf(looping.pool)).not.to.equal(before);
    });

    it('fails an async handler whose promise can no longer settle with Runtime.NodeJsExit, without waiting for the timeout', async () => {
      const { pool } = openPool('fault');
      const started = performance.now();
      const error = errorOf(await pool.invoke({ payload: { fault: 'neverSettles' } }));
      expect(error.errorType).to.equal('Runtime.NodeJsExit');
      expect(error.errorMessage).to.include('a Promise that was never settled');
      expect(performance.now() - started).to.be.below(500);
    });

    it('fails with Runtime.ExitError when the function calls process.exit()', async () => {
      const { pool } = openPool('fault');
      const before = await instanceOf(pool);
      const outcome = await pool.invoke({ payload: { fault: 'exits', code: 3 }, requestId: 'exit-3' });
      expect(errorOf(outcome)).to.deep.equal({
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: exit-3 Error: Runtime exited with error: exit status 3',
      });
      expect(outcome.log).to.match(/\texit-3\tINFO\tabout to exit\n/);
      expect(outcome.log).to.match(/\tStatus: error\tError Type: Runtime\.ExitError$/);
      expect(await instanceOf(pool)).not.to.equal(before);

      const clean = await pool.invoke({ payload: { fault: 'exits', code: 0 }, requestId: 'exit-0' });
      expect(errorOf(clean).errorMessage).to.equal(
        'RequestId: exit-0 Error: Runtime exited without providing a reason',
      );
    });

    it('fails with Runtime.OutOfMemory when the heap grows past MemorySize', async () => {
      const { pool } = openPool('fault', { fn: { timeout: 5 } });
      const before = await instanceOf(pool);
      const outcome = await pool.invoke({ payload: { fault: 'allocates' }, requestId: 'oom-1' });
      expect(errorOf(outcome)).to.deep.equal({
        errorType: 'Runtime.OutOfMemory',
        errorMessage: 'RequestId: oom-1 Error: Runtime exited with error: signal: killed',
      });
      expect(outcome.log).to.match(/\tMax Memory Used: 128 MB\t.*Error Type: Runtime\.OutOfMemory$/);
      expect(await instanceOf(pool)).not.to.equal(before);
    });

    it('fails with Runtime.UnhandledPromiseRejection when a rejection goes unhandled before the handler settles', async () => {
      const { pool } = openPool('fault');
      const before = await instanceOf(pool);
      const outcome = await pool.invoke({ payload: { fault: 'rejectsBeforeSettling' } });
      const error = errorOf(outcome);
      expect(error).to.include({
        errorType: 'Runtime.UnhandledPromiseRejection',
        errorMessage: 'Error: nobody catches me',
      });
      expect(error.trace?.[0]).to.equal('Runtime.UnhandledPromiseRejection: Error: nobody catches me');
      expect(outcome.log).to.include(
        '\tERROR\tUnhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection"',
      );
      expect(await instanceOf(pool)).not.to.equal(before);
    });

    it('keeps the response when a rejection goes unhandled after the handler returned, logs it and replaces the environment', async () => {
      const { pool, lines } = openPool('fault');
      const before = await instanceOf(pool);
      const outcome = await pool.invoke({ payload: { fault: 'rejectsAfterReturning' }, requestId: 'late-1' });
      expect(outcome).to.include({ kind: 'success', payload: 'response stands' });
      await eventually(() =>
        lines.some((line) => line.includes('\tlate-1\tERROR\tUnhandled Promise Rejection')),
      );
      expect(await instanceOf(pool)).not.to.equal(before);
    });

    it('serves an invocation sent to an environment that crashed while idle on a fresh one', async () => {
      const { pool } = openPool('fault', { maxConcurrency: 1 });
      const before = await instanceOf(pool);
      // Sent before the pool hears of the crash, so it first reaches the dying environment.
      const [late, next] = await Promise.all([
        pool.invoke({ payload: { fault: 'rejectsAfterReturning' } }),
        pool.invoke({ payload: {} }),
      ]);
      expect(late).to.include({ kind: 'success', payload: 'response stands' });
      const { instance, invocations } = recordOf(next);
      expect(instance).not.to.equal(before);
      expect(invocations).to.equal(1);
    });

    it('fails with the error of an exception thrown in a timer while the handler runs', async () => {
      const { pool } = openPool('fault');
      const before = await instanceOf(pool);
      const outcome = await pool.invoke({ payload: { fault: 'throwsInTimer' } });
      expect(errorOf(outcome)).to.include({ errorType: 'Error', errorMessage: 'timer exploded' });
      expect(outcome.log).to.include(
        '\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"timer exploded"',
      );
      expect(await instanceOf(pool)).not.to.equal(before);
    });
  });
});
