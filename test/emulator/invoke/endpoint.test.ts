import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  type InvokeCommandInput,
  type InvokeCommandOutput,
  LambdaClient,
  LambdaServiceException,
  RequestTooLargeException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { App } from '../../../emulator/app.ts';
import { NO_ENV_VARS } from '../../../emulator/config.ts';
import type { AsyncResult } from '../../../emulator/invoke/async.ts';
import { type RunningLambdaService, startLambdaService } from '../../../emulator/invoke/server.ts';
import { isRecord } from '../../../emulator/template/values.ts';
import { type CapturedLog, captureLog } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

const TEMPLATE = fileURLToPath(new URL('../../fixtures/invoke/template.yaml', import.meta.url));
const INVOKE_PATH = '/2015-03-31/functions';
// One minute of Lambda's retry timeline becomes 60 ms.
const RETRY_DELAY_SCALE = 0.001;

function payloadText(output: InvokeCommandOutput): string {
  return Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
}

function payloadJson(output: InvokeCommandOutput): Record<string, unknown> {
  const value: unknown = JSON.parse(payloadText(output));
  if (!isRecord(value)) throw new Error(`expected a JSON object, got ${payloadText(output)}`);
  return value;
}

function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Fails unless one of the captured log lines matches. */
function expectLine(lines: readonly string[], pattern: RegExp): void {
  expect(
    lines.some((line) => pattern.test(line)),
    `no line matches ${pattern}:\n${lines.join('\n')}`,
  ).to.equal(true);
}

