/**
 * The project's functions in their deployed shape, driven only through `@aws-sdk/client-lambda`. Which Lambda
 * answers is chosen by the environment:
 *
 * - Nothing set (what CI runs): the suite loads template.yaml in-process, serves it on the emulator's Lambda
 *   endpoint on 127.0.0.1, and points the functions at a fake Binance on 127.0.0.1 (`BINANCE_API_URL` through
 *   the env vars file mechanism), so every assertion is exact.
 * - `LAMBDA_ENDPOINT=http://127.0.0.1:3001`: an endpoint that is already running, `sam local start-lambda` or
 *   this emulator's. Functions are called by logical id. Their Binance is whatever they were configured with, so
 *   prices are checked for shape and the tests that need a failing Binance are skipped, unless
 *   `BINANCE_API_URL` (e.g. `http://127.0.0.1:4010`) says where they look: the suite then serves its fake
 *   Binance on that port of 127.0.0.1. A target without `LogType: Tail` (sam local answers 501) skips that test.
 * - `STACK_NAME=<stack>`, with AWS credentials and region in the usual environment variables or profile: the
 *   deployed stack. Function names are read from its outputs (`GetPriceFunctionName`, `MultiplyFunctionName`,
 *   `PriceTickerFunctionName`) with `@aws-sdk/client-cloudformation`, which this project does not depend on:
 *   install it for the run (`npm i --no-save @aws-sdk/client-cloudformation`), otherwise the suite is skipped
 *   saying so. Prices come from the real Binance and are checked for shape.
 */
import { readFileSync } from 'node:fs';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { App } from '../../emulator/app.ts';
import { parseEnvVars } from '../../emulator/config.ts';
import { startLambdaService } from '../../emulator/invoke/server.ts';
import { isRecord, isString } from '../../functions/shared/guards.ts';
import { captureLog, PROJECT_TEMPLATE } from '../support/emulator.ts';
import { FAKE_PRICES, type FakeBinance, startFakeBinance } from '../support/fake-binance.ts';

interface FunctionNames {
  readonly getPrice: string;
  readonly multiply: string;
  readonly priceTicker: string;
}

interface Target {
  /** Which of the three modes, for the suite's title. */
  readonly description: string;
  readonly client: LambdaClient;
  readonly names: FunctionNames;
  /** Present when the functions call a Binance this suite controls. */
  readonly binance: FakeBinance | undefined;
  close(): Promise<void>;
}

const LOGICAL_IDS: FunctionNames = {
  getPrice: 'GetPriceFunction',
  multiply: 'MultiplyFunction',
  priceTicker: 'PriceTickerFunction',
};
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const DECIMAL = /^\d+(\.\d+)?$/;

/** Marks the running test (or, from a hook, the suite) as skipped and says why on stderr. */
function skip(context: Mocha.Context, reason: string): never {
  process.stderr.write(`      skipped: ${reason}\n`);
  context.skip();
}

function eventFile(name: string): Uint8Array {
  return readFileSync(new URL(`../../events/${name}`, import.meta.url));
}

function payloadOf(output: InvokeCommandOutput): unknown {
  return JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8'));
}

/** The API Gateway proxy result a function returned, with its body parsed. */
function proxyResult(output: InvokeCommandOutput): { statusCode: unknown; headers: unknown; body: unknown } {
  const result = payloadOf(output);
  if (!isRecord(result) || !isString(result.body))
    throw new Error(`not a proxy result: ${JSON.stringify(result)}`);
  return { statusCode: result.statusCode, headers: result.headers, body: JSON.parse(result.body) };
}

