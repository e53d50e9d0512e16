import { expect } from 'chai';
import {
  billedDurationMs,
  endLine,
  exitError,
  outOfMemoryError,
  type Report,
  reportLine,
  startLine,
  timeoutError,
  timeoutLine,
} from '../../../emulator/runtime/platform-log.ts';

const report: Report = {
  requestId: 'r-1',
  durationMs: 2642.344,
  memorySizeMb: 128,
  maxMemoryUsedMb: 90,
  initDurationMs: undefined,
  status: 'success',
  errorType: undefined,
};

describe('runtime: platform log lines', () => {
  it('bills each started millisecond, at least one', () => {
    expect([0.2, 1, 5, 2642.34].map(billedDurationMs)).to.deep.equal([1, 1, 5, 2643]);
  });

  describe('Text format', () => {
    it('writes START and END with the request id and version', () => {
      expect(startLine('Text', 'r-1')).to.equal('START RequestId: r-1 Version: $LATEST');
      expect(endLine('Text', 'r-1', 'success')).to.equal('END RequestId: r-1');
    });

    it('writes REPORT with two-decimal durations and a trailing tab', () => {
      expect(reportLine('Text', report)).to.equal(
        'REPORT RequestId: r-1\tDuration: 2642.34 ms\tBilled Duration: 2643 ms\tMemory Size: 128 MB\tMax Memory Used: 90 MB\t',
      );
    });

    it('adds Init Duration on the first invocation of an environment', () => {
      expect(reportLine('Text', { ...report, initDurationMs: 166.625 })).to.match(
        /\tInit Duration: 166\.63 ms\t$/,
      );
    });

    it('adds the status of a timeout or a runtime failure', () => {
      expect(reportLine('Text', { ...report, status: 'timeout' })).to.match(
        /\tMax Memory Used: 90 MB\tStatus: timeout$/,
      );
      expect(reportLine('Text', { ...report, status: 'error', errorType: 'Runtime.ExitError' })).to.match(
        /\tStatus: error\tError Type: Runtime\.ExitError$/,
      );
    });

    it('writes the timeout notice with a timestamp, the request id and the timeout in N.NN seconds', () => {
      expect(timeoutLine('r-1', 3)).to.match(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z r-1 Task timed out after 3\.00 seconds$/,
      );
    });
  });

  describe('JSON format', () => {
    it('writes platform records with the request id, status and metrics', () => {
      const start: unknown = JSON.parse(startLine('JSON', 'r-1'));
      const done: unknown = JSON.parse(endLine('JSON', 'r-1', 'error', 'Runtime.ExitError'));
      const final: unknown = JSON.parse(
        reportLine('JSON', { ...report, initDurationMs: 12.3456, status: 'timeout' }),
      );
      expect(start).to.deep.include({
        type: 'platform.start',
        record: { requestId: 'r-1', version: '$LATEST' },
      });
      expect(start)
        .to.have.property('time')
        .that.matches(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      expect(done).to.deep.include({
        type: 'platform.runtimeDone',
        record: { requestId: 'r-1', status: 'error', errorType: 'Runtime.ExitError' },
      });
      expect(final).to.deep.include({
        type: 'platform.report',
        record: {
          requestId: 'r-1',
          status: 'timeout',
          metrics: {
            durationMs: 2642.344,
            billedDurationMs: 2643,
            memorySizeMB: 128,
            maxMemoryUsedMB: 90,
            initDurationMs: 12.346,
          },
        },
      });
    });
  });

  describe('errors Lambda reports for the runtime', () => {
    it('reports a timeout as Sandbox.Timedout, without a trace', () => {
      expect(timeoutError('r-1', 3)).to.deep.equal({
        errorType: 'Sandbox.Timedout',
        errorMessage: 'RequestId: r-1 Error: Task timed out after 3.00 seconds',
      });
    });

    it('reports an exit with its status, and a clean exit as one without a reason', () => {
      expect(exitError('r-1', 129).errorMessage).to.equal(
        'RequestId: r-1 Error: Runtime exited with error: exit status 129',
      );
      expect(exitError('r-1', 0)).to.deep.equal({
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: r-1 Error: Runtime exited without providing a reason',
      });
    });

    it('reports running out of memory as the kill it is on Lambda', () => {
      expect(outOfMemoryError('r-1')).to.deep.equal({
        errorType: 'Runtime.OutOfMemory',
        errorMessage: 'RequestId: r-1 Error: Runtime exited with error: signal: killed',
      });
    });
  });
});
