import { expect } from 'chai';
import { closePools, openPool } from './helpers.ts';

const TIMESTAMP = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const EMF = '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"latency":3}';

function parseRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return expect.fail(`not a JSON record: ${line}`);
    }
    return { ...value };
  });
}

describe('runtime: logs', () => {
  afterEach(closePools);

  describe('Text format', () => {
    it('writes START, each console line as <timestamp>\\t<request id>\\t<LEVEL>\\t<message>, raw stdout lines, END and REPORT', async () => {
      const { pool, lines } = openPool('logs');
      const outcome = await pool.invoke({ payload: {}, requestId: 'log-1' });
      const log = outcome.log.split('\n');
      const expected = [
        /^START RequestId: log-1 Version: \$LATEST$/,
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tINFO\\tlog line$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tINFO\\tinfo 42 \\{ a: 1 \\}$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tWARN\\twarn line$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tERROR\\terror line$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tDEBUG\\tdebug line$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tTRACE\\ttrace line$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tINFO\\tmulti\\rline$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tINFO\\t\\{ msg: 'structured', symbol: 'BTCUSDT' \\}$`),
        new RegExp(`^${TIMESTAMP}\\tlog-1\\tERROR\\tfailed Error: kaput\\r {4}at `),
        /^\{"_aws":\{"Timestamp":1,"CloudWatchMetrics":\[\]\},"latency":3\}$/,
        /^partial line$/,
        /^END RequestId: log-1$/,
        /^REPORT RequestId: log-1\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$/,
      ];
      expect(log).to.have.length(expected.length);
      for (const [index, line] of log.entries()) expect(line).to.match(expected[index] ?? /^$/);
      expect(lines).to.deep.equal(log);
    });

    it('passes stdout lines such as CloudWatch embedded metrics through untouched', async () => {
      const { pool } = openPool('logs');
      const outcome = await pool.invoke({ payload: {} });
      expect(outcome.log.split('\n')).to.include(EMF);
    });

    it('drops console methods below AWS_LAMBDA_LOG_LEVEL', async () => {
      const { pool } = openPool('logs', { fn: { environment: { AWS_LAMBDA_LOG_LEVEL: 'warn' } } });
      const outcome = await pool.invoke({ payload: {} });
      const consoleLines = outcome.log.split('\n').filter((line) => new RegExp(`^${TIMESTAMP}\t`).test(line));
      const levels = consoleLines.map((line) => line.split('\t')[2]);
      expect(levels).to.deep.equal(['WARN', 'ERROR', 'ERROR']);
    });
  });

  describe('JSON format', () => {
    it('writes console calls as JSON records, keeping a single object argument as an object', async () => {
      const { pool } = openPool('logs', { fn: { logFormat: 'JSON', applicationLogLevel: 'DEBUG' } });
      const outcome = await pool.invoke({ payload: {}, requestId: 'json-1' });
      const log = outcome.log.split('\n');
      const records = parseRecords(log.filter((line) => line.startsWith('{"timestamp"')));
      expect(records.map(({ level, message }) => ({ level, message })).slice(0, 7)).to.deep.equal([
        { level: 'INFO', message: 'log line' },
        { level: 'INFO', message: 'info 42 { a: 1 }' },
        { level: 'WARN', message: 'warn line' },
        { level: 'ERROR', message: 'error line' },
        { level: 'DEBUG', message: 'debug line' },
        { level: 'INFO', message: 'multi\nline' },
        { level: 'INFO', message: { msg: 'structured', symbol: 'BTCUSDT' } },
      ]);
      for (const record of records) {
        expect(record.timestamp).to.match(new RegExp(`^${TIMESTAMP}$`));
        expect(record.requestId).to.equal('json-1');
      }
      const withError = records[7] ?? {};
      expect(withError.level).to.equal('ERROR');
      expect(withError.message).to.match(/^failed Error: kaput\n {4}at /);
      expect(withError).to.include({ errorType: 'Error', errorMessage: 'kaput' });
      expect(withError.stackTrace).to.be.an('array').with.property('0', 'Error: kaput');
      expect(records).to.have.length(8, 'TRACE is below the DEBUG application log level');
      expect(log).to.include(EMF);
    });

    it('writes platform.start, platform.runtimeDone and platform.report records instead of START, END and REPORT', async () => {
      const { pool } = openPool('echo', { fn: { logFormat: 'JSON', memorySize: 256 } });
      const outcome = await pool.invoke({ payload: {}, requestId: 'json-2' });
      const records = parseRecords(outcome.log.split('\n'));
      expect(records.map((record) => record.type)).to.deep.equal([
        'platform.start',
        'platform.runtimeDone',
        'platform.report',
      ]);
      expect(records[0]).to.deep.include({ record: { requestId: 'json-2', version: '$LATEST' } });
      expect(records[1]).to.deep.include({ record: { requestId: 'json-2', status: 'success' } });
      const report = records[2]?.record;
      expect(report).to.deep.include({ requestId: 'json-2', status: 'success' });
      expect(report).to.have.nested.property('metrics.memorySizeMB', 256);
      expect(report).to.have.nested.property('metrics.initDurationMs').that.is.a('number');
      expect(report).to.have.nested.property('metrics.billedDurationMs').that.is.at.least(1);
    });

    it('applies ApplicationLogLevel to console calls and SystemLogLevel WARN to the platform records', async () => {
      const { pool } = openPool('logs', {
        fn: { logFormat: 'JSON', applicationLogLevel: 'WARN', systemLogLevel: 'WARN' },
      });
      const outcome = await pool.invoke({ payload: {} });
      const records = parseRecords(outcome.log.split('\n').filter((line) => line.startsWith('{"timestamp"')));
      expect(records.map((record) => record.level)).to.deep.equal(['WARN', 'ERROR', 'ERROR']);
      expect(outcome.log).not.to.include('platform.');
    });

    it('reports a timeout as the status of the platform records', async () => {
      const { pool } = openPool('fault', { fn: { logFormat: 'JSON' } });
      const outcome = await pool.invoke({ payload: { fault: 'neverSettlesWithTimer' }, requestId: 'json-3' });
      const records = parseRecords(outcome.log.split('\n'));
      expect(records.at(-1)).to.deep.include({ type: 'platform.report' });
      expect(records.at(-1)?.record).to.deep.include({ requestId: 'json-3', status: 'timeout' });
    });
  });
});