async function inProcessTarget(): Promise<Target> {
  const binance = await startFakeBinance();
  const log = captureLog();
  const envVars = parseEnvVars(JSON.stringify({ Parameters: { BINANCE_API_URL: binance.url } }), 'env.json');
  const app = await App.load({
    templatePath: PROJECT_TEMPLATE,
    parameterOverrides: {},
    envVars,
    watch: false,
    log,
  });
  const service = await startLambdaService({ app: () => app, host: '127.0.0.1', port: 0, log });
  const client = new LambdaClient({
    endpoint: service.url,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    description: `the emulator in-process (${service.url})`,
    client,
    names: LOGICAL_IDS,
    binance,
    async close() {
      client.destroy();
      await service.close();
      await app.close();
      await binance.close();
    },
  };
}

async function endpointTarget(endpoint: string, binanceUrl: string | undefined): Promise<Target> {
  const client = new LambdaClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  // The functions look for Binance where they were configured to: serve the fake one on that port.
  const binance =
    binanceUrl === undefined
      ? undefined
      : await startFakeBinance({ port: Number(new URL(binanceUrl).port || 80) });
  return {
    description: `${endpoint}${binanceUrl === undefined ? '' : `, its functions calling Binance at ${binanceUrl}`}`,
    client,
    names: LOGICAL_IDS,
    binance,
    async close() {
      client.destroy();
      await binance?.close();
    },
  };
}

type Sender = { send(command: unknown): Promise<unknown> };
type SenderConstructor = new (config: Record<string, unknown>) => unknown;
type CommandConstructor = new (input: Record<string, unknown>) => unknown;

function isConstructor(value: unknown): value is SenderConstructor & CommandConstructor {
  return typeof value === 'function';
}

function isSender(value: unknown): value is Sender {
  return isRecord(value) && typeof value.send === 'function';
}

/** The stack's function names from its outputs, or why they cannot be read. */
async function stackFunctionNames(stackName: string): Promise<FunctionNames | string> {
  // Not a dependency of the project: a variable specifier keeps the type checker from requiring it.
  const specifier = '@aws-sdk/client-cloudformation';
  let sdk: unknown;
  try {
    sdk = await import(specifier);
  } catch {
    return `STACK_NAME is set but ${specifier} is not installed: run npm i --no-save ${specifier} first`;
  }
  if (!isRecord(sdk) || !isConstructor(sdk.CloudFormationClient) || !isConstructor(sdk.DescribeStacksCommand))
    return `${specifier} does not export CloudFormationClient and DescribeStacksCommand`;
  const cloudFormation = new sdk.CloudFormationClient({});
  if (!isSender(cloudFormation)) return 'CloudFormationClient has no send()';
  const described = await cloudFormation.send(new sdk.DescribeStacksCommand({ StackName: stackName }));
  const stack = isRecord(described) && Array.isArray(described.Stacks) ? described.Stacks[0] : undefined;
  const outputs = new Map<string, string>();
  if (isRecord(stack) && Array.isArray(stack.Outputs)) {
    for (const output of stack.Outputs)
      if (isRecord(output) && isString(output.OutputKey) && isString(output.OutputValue))
        outputs.set(output.OutputKey, output.OutputValue);
  }
  const getPrice = outputs.get('GetPriceFunctionName');
  const multiply = outputs.get('MultiplyFunctionName');
  const priceTicker = outputs.get('PriceTickerFunctionName');
  if (getPrice === undefined || multiply === undefined || priceTicker === undefined)
    return `stack ${stackName} lacks the outputs GetPriceFunctionName, MultiplyFunctionName, PriceTickerFunctionName`;
  return { getPrice, multiply, priceTicker };
}

async function deployedTarget(stackName: string): Promise<Target | string> {
  const names = await stackFunctionNames(stackName);
  if (typeof names === 'string') return names;
  const client = new LambdaClient({});
  return {
    description: `the deployed stack ${stackName}`,
    client,
    names,
    binance: undefined,
    async close() {
      client.destroy();
    },
  };
}

async function chooseTarget(): Promise<Target | string> {
  const { LAMBDA_ENDPOINT, STACK_NAME, BINANCE_API_URL } = process.env;
  if (LAMBDA_ENDPOINT) return endpointTarget(LAMBDA_ENDPOINT, BINANCE_API_URL || undefined);
  if (STACK_NAME) return deployedTarget(STACK_NAME);
  return inProcessTarget();
}

describe('the functions in their deployed shape, through @aws-sdk/client-lambda', function () {
  // The in-process mode builds the three functions first; a deployed stack may cold-start.
  this.timeout(30_000);
  let target: Target;

  before(async function () {
    const chosen = await chooseTarget();
    if (typeof chosen === 'string') skip(this, chosen);
    target = chosen;
    process.stderr.write(`      target: ${target.description}\n`);
  });
  after(() => target?.close());
  afterEach(() => target?.binance?.respondWith(undefined));

  const invoke = (functionName: string, payload: Uint8Array, extra: { LogType?: 'Tail' } = {}) =>
    target.client.send(new InvokeCommand({ FunctionName: functionName, Payload: payload, ...extra }));

  it('MultiplyFunction answers events/multiply.json (HTTP API 2.0) with {"result":36}', async () => {
    const output = await invoke(target.names.multiply, eventFile('multiply.json'));

    expect(output.StatusCode).to.equal(200);
    expect(output.FunctionError).to.equal(undefined);
    const result = proxyResult(output);
    expect(result.statusCode).to.equal(200);
    expect(result.body).to.deep.equal({ result: 36 });
  });

  it('MultiplyFunction answers events/multiply-invalid.json with a 400 response, not a function error', async () => {
    const output = await invoke(target.names.multiply, eventFile('multiply-invalid.json'));

    expect(output.FunctionError).to.equal(undefined);
    const result = proxyResult(output);
    expect(result.statusCode).to.equal(400);
    expect(result.body).to.deep.equal({ error: 'One or both of the values are not a number' });
  });

  it('GetPriceFunction answers events/get-price.json (REST API 1.0) with the BTCUSDT price', async () => {
    const before = target.binance?.requests.length ?? 0;

    const output = await invoke(target.names.getPrice, eventFile('get-price.json'));

    expect(output.FunctionError, JSON.stringify(payloadOf(output))).to.equal(undefined);
    const result = proxyResult(output);
    expect(result.statusCode).to.equal(200);
    expect(result.body).to.have.property('symbol', 'BTCUSDT');
    expect(result.body).to.have.property('price').that.matches(DECIMAL);
    if (target.binance !== undefined) {
      expect(result.body).to.deep.equal({ symbol: 'BTCUSDT', price: FAKE_PRICES.BTCUSDT });
      expect(target.binance.requests.slice(before)).to.deep.equal(['/api/v3/ticker/price?symbol=BTCUSDT']);
    }
  });

  it('PriceTickerFunction answers events/price-ticker.json (its schedule) with {prices:[…]}', async () => {
    const output = await invoke(target.names.priceTicker, eventFile('price-ticker.json'));

    expect(output.FunctionError, JSON.stringify(payloadOf(output))).to.equal(undefined);
    const result = payloadOf(output);
    if (!isRecord(result) || !Array.isArray(result.prices))
      throw new Error(`no prices: ${JSON.stringify(result)}`);
    expect(result.prices).to.have.length.above(0);
    for (const price of result.prices) {
      expect(price).to.have.property('symbol').that.is.a('string');
      expect(price).to.have.property('price').that.matches(DECIMAL);
    }
    if (target.binance !== undefined)
      expect(result.prices).to.deep.equal([{ symbol: 'BTCUSDT', price: FAKE_PRICES.BTCUSDT }]);
  });

  it("PriceTickerFunction fails with FunctionError 'Unhandled' when Binance answers 500", async function () {
    const binance = target.binance;
    if (binance === undefined) skip(this, 'needs a Binance this suite controls (see the top of this file)');
    binance.respondWith((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"code":-1000,"msg":"An unknown error occurred while processing the request."}');
    });

    const output = await invoke(target.names.priceTicker, eventFile('price-ticker.json'));

    expect(output.StatusCode).to.equal(200);
    expect(output.FunctionError).to.equal('Unhandled');
    expect(payloadOf(output)).to.include({
      errorType: 'HttpError',
      errorMessage: 'Binance failed (HTTP 500)',
    });
  });

  it("LogType Tail returns the invocation's JSON log records, platform.start to platform.report", async function () {
    let output: InvokeCommandOutput;
    try {
      output = await invoke(target.names.multiply, eventFile('multiply.json'), { LogType: 'Tail' });
    } catch (error) {
      if (isRecord(error) && isRecord(error.$metadata) && error.$metadata.httpStatusCode === 501)
        skip(this, 'the target does not implement LogType Tail (sam local start-lambda answers 501)');
      throw error;
    }

    const tail = Buffer.from(output.LogResult ?? '', 'base64').toString('utf8');
    expect(Buffer.byteLength(tail)).to.be.within(1, 4096);
    const records = tail
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line): unknown => JSON.parse(line));
    const types = records.map((record) => (isRecord(record) ? record.type : undefined));
    expect(types).to.include('platform.start');
    expect(types).to.include('platform.report');
    const requestId = output.$metadata.requestId;
    const report = records.find((record) => isRecord(record) && record.type === 'platform.report');
    if (requestId !== undefined) expect(report).to.have.nested.property('record.requestId', requestId);
  });
});