/** What `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused');
}

describe('the Lambda Invoke endpoint, through @aws-sdk/client-lambda', function () {
  this.timeout(15_000);
  let log: CapturedLog;
  let app: App;
  let service: RunningLambdaService;
  let client: LambdaClient;
  let scratch: string;
  const settled = new Map<string, AsyncResult>();
  const invoke = (input: InvokeCommandInput) => client.send(new InvokeCommand(input));
  let counter = 0;
  /** A fresh counter file for the flaky fixture. */
  const counterFile = () => path.join(scratch, `attempts-${++counter}.txt`);
  const attemptTimes = (file: string) =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];

  before(async () => {
    log = captureLog();
    scratch = mkdtempSync(path.join(tmpdir(), 'invoke-test-'));
    app = await App.load({
      templatePath: TEMPLATE,
      parameterOverrides: {},
      envVars: NO_ENV_VARS,
      watch: false,
      log,
    });
    service = await startLambdaService({
      app: () => app,
      host: '127.0.0.1',
      port: 0,
      log,
      retryDelayScale: RETRY_DELAY_SCALE,
    });
    service.asyncInvoker.onSettled((result) => settled.set(result.requestId, result));
    client = new LambdaClient({
      endpoint: service.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // Each refusal is asserted as it comes, not after the SDK's own retries.
      maxAttempts: 1,
    });
  });
  after(async () => {
    client?.destroy();
    await service?.close();
    await app?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  describe('RequestResponse', () => {
    it("answers 200 with the function's JSON result, $LATEST, and the invocation's request id", async () => {
      const output = await invoke({ FunctionName: 'invoke-echo', Payload: bytes({ a: 1, b: ['x'] }) });

      expect(output.StatusCode).to.equal(200);
      expect(output.ExecutedVersion).to.equal('$LATEST');
      expect(output.FunctionError).to.equal(undefined);
      expect(output.LogResult).to.equal(undefined);
      const result = payloadJson(output);
      expect(result.event).to.deep.equal({ a: 1, b: ['x'] });
      expect(result.functionVersion).to.equal('$LATEST');
      expect(result.invokedFunctionArn).to.equal(
        'arn:aws:lambda:us-east-1:123456789012:function:invoke-echo',
      );
      expect(result.awsRequestId).to.equal(output.$metadata.requestId);
      expectLine(
        log.lines.info,
        /^POST \/2015-03-31\/functions\/invoke-echo\/invocations 200 [\d.]+ ms EchoFunction RequestResponse$/,
      );
    });

    it('gives the function {} when the SDK sends no Payload', async () => {
      const output = await invoke({ FunctionName: 'EchoFunction' });

      expect(payloadJson(output).event).to.deep.equal({});
    });

    it('resolves the logical id, ARNs, name:$LATEST and Qualifier=$LATEST to the same function', async () => {
      const forms: [InvokeCommandInput, string][] = [
        [{ FunctionName: 'EchoFunction' }, ''],
        [{ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:invoke-echo' }, ''],
        [{ FunctionName: '123456789012:function:invoke-echo' }, ''],
        [{ FunctionName: 'invoke-echo:$LATEST' }, ':$LATEST'],
        [{ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:invoke-echo:$LATEST' }, ':$LATEST'],
        [{ FunctionName: 'invoke-echo', Qualifier: '$LATEST' }, ':$LATEST'],
      ];
      for (const [input, suffix] of forms) {
        const output = await invoke({ ...input, Payload: bytes({ form: input.FunctionName }) });

        const result = payloadJson(output);
        expect(result.event, JSON.stringify(input)).to.deep.equal({ form: input.FunctionName });
        // The ARN the function sees names the qualifier when the caller used one.
        expect(result.invokedFunctionArn, JSON.stringify(input)).to.equal(
          `arn:aws:lambda:us-east-1:123456789012:function:invoke-echo${suffix}`,
        );
      }
    });

    it("reports a thrown error as FunctionError 'Unhandled' with the Node.js error document", async () => {
      const output = await invoke({ FunctionName: 'ThrowsFunction' });

      expect(output.StatusCode).to.equal(200);
      expect(output.FunctionError).to.equal('Unhandled');
      expect(output.ExecutedVersion).to.equal('$LATEST');
      const error = payloadJson(output);
      expect(error).to.include({ errorType: 'TypeError', errorMessage: 'boom from the fixture' });
      expect(error.trace).to.be.an('array').that.is.not.empty;
      expectLine(
        log.lines.info,
        /ThrowsFunction RequestResponse Unhandled TypeError: boom from the fixture$/,
      );
    });

    it("reports a timeout as FunctionError 'Unhandled' with the runtime's timeout error", async () => {
      const output = await invoke({ FunctionName: 'SleepsFunction' });

      expect(output.StatusCode).to.equal(200);
      expect(output.FunctionError).to.equal('Unhandled');
      const error = payloadJson(output);
      expect(error.errorType).to.equal('Sandbox.Timedout');
      expect(error.errorMessage).to.equal(
        `RequestId: ${output.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
      );
    });

    it("LogType Tail returns the invocation's log, START to REPORT, base64", async () => {
      const output = await invoke({ FunctionName: 'invoke-echo', LogType: 'Tail', Payload: bytes({ n: 7 }) });

      const tail = Buffer.from(output.LogResult ?? '', 'base64').toString('utf8');
      const id = output.$metadata.requestId;
      expect(tail).to.match(new RegExp(`^START RequestId: ${id} Version: \\$LATEST\\n`));
      expect(tail).to.include(`\t${id}\tINFO\techo handler got {"n":7}\n`);
      expect(tail).to.include(`\nEND RequestId: ${id}\n`);
      expect(tail).to.match(new RegExp(`\\nREPORT RequestId: ${id}\\tDuration: [^\\n]+\\n$`));
    });

    it('LogType Tail keeps only the last 4 KB of a long log', async () => {
      const output = await invoke({ FunctionName: 'ChattyFunction', LogType: 'Tail' });

      const tail = Buffer.from(output.LogResult ?? '', 'base64');
      expect(tail.byteLength).to.be.within(3500, 4096);
      const text = tail.toString('utf8');
      expect(text).not.to.include('START RequestId');
      expect(text).to.include('line 99 ');
      expect(text).to.match(/\nREPORT RequestId: [^\n]+\n$/);
    });

    it('passes a base64 JSON ClientContext to context.clientContext', async () => {
      const clientContext = { custom: { tenant: 'blue' }, env: { locale: 'en-GB' } };

      const output = await invoke({
        FunctionName: 'invoke-echo',
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64'),
      });

      expect(payloadJson(output).clientContext).to.deep.equal(clientContext);
    });
  });

  describe('Event and DryRun', () => {
    it('Event answers 202 at once and runs the function in the background', async () => {
      const file = counterFile();
      const started = performance.now();

      const output = await invoke({
        FunctionName: 'FlakyFunction',
        InvocationType: 'Event',
        Payload: bytes({ counterFile: file, failTimes: 0, delayMs: 400 }),
      });

      expect(performance.now() - started).to.be.below(400);
      expect(output.StatusCode).to.equal(202);
      expect(payloadText(output)).to.equal('');
      expect(attemptTimes(file)).to.have.length(0);
      await service.asyncInvoker.idle();
      expect(attemptTimes(file)).to.have.length(1);
      expect(settled.get(output.$metadata.requestId ?? '')).to.include({ status: 'succeeded', attempts: 1 });
    });

    it("retries a failing Event after Lambda's 1 and 2 minute waits (scaled) until it succeeds", async () => {
      const file = counterFile();

      const output = await invoke({
        FunctionName: 'FlakyFunction',
        InvocationType: 'Event',
        Payload: bytes({ counterFile: file, failTimes: 2 }),
      });
      await service.asyncInvoker.idle();

      const times = attemptTimes(file);
      expect(times).to.have.length(3);
      const [first = 0, second = 0, third = 0] = times;
      expect(second - first).to.be.at.least(60);
      expect(third - second).to.be.at.least(120);
      const requestId = output.$metadata.requestId ?? '';
      expect(settled.get(requestId)).to.include({ status: 'succeeded', attempts: 3, error: undefined });
      expectLine(
        log.lines.warn,
        new RegExp(
          `^FlakyFunction \\(async ${requestId}\\): attempt 1 of 3 failed \\(Error: attempt 1 fails on purpose\\); retrying in 60 s \\(60 ms`,
        ),
      );
      expectLine(log.lines.warn, /attempt 2 of 3 failed .*retrying in 120 s/);
    });

    it("gives up after the function's EventInvokeConfig MaximumRetryAttempts and says where the event would go", async () => {
      const file = counterFile();

      const output = await invoke({
        FunctionName: 'RetriesOnceFunction',
        InvocationType: 'Event',
        Payload: bytes({ counterFile: file, failTimes: 5 }),
      });
      await service.asyncInvoker.idle();

      expect(attemptTimes(file)).to.have.length(2);
      const result = settled.get(output.$metadata.requestId ?? '');
      expect(result).to.include({ status: 'failed', attempts: 2 });
      expect(result?.error).to.include({ errorType: 'Error', errorMessage: 'attempt 2 fails on purpose' });
      expectLine(
        log.lines.error,
        /RetriesOnceFunction \(async .*\): failed after 2 attempts \(Error: attempt 2 fails on purpose\); Lambda would now send its record to arn:aws:sqs:us-east-1:123456789012:failed-events \(SQS, on-failure destination\), not sent locally$/,
      );
    });

    it('accepts a throttled Event and retries it with backoff until it is older than its maximum age', async () => {
      const output = await invoke({
        FunctionName: 'ThrottledFunction',
        InvocationType: 'Event',
        Payload: bytes({ counterFile: counterFile(), failTimes: 0 }),
      });
      await service.asyncInvoker.idle();

      expect(output.StatusCode).to.equal(202);
      const requestId = output.$metadata.requestId ?? '';
      expect(settled.get(requestId)).to.include({ status: 'expired', attempts: 0 });
      const throttles = log.lines.warn.filter((line) => line.includes(requestId));
      // 1 + 2 + 4 + 8 + 16 s of waiting; the next 32 s wait would take the event past its 60 s.
      expect(throttles.map((line) => /retrying in (\d+) s/.exec(line)?.[1])).to.deep.equal([
        '1',
        '2',
        '4',
        '8',
        '16',
      ]);
      expectLine(
        log.lines.error,
        new RegExp(`${requestId}\\): throttled .*past its maximum event age of 60 s`),
      );
    });

    it('DryRun answers 204 without running the function', async () => {
      const file = counterFile();

      const output = await invoke({
        FunctionName: 'FlakyFunction',
        InvocationType: 'DryRun',
        Payload: bytes({ counterFile: file, failTimes: 0 }),
      });

      expect(output.StatusCode).to.equal(204);
      await service.asyncInvoker.idle();
      expect(existsSync(file)).to.equal(false);
    });
  });

  describe('service errors the SDK maps to its exception classes', () => {
    it('an unknown function is a ResourceNotFoundException naming its ARN', async () => {
      const error = await rejection(invoke({ FunctionName: 'NoSuchFunction' }));

      expect(error).to.be.instanceOf(ResourceNotFoundException);
      if (!(error instanceof ResourceNotFoundException)) return;
      expect(error.message).to.equal(
        'Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction',
      );
      expect(error.Type).to.equal('User');
      expect(error.$metadata.httpStatusCode).to.equal(404);
      expect(error.$metadata.requestId).to.match(/^[0-9a-f-]{36}$/);
    });

    it('a version or alias other than $LATEST does not exist locally', async () => {
      const error = await rejection(invoke({ FunctionName: 'invoke-echo', Qualifier: 'prod' }));

      expect(error).to.be.instanceOf(ResourceNotFoundException);
      expect(error).to.have.property(
        'message',
        'Function not found: arn:aws:lambda:us-east-1:123456789012:function:invoke-echo:prod',
      );
    });

    it('a name qualifier that contradicts Qualifier is an InvalidParameterValueException', async () => {
      const error = await rejection(invoke({ FunctionName: 'invoke-echo:$LATEST', Qualifier: 'prod' }));

      expect(error).to.be.instanceOf(InvalidParameterValueException);
      expect(error).to.have.property(
        'message',
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    });

    it('a name outside the API pattern fails validation', async () => {
      const error = await rejection(invoke({ FunctionName: 'not a name!' }));

      expect(error).to.be.instanceOf(LambdaServiceException);
      expect(error).to.have.property('name', 'ValidationException');
      expect(error)
        .to.have.property('message')
        .that.matches(/^1 validation error detected: Value 'not a name!' at 'functionName'/);
    });

    it('a payload that is not JSON is an InvalidRequestContentException', async () => {
      const error = await rejection(
        invoke({ FunctionName: 'invoke-echo', Payload: new TextEncoder().encode('{"a":') }),
      );

      expect(error).to.be.instanceOf(InvalidRequestContentException);
      expect(error)
        .to.have.property('message')
        .that.matches(/^Could not parse request body into json: /);
      expect(error).to.have.nested.property('$metadata.httpStatusCode', 400);
    });

    it('a ClientContext that is not base64 JSON is an InvalidRequestContentException', async () => {
      const error = await rejection(
        invoke({ FunctionName: 'invoke-echo', ClientContext: 'not base64 json' }),
      );

      expect(error).to.be.instanceOf(InvalidRequestContentException);
      expect(error).to.have.property('message', 'Client context must be a valid Base64-encoded JSON object.');
    });

    it('a synchronous payload over 6 MB is a RequestTooLargeException', async () => {
      const big = new TextEncoder().encode(JSON.stringify({ blob: 'x'.repeat(6 * 1024 * 1024) }));

      const error = await rejection(invoke({ FunctionName: 'invoke-echo', Payload: big }));

      expect(error).to.be.instanceOf(RequestTooLargeException);
      expect(error).to.have.property(
        'message',
        `${big.byteLength} byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)`,
      );
      expect(error).to.have.nested.property('$metadata.httpStatusCode', 413);
    });

    it('an Event payload over 1 MB is a RequestTooLargeException', async () => {
      const big = new TextEncoder().encode(JSON.stringify({ blob: 'x'.repeat(1024 * 1024) }));

      const error = await rejection(
        invoke({ FunctionName: 'invoke-echo', InvocationType: 'Event', Payload: big }),
      );

      expect(error).to.be.instanceOf(RequestTooLargeException);
      expect(error).to.have.property('message').that.includes('Event invocation type (limit 1048576 bytes)');
    });

    it('a synchronous call to a function with reserved concurrency 0 is a TooManyRequestsException', async () => {
      const error = await rejection(invoke({ FunctionName: 'ThrottledFunction' }));

      expect(error).to.be.instanceOf(TooManyRequestsException);
      if (!(error instanceof TooManyRequestsException)) return;
      expect(error.message).to.equal('Rate Exceeded.');
      expect(error.Reason).to.equal('ReservedFunctionConcurrentInvocationLimitExceeded');
      expect(error.$metadata.httpStatusCode).to.equal(429);
    });
  });

  describe('the async invoker as schedules use it', () => {
    it('honours a maximumRetryAttempts override', async () => {
      const file = counterFile();

      const { settled: result } = service.asyncInvoker.invokeAsync(
        'FlakyFunction',
        { counterFile: file, failTimes: 5 },
        { maximumRetryAttempts: 0 },
      );

      expect(await result).to.include({ status: 'failed', attempts: 1 });
      expect(attemptTimes(file)).to.have.length(1);
    });

    it("brings an override outside Lambda's 0-2 retries within range, saying so", async () => {
      const file = counterFile();

      const { requestId, settled: result } = service.asyncInvoker.invokeAsync(
        'FlakyFunction',
        { counterFile: file, failTimes: 5 },
        { maximumRetryAttempts: 3 },
      );

      expect(await result).to.include({ status: 'failed', attempts: 3 });
      expectLine(
        log.lines.warn,
        new RegExp(`${requestId}\\): maximumRetryAttempts 3 is outside Lambda's range 0–2; using 2$`),
      );
    });

    it("drops a failed event whose next retry would come after its maximum age, counting Lambda's full waits", async () => {
      const file = counterFile();

      // The first retry comes a (scaled) minute later: past a 60 s maximum age.
      const { settled: result } = service.asyncInvoker.invokeAsync(
        'FlakyFunction',
        { counterFile: file, failTimes: 5 },
        { maximumEventAgeInSeconds: 60 },
      );

      expect(await result).to.include({ status: 'expired', attempts: 1 });
    });

    it('discards an event for a function the template does not have', async () => {
      const { settled: result } = service.asyncInvoker.invokeAsync('NoSuchFunction', {});

      expect(await result).to.include({ status: 'discarded', attempts: 0 });
      expectLine(log.lines.error, /discarded, the template has no function NoSuchFunction/);
    });

    it('close() cancels a retry that is still waiting, with a log line', async () => {
      const ownLog = captureLog();
      const unscaled = await startLambdaService({ app: () => app, host: '127.0.0.1', port: 0, log: ownLog });
      const file = counterFile();
      const { settled: result } = unscaled.asyncInvoker.invokeAsync('FlakyFunction', {
        counterFile: file,
        failTimes: 1,
      });
      while (!ownLog.lines.warn.some((line) => line.includes('retrying in 60 s')))
        await new Promise((resolve) => setTimeout(resolve, 10));

      await unscaled.close();

      expect(await result).to.include({ status: 'cancelled', attempts: 1 });
      expectLine(ownLog.lines.warn, /pending retry cancelled/);
      expect(unscaled.asyncInvoker.pending).to.equal(0);
    });
  });

  describe('what the SDK cannot send, over raw HTTP', () => {
    it('an unknown X-Amz-Invocation-Type fails validation', async () => {
      const response = await request(`${service.url}${INVOKE_PATH}/invoke-echo/invocations`, {
        method: 'POST',
        headers: { 'x-amz-invocation-type': 'Sometime' },
        body: '{}',
      });

      expect(response.status).to.equal(400);
      expect(response.headers['x-amzn-errortype']).to.equal('ValidationException');
      expect(response.json()).to.deep.equal({
        Type: 'User',
        message:
          "1 validation error detected: Value 'Sometime' at 'invocationType' failed to satisfy constraint: " +
          'Member must satisfy enum value set: [Event, RequestResponse, DryRun]',
      });
    });

    it('another method on the invocations path answers 405 with Allow: POST', async () => {
      const response = await request(`${service.url}${INVOKE_PATH}/invoke-echo/invocations`);

      expect(response.status).to.equal(405);
      expect(response.headers.allow).to.equal('POST');
      expect(response.headers['x-amzn-errortype']).to.equal('UnknownOperationException');
      expect(response.headers['x-amzn-requestid']).to.match(/^[0-9a-f-]{36}$/);
    });

    it('any other path is an UnknownOperationException', async () => {
      const response = await request(`${service.url}/2015-03-31/functions/invoke-echo`, { method: 'POST' });

      expect(response.status).to.equal(404);
      expect(response.headers['x-amzn-errortype']).to.equal('UnknownOperationException');
      expect(response.headers['content-type']).to.equal('application/json');
      expect(response.json()).to.have.property('Type', 'User');
    });

    it('decodes a percent-encoded name and qualifier', async () => {
      const response = await request(`${service.url}${INVOKE_PATH}/invoke-echo%3A%24LATEST/invocations`, {
        method: 'POST',
        body: '[1,2]',
      });

      expect(response.status).to.equal(200);
      expect(response.headers['x-amz-executed-version']).to.equal('$LATEST');
      expect(response.json()).to.have.property('event').that.deep.equals([1, 2]);
    });
  });
});
