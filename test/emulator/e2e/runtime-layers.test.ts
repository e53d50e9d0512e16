import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { App } from '../../../emulator/app.ts';
import { NO_ENV_VARS } from '../../../emulator/config.ts';
import type { InvokeOutcome } from '../../../emulator/runtime/pool.ts';
import { run } from '../../support/cli.ts';
import { type CapturedLog, captureLog } from '../../support/emulator.ts';

const LAYERS_TEMPLATE = fileURLToPath(new URL('../../fixtures/layers/template.yaml', import.meta.url));
const RUNTIME_TEMPLATE = fileURLToPath(new URL('../../fixtures/runtime/template.yaml', import.meta.url));

function payloadOf(outcome: InvokeOutcome): unknown {
  if (outcome.kind === 'error') return expect.fail(`expected a result, got ${JSON.stringify(outcome.error)}`);
  return outcome.payload;
}

function errorOf(outcome: InvokeOutcome) {
  if (outcome.kind === 'success')
    return expect.fail(`expected an error, got ${JSON.stringify(outcome.payload)}`);
  return outcome.error;
}

describe('the Node.js runtime as Lambda ships it: layers, the bundled AWS SDK, runtime versions', function () {
  this.timeout(60_000);
  let app: App | undefined;
  let log: CapturedLog;

  async function open(templatePath: string): Promise<App> {
    log = captureLog();
    app = await App.load({ templatePath, parameterOverrides: {}, envVars: NO_ENV_VARS, watch: false, log });
    return app;
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('layers (packages under /opt/nodejs/node_modules and /opt/nodejs/nodeNN/node_modules)', () => {
    it('a CJS function requires packages from both layer folders and from a layer sam build installs', async () => {
      const outcome = await (await open(LAYERS_TEMPLATE)).invoke('CjsFunction', { payload: {} });

      expect(payloadOf(outcome)).to.include({
        greeting: 'from the shared layer',
        versioned: 'node22 folder, require',
        built: 'from a layer sam build installs',
      });
    });

    it('an ESM function imports the same packages, with the import conditions', async () => {
      const outcome = await (await open(LAYERS_TEMPLATE)).invoke('EsmFunction', { payload: {} });

      expect(payloadOf(outcome)).to.deep.equal({
        greeting: 'from the shared layer',
        versioned: 'node22 folder, import',
        built: 'from a layer sam build installs',
      });
    });

    it("merges Globals Layers with the function's, the later layer winning a package both have", async () => {
      const outcome = await (await open(LAYERS_TEMPLATE)).invoke('MergedLayersFunction', { payload: {} });

      expect(payloadOf(outcome)).to.include({
        greeting: 'from the override layer',
        built: 'from a layer sam build installs',
      });
    });

    it('lists a layer given only as an ARN as not available locally and still runs the function', async () => {
      const outcome = await (await open(LAYERS_TEMPLATE)).invoke('RemoteLayerFunction', { payload: {} });

      expect(payloadOf(outcome)).to.include({ greeting: 'from the shared layer' });
      expect(log.lines.warn.filter((line) => line.includes('remote-only'))).to.have.length(1);
    });

    it('through the CLI invoke as well', async () => {
      const { code, stdout, stderr } = await run(['invoke', '-t', LAYERS_TEMPLATE, 'EsmFunction'], '{}');

      expect(code, stderr).to.equal(0);
      expect(JSON.parse(stdout)).to.include({ versioned: 'node22 folder, import' });
    });
  });

  describe('the AWS SDK for JavaScript v3 the runtime includes', () => {
    it('an esbuild ESM bundle with External @aws-sdk/* imports @aws-sdk/client-lambda from the project', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('SdkEsmBundleFunction', { payload: {} });

      expect(payloadOf(outcome)).to.deep.equal({ client: 'function' });
    });

    it('a CJS bundle with the client package External requires it from the project', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('SdkCjsBundleFunction', { payload: {} });

      expect(payloadOf(outcome)).to.deep.equal({ client: 'function' });
    });

    it('unbundled .mjs and .cjs functions in a fixture folder import and require it', async () => {
      const opened = await open(RUNTIME_TEMPLATE);

      const outcomes = await Promise.all(
        ['SdkUnbundledEsmFunction', 'SdkUnbundledCjsFunction'].map((id) =>
          opened.invoke(id, { payload: {} }),
        ),
      );

      expect(outcomes.map(payloadOf)).to.deep.equal([{ client: 'function' }, { client: 'function' }]);
    });

    it('a package of the runtime not installed anywhere fails with Runtime.ImportModuleError saying how to install it', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('MissingSdkFunction', { payload: {} });

      const error = errorOf(outcome);
      expect(error.errorType).to.equal('Runtime.ImportModuleError');
      expect(error.errorMessage).to.include("Cannot find package '@aws-sdk/client-xyz'");
      expect(error.errorMessage).to.include(
        '@aws-sdk/client-xyz is part of the nodejs22.x runtime in AWS (the AWS SDK for JavaScript v3), but it ' +
          'is not installed in this project; install it locally with: npm install --save-dev @aws-sdk/client-xyz',
      );
    });

    it('aws-sdk (v2) is not in nodejs18.x and later, and the error says so (CLI invoke)', async () => {
      const { code, stdout } = await run(['invoke', '-t', RUNTIME_TEMPLATE, 'SdkV2Function'], '{}');

      expect(code).to.equal(1);
      const error = JSON.parse(stdout);
      expect(error.errorType).to.equal('Runtime.ImportModuleError');
      expect(error.errorMessage).to.match(
        /aws-sdk is the AWS SDK for JavaScript v2, which nodejs22\.x does not include/,
      );
    });
  });

  describe('nodejs24.x removed callback-based handlers', () => {
    it('a handler taking a callback fails at init with Runtime.CallbackHandlerDeprecated, as Lambda fails it', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('Callback24Function', { payload: {} });

      expect(errorOf(outcome)).to.include({
        errorType: 'Runtime.CallbackHandlerDeprecated',
        errorMessage:
          'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. ' +
          'You need to modify this function to use a supported handler signature to use Node.js 24 or later. ' +
          'For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
      });
    });

    it('the same handler works on nodejs22.x, context.done and all', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('Callback22Function', { payload: {} });

      expect(payloadOf(outcome)).to.deep.equal({ answered: 'by callback', hasDone: 'function' });
    });

    it('on nodejs24.x the context has no done, succeed, fail or callbackWaitsForEmptyEventLoop', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('Async24Function', { payload: {} });

      expect(payloadOf(outcome)).to.deep.equal({
        answered: 'by promise',
        done: 'undefined',
        succeed: 'undefined',
        fail: 'undefined',
        callbackWaitsForEmptyEventLoop: 'undefined',
      });
    });

    it('on nodejs24.x a synchronous handler answers with the value it returns', async () => {
      const outcome = await (await open(RUNTIME_TEMPLATE)).invoke('Sync24Function', { payload: {} });

      expect(payloadOf(outcome)).to.equal('a plain value');
    });

    it('the CLI invoke exits 1 with the error on nodejs24.x and 0 on nodejs22.x', async () => {
      const [on24, on22] = await Promise.all([
        run(['invoke', '-t', RUNTIME_TEMPLATE, 'Callback24Function'], '{}'),
        run(['invoke', '-t', RUNTIME_TEMPLATE, 'Callback22Function'], '{}'),
      ]);

      expect(on24.code).to.equal(1);
      expect(JSON.parse(on24.stdout)).to.include({ errorType: 'Runtime.CallbackHandlerDeprecated' });
      expect(on22.code, on22.stderr).to.equal(0);
    });
  });

  it('prints one notice per runtime whose Node major is not the one it runs on here', async () => {
    await open(RUNTIME_TEMPLATE);
    const host = Number(process.versions.node.split('.')[0]);

    const notices = log.lines.info.filter((line) => line.includes('AWS runs them on Node'));

    expect(notices).to.have.length([22, 24].filter((major) => major !== host).length);
  });
});
