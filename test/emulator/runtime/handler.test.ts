import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FunctionPool } from '../../../emulator/runtime/pool.ts';
import {
  ACCOUNT_ID,
  closePools,
  errorOf,
  FIXTURES,
  functionModel,
  openPool,
  payloadOf,
  REGION,
  recordOf,
} from './helpers.ts';

describe('runtime: handlers, context and environment', () => {
  afterEach(closePools);

  describe('loading', () => {
    it('imports an .mjs module and calls the named export with the event', async () => {
      const { pool } = openPool('echo');
      const outcome = await pool.invoke({ payload: { symbol: 'BTCUSDT', n: [1, 2] } });
      expect(payloadOf(outcome)).to.deep.equal({ echo: { symbol: 'BTCUSDT', n: [1, 2] } });
    });

    it('requires a .js file as CommonJS when its package.json says "type": "commonjs"', async () => {
      const { pool } = openPool('handler', { file: 'cjs/handler.js' });
      const outcome = await pool.invoke({ payload: { a: 1 } });
      expect(payloadOf(outcome)).to.deep.equal({ format: 'commonjs', invocations: 1, event: { a: 1 } });
    });

    it('imports a .js file as ESM when the nearest package.json says "type": "module"', async () => {
      const { pool } = openPool('handler', { file: 'esm-js/handler.js' });
      expect(payloadOf(await pool.invoke({ payload: {} }))).to.deep.equal({ format: 'esm' });
    });

    it('requires a .js file with no package.json up to its task root as CommonJS, whatever a package.json above says, as in Lambda', async () => {
      // The repository's own package.json says "type": "module"; in Lambda nothing lies above /var/task.
      const { pool } = openPool('handler', { file: 'no-package/handler.js' });
      expect(payloadOf(await pool.invoke({ payload: { n: 21 } }))).to.deep.equal({ doubled: 42 });
    });

    it('reports an error thrown while the module loads as the invocation error, and retries init next time', async () => {
      const { pool } = openPool('handler', { file: 'init-error.mjs' });
      const first = await pool.invoke({ payload: {}, requestId: 'init-1' });
      expect(errorOf(first)).to.include({ errorType: 'Error', errorMessage: 'configuration missing' });
      expect(first.initDurationMs).to.be.a('number');
      const log = first.log.split('\n');
      expect(log[0]).to.match(/\tundefined\tINFO\tloading configuration$/);
      expect(log[1]).to.match(/\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Error"/);
      expect(log[2]).to.equal('START RequestId: init-1 Version: $LATEST');
      expect(log.at(-1)).to.match(/\tStatus: error\tError Type: Error$/);

      const second = await pool.invoke({ payload: {} });
      expect(errorOf(second).errorMessage).to.equal('configuration missing');
      expect(second.initDurationMs).to.be.a('number');
      expect(pool.stats.workers).to.equal(0);
    });

    it('reports a dependency that cannot be found as Runtime.ImportModuleError', async () => {
      const { pool } = openPool('handler', { file: 'init-missing-import.mjs' });
      const error = errorOf(await pool.invoke({ payload: {} }));
      expect(error.errorType).to.equal('Runtime.ImportModuleError');
      expect(error.errorMessage).to.match(
        /^Error.*: Cannot find package 'this-package-is-not-installed-anywhere'/,
      );
      expect(error.trace?.[0]).to.match(/^Runtime\.ImportModuleError: Error.*: Cannot find package/);
    });

    it('reports a module that does not parse as Runtime.UserCodeSyntaxError', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'runtime-syntax-'));
      try {
        const file = join(dir, 'broken.mjs');
        await writeFile(file, 'export const handler = async () => {\n');
        const pool = new FunctionPool(
          functionModel({ handler: 'broken.handler', codeUri: dir }),
          { dir, file, exportName: 'handler' },
          { environment: {}, region: REGION, accountId: ACCOUNT_ID, logSink: () => {} },
        );
        const error = errorOf(await pool.invoke({ payload: {} }));
        await pool.close();
        expect(error.errorType).to.equal('Runtime.UserCodeSyntaxError');
        expect(error.errorMessage).to.match(/^SyntaxError: /);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('reports a missing export as Runtime.HandlerNotFound, naming the Handler setting', async () => {
      const { pool } = openPool('nope');
      expect(errorOf(await pool.invoke({ payload: {} }))).to.include({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'runtime.nope is undefined or not exported',
      });
    });

    it('reports an export that is not a function as Runtime.HandlerNotFound', async () => {
      const { pool } = openPool('notAFunction');
      expect(errorOf(await pool.invoke({ payload: {} }))).to.include({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'runtime.notAFunction is not a function',
      });
    });

    it('times the init phase and reports it only on the first invocation of an environment', async () => {
      const { pool } = openPool('handler', { file: 'init-slow.mjs' });
      const cold = await pool.invoke({ payload: {}, requestId: 'cold' });
      const warm = await pool.invoke({ payload: {}, requestId: 'warm' });
      expect(cold.initDurationMs).to.be.at.least(55);
      expect(cold.log).to.match(/\tInit Duration: \d+\.\d\d ms\t$/);
      expect(cold.log.split('\n')[0]).to.match(/\tundefined\tINFO\tinitialised$/);
      expect(warm.initDurationMs).to.equal(undefined);
      expect(warm.log).not.to.include('Init Duration');
    });
  });

  describe('results', () => {
    it('answers null for a handler that returns undefined', async () => {
      const { pool } = openPool('fault');
      expect(payloadOf(await pool.invoke({ payload: { fault: 'returnsUndefined' } }))).to.equal(null);
    });

    it('fails with "Unable to stringify response body" when the result cannot become JSON', async () => {
      const { pool } = openPool('fault');
      for (const fault of ['returnsBigInt', 'returnsCycle']) {
        const outcome = await pool.invoke({ payload: { fault } });
        expect(errorOf(outcome)).to.include({
          errorType: 'Error',
          errorMessage: 'Unable to stringify response body',
        });
        expect(outcome.log).to.include('\tERROR\tInvoke Error \t{"errorType":"Error"');
      }
    });

    it('fails with Function.ResponseSizeTooLarge when the result is over 6 MB', async () => {
      const { pool } = openPool('fault');
      expect(errorOf(await pool.invoke({ payload: { fault: 'returnsHuge' } }))).to.deep.equal({
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      });
    });
  });

  describe('callback-style handlers', () => {
    it('answers with the value passed to the callback', async () => {
      const { pool } = openPool('callback');
      expect(payloadOf(await pool.invoke({ payload: 7 }))).to.deep.equal({ via: 'callback', event: 7 });
    });

    it('fails with the error passed to the callback', async () => {
      const { pool } = openPool('callbackError');
      expect(errorOf(await pool.invoke({ payload: {} }))).to.include({
        errorType: 'Error',
        errorMessage: 'from callback',
      });
    });

    it('holds a callback result until the event loop is empty, unless callbackWaitsForEmptyEventLoop is false', async () => {
      const waiting = openPool('callbackWithPendingTimer');
      const notWaiting = openPool('callbackWithPendingTimer');
      const started = performance.now();
      const timed = async (pool: FunctionPool, wait: boolean) => {
        const outcome = await pool.invoke({ payload: { wait, ms: 400 } });
        return { payload: payloadOf(outcome), elapsed: performance.now() - started };
      };
      const [held, immediate] = await Promise.all([timed(waiting.pool, true), timed(notWaiting.pool, false)]);
      expect(held.payload).to.equal('sent');
      expect(held.elapsed).to.be.at.least(390);
      expect(immediate.payload).to.equal('sent');
      expect(immediate.elapsed).to.be.below(300);
    });

    it('answers context.succeed at once', async () => {
      const { pool } = openPool('succeed');
      expect(payloadOf(await pool.invoke({ payload: {} }))).to.deep.equal({ via: 'succeed' });
    });

    it('answers null for a handler that neither returns a promise nor calls back, once the event loop is empty', async () => {
      const { pool } = openPool('syncReturn');
      expect(payloadOf(await pool.invoke({ payload: {} }))).to.equal(null);
    });
  });

  describe('context', () => {
    it('describes the invocation as the Node.js runtime does, with memoryLimitInMB as a string', async () => {
      const { pool } = openPool('context', { fn: { functionName: 'price-fn', memorySize: 256, timeout: 2 } });
      const clientContext = { client: { app_title: 'Ticker' }, env: { platform: 'iOS' }, Custom: { k: 'v' } };
      const context = recordOf(await pool.invoke({ payload: {}, requestId: 'ctx-1', clientContext }));
      expect(context).to.deep.include({
        functionName: 'price-fn',
        functionVersion: '$LATEST',
        memoryLimitInMB: '256',
        memoryLimitType: 'string',
        awsRequestId: 'ctx-1',
        invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:price-fn`,
        logGroupName: '/aws/lambda/price-fn',
        callbackWaitsForEmptyEventLoop: true,
        clientContext,
        hasIdentity: true,
        legacyMethods: ['function', 'function', 'function'],
      });
      expect(context.identity).to.equal(undefined);
      expect(context.logStreamName).to.match(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(context.remainingMs).to.be.within(1500, 2000);
    });

    it('gives a request id when the caller chooses none, and takes the caller’s invoked ARN', async () => {
      const { pool } = openPool('context');
      const arn = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:fixture-function:live`;
      const outcome = await pool.invoke({ payload: {}, invokedFunctionArn: arn });
      expect(outcome.requestId).to.match(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(recordOf(outcome)).to.include({ awsRequestId: outcome.requestId, invokedFunctionArn: arn });
    });
  });

  describe('environment', () => {
    const reserved = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'env-fn',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env-fn',
      LAMBDA_TASK_ROOT: FIXTURES,
      _HANDLER: 'runtime.environment',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
    };

    it('gives the function the template variables, the overrides and Lambda’s reserved variables, and nothing else', async () => {
      process.env.EMULATOR_ONLY_SECRET = 'must not leak';
      try {
        const { pool } = openPool('environment', {
          fn: {
            functionName: 'env-fn',
            memorySize: 512,
            environment: { FROM_TEMPLATE: 't', SHARED: 'template', AWS_REGION: 'us-east-1' },
          },
          environment: { SHARED: 'env.json', FROM_OVERRIDES: 'o' },
        });
        const { env } = recordOf(await pool.invoke({ payload: {} }));
        expect(env).to.deep.include({
          ...reserved,
          FROM_TEMPLATE: 't',
          SHARED: 'env.json',
          FROM_OVERRIDES: 'o',
        });
        expect(env)
          .to.have.property('AWS_LAMBDA_LOG_STREAM_NAME')
          .that.matches(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
        const expectedKeys = [
          ...Object.keys(reserved),
          'AWS_LAMBDA_LOG_STREAM_NAME',
          'FROM_TEMPLATE',
          'SHARED',
          'FROM_OVERRIDES',
          'PATH',
        ];
        expect(Object.keys(env ?? {})).to.have.members(expectedKeys);
      } finally {
        delete process.env.EMULATOR_ONLY_SECRET;
      }
    });

    it('keeps each function’s process.env to itself', async () => {
      const writer = openPool('setEnvironment');
      const reader = openPool('environment');
      expect(payloadOf(await writer.pool.invoke({ payload: { name: 'WRITTEN', value: 'yes' } }))).to.equal(
        'yes',
      );
      const { env } = recordOf(await reader.pool.invoke({ payload: {} }));
      expect(env).not.to.have.property('WRITTEN');
      expect(process.env).not.to.have.property('WRITTEN');
    });

    it('applies the per-thread options of the template’s NODE_OPTIONS, such as --enable-source-maps', async () => {
      const withMaps = openPool('environment', {
        fn: { environment: { NODE_OPTIONS: '--enable-source-maps' } },
      });
      const without = openPool('environment');
      const [on, off] = await Promise.all([
        withMaps.pool.invoke({ payload: {} }),
        without.pool.invoke({ payload: {} }),
      ]);
      expect(recordOf(on).sourceMaps).to.equal(true);
      expect(recordOf(off).sourceMaps).to.equal(false);
    });

    it('runs the function without NODE_OPTIONS a worker thread refuses, and says so', async () => {
      const { pool, lines } = openPool('environment', {
        fn: { environment: { NODE_OPTIONS: '--title=price' } },
      });
      const { env } = recordOf(await pool.invoke({ payload: {} }));
      expect(env).not.to.have.property('NODE_OPTIONS');
      expect(lines[0]).to.match(/NODE_OPTIONS ignored/);
    });
  });
});
