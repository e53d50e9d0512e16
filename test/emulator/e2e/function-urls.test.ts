import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamCommandOutput,
  LambdaClient,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { NO_ENV_VARS } from '../../../emulator/config.ts';
import { type RunningEmulator, startEmulator } from '../../../emulator/start.ts';
import { captureLog } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { signRequest } from '../../support/sigv4.ts';
import { eventually } from '../../support/wait.ts';

const TEMPLATE = fileURLToPath(new URL('../../fixtures/function-urls/template.yaml', import.meta.url));
const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

/** Chunks as they arrived, each with its time since the request was sent; for time-to-first-byte asserts. */
interface TimedResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly chunks: { readonly text: string; readonly atMs: number }[];
  readonly endedAtMs: number;
  /** The response ended without its terminating chunk (the server cut the connection). */
  readonly aborted: boolean;
}

function timedGet(url: string): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    const outgoing = httpRequest(url, { agent: false }, (response) => {
      const chunks: { text: string; atMs: number }[] = [];
      let aborted = false;
      const done = () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          chunks,
          endedAtMs: performance.now() - sent,
          aborted,
        });
      response.on('data', (chunk: Buffer) =>
        chunks.push({ text: chunk.toString(), atMs: performance.now() - sent }),
      );
      response.on('aborted', () => {
        aborted = true;
      });
      response.on('error', () => {
        aborted = true;
      });
      response.on('close', done);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('end to end: function URLs', function () {
  this.timeout(20000);
  let emulator: RunningEmulator;
  const log = captureLog();
  const urlOf = (functionId: string): string => {
    const url = emulator.functionUrls().get(functionId);
    if (url === undefined) return expect.fail(`${functionId} has no function URL`);
    return url;
  };

  before(async () => {
    emulator = await startEmulator({
      templatePath: TEMPLATE,
      parameterOverrides: {},
      envVars: NO_ENV_VARS,
      watch: false,
      host: '127.0.0.1',
      apiPort: 0,
      lambdaPort: 0,
      functionUrlPort: 0,
      credentials: CREDENTIALS,
      log,
    });
  });

  after(() => emulator.close());

  it('serves each function URL on its own port and prints them in a Function URLs block', () => {
    const ports = new Set([...emulator.functionUrls().values()].map((url) => new URL(url).port));
    expect(ports.size).to.equal(emulator.functionUrls().size);
    const block = log.lines.info.find((line) => line.startsWith('Function URLs:'));
    expect(block).to.contain(`EchoFunction`);
    expect(block).to.contain(urlOf('StreamFunction'));
    expect(block).to.match(/StreamFunction\s+NONE\s+RESPONSE_STREAM/);
  });

  it('a BUFFERED URL gets the 2.0 event with query, cookies and body, and sends back status, headers and cookies', async () => {
    const response = await request(`${urlOf('EchoFunction')}orders/7?size=2&size=3&x=%20y`, {
      method: 'POST',
      headers: { cookie: 'a=1; b=2', 'content-type': 'application/json' },
      body: '{"item":"tea"}',
    });
    expect(response.status).to.equal(200);
    expect(response.headers['x-echo']).to.equal('yes');
    expect(response.headers['set-cookie']).to.deep.equal(['session=abc; Path=/', 'theme=dark']);
    expect(response.headers['x-amzn-requestid']).to.match(/^[0-9a-f-]{36}$/);
    const event = JSON.parse(response.text());
    expect(event).to.deep.include({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/orders/7',
      rawQueryString: 'size=2&size=3&x=%20y',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { size: '2,3', x: ' y' },
      body: '{"item":"tea"}',
      isBase64Encoded: false,
    });
    expect(event.requestContext).to.deep.include({
      accountId: 'anonymous',
      routeKey: '$default',
      stage: '$default',
    });
    expect(event.requestContext.domainName).to.match(/^[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws$/);
    expect(event.requestContext.requestId).to.equal(response.headers['x-amzn-requestid']);
    expect(event).not.to.have.property('pathParameters');
  });

  it('infers a 2.0 result without statusCode as a 200 JSON body', async () => {
    const response = await request(urlOf('InferredFunction'));
    expect([response.status, response.headers['content-type'], response.json()]).to.deep.equal([
      200,
      'application/json',
      { hello: 'world' },
    ]);
  });

  it('a function error, a timeout and a malformed result each answer 502 Internal Server Error', async () => {
    for (const functionId of ['ThrowsFunction', 'SlowFunction', 'MalformedFunction']) {
      const response = await request(urlOf(functionId));
      expect([functionId, response.status, response.text()]).to.deep.equal([
        functionId,
        502,
        'Internal Server Error',
      ]);
    }
  });

  it('a function with reserved concurrency 0 is throttled: 429 TooManyRequestsException', async () => {
    const response = await request(urlOf('ThrottledFunction'));
    expect(response.status).to.equal(429);
    expect(response.headers['x-amzn-errortype']).to.equal('TooManyRequestsException');
  });

  it('answers a CORS preflight itself and puts the URL CORS headers on responses to allowed origins', async () => {
    const preflight = await request(urlOf('EchoFunction'), {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers).to.include({
      'access-control-allow-origin': 'https://example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'x-custom',
      'access-control-max-age': '600',
    });
    const response = await request(urlOf('EchoFunction'), { headers: { origin: 'https://example.com' } });
    expect(response.headers).to.include({
      'access-control-allow-origin': 'https://example.com',
      'access-control-expose-headers': 'x-echo',
    });
    const other = await request(urlOf('EchoFunction'), { headers: { origin: 'https://evil.example' } });
    expect(other.headers).not.to.have.property('access-control-allow-origin');
  });

  it('AWS_IAM: a request signed with the emulator credentials is served, with the caller in authorizer.iam', async () => {
    const url = `${urlOf('IamFunction')}secure?q=1`;
    const signed = await signRequest(url, { credentials: CREDENTIALS, region: 'us-east-1' });
    const response = await request(url, { headers: signed.headers });
    expect(response.status).to.equal(200);
    const event = JSON.parse(response.text());
    expect(event.requestContext.authorizer.iam).to.include({
      accessKey: 'AKIDLOCAL',
      accountId: '123456789012',
    });
  });

  it('AWS_IAM: an unsigned request is refused with 403 and the Forbidden body Lambda sends', async () => {
    const response = await request(urlOf('IamFunction'));
    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-errortype']).to.equal('AccessDeniedException');
    expect(response.json())
      .to.have.property('Message')
      .that.matches(/^Forbidden\. For troubleshooting Function URL/);
  });

  it('AWS_IAM: a request signed with the wrong secret key is refused with 403 InvalidSignatureException', async () => {
    const url = urlOf('IamFunction');
    const signed = await signRequest(url, {
      credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' },
      region: 'us-east-1',
    });
    const response = await request(url, { headers: signed.headers });
    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-errortype']).to.equal('InvalidSignatureException');
    expect(response.json())
      .to.have.property('message')
      .that.matches(/^The request signature we calculated/);
  });

  it("!GetAtt <Fn>Url.FunctionUrl reaches a function's environment and the Outputs with the real port, trailing slash included", async () => {
    const response = await request(urlOf('SelfUrlFunction'));
    expect(response.json()).to.deep.equal({
      selfUrl: urlOf('SelfUrlFunction'),
      otherUrl: urlOf('EchoFunction'),
    });
    expect(urlOf('SelfUrlFunction')).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new URL(urlOf('SelfUrlFunction')).port).not.to.equal('0');
    expect(emulator.app().model.outputs?.get('EchoUrl')).to.equal(urlOf('EchoFunction'));
  });

  it('RESPONSE_STREAM: the first bytes arrive before the function has finished, with the head from HttpResponseStream.from', async () => {
    const pauseMs = 600;
    const response = await timedGet(`${urlOf('StreamFunction')}?wait=${pauseMs}`);
    expect(response.status).to.equal(201);
    expect(response.headers).to.include({ 'content-type': 'text/plain', 'x-streamed': 'yes' });
    expect(response.headers['set-cookie']).to.deep.equal(['streamed=1']);
    expect(response.headers['transfer-encoding']).to.equal('chunked');
    expect(response.chunks.map((chunk) => chunk.text).join('')).to.equal('first,second');
    const first = response.chunks[0];
    if (first === undefined) return expect.fail('no chunk arrived');
    expect(first.text).to.equal('first,');
    // The first chunk comes well before the end, which waits for the function's own pause (half of it is the
    // margin for a loaded machine, where this process may not run for a while).
    expect(response.endedAtMs - first.atMs).to.be.greaterThan(pauseMs / 2);
    expect(response.aborted).to.equal(false);
  });

  it('RESPONSE_STREAM without a prelude: 200 with the content type the function set', async () => {
    const response = await request(urlOf('PlainStreamFunction'));
    expect([response.status, response.headers['content-type'], response.text()]).to.deep.equal([
      200,
      'text/csv',
      'a,b\n{"json":true}',
    ]);
  });

  it('RESPONSE_STREAM: an error mid-stream cuts the response after the chunks already sent', async () => {
    const response = await timedGet(urlOf('StreamErrorFunction'));
    expect(response.status).to.equal(200);
    expect(response.chunks.map((chunk) => chunk.text).join('')).to.equal('partial');
    expect(response.aborted).to.equal(true);
  });

  it('RESPONSE_STREAM with a handler that does not stream: its result by the 2.0 rules', async () => {
    const response = await request(`${urlOf('EchoBehindStreamFunction')}?a=1`);
    expect(response.status).to.equal(200);
    expect(response.headers['x-echo']).to.equal('yes');
    expect(response.headers['set-cookie']).to.deep.equal(['session=abc; Path=/', 'theme=dark']);
    expect(JSON.parse(response.text())).to.have.property('rawQueryString', 'a=1');
  });

  it('RESPONSE_STREAM: an error before the first write answers 502 Internal Server Error', async () => {
    const response = await request(urlOf('StreamFailsAtOnceFunction'));
    expect([response.status, response.text()]).to.deep.equal([502, 'Internal Server Error']);
  });

  it('a streaming function behind a BUFFERED URL answers as a whole: its bytes as the result', async () => {
    const response = await request(urlOf('BufferedStreamFunction'));
    expect([response.status, response.json()]).to.deep.equal([200, { streamed: true }]);
    expect(response.headers['transfer-encoding']).to.equal(undefined);
  });

  it('an HttpResponseStream behind a BUFFERED URL is no 2.0 result: 200 without content, as users report', async () => {
    const response = await request(`${urlOf('PreludeBufferedFunction')}?wait=0`);
    expect([response.status, response.text()]).to.deep.equal([200, '']);
  });

  it('a streaming function behind an API Gateway route: JSON bytes are its result, a prelude is an integration error', async () => {
    const apiUrl = emulator.apiUrl ?? '';
    const json = await request(`${apiUrl}/streamed-json`);
    expect([json.status, json.json()]).to.deep.equal([200, { streamed: true }]);
    const prelude = await request(`${apiUrl}/streamed?wait=0`);
    expect(prelude.status).to.equal(500);
  });

  it('a request body beyond 6 MB is refused with 413', async () => {
    const response = await request(urlOf('EchoFunction'), {
      method: 'POST',
      body: Buffer.alloc(6 * 1024 * 1024 + 1, 97),
    });
    expect(response.status).to.equal(413);
  });

  describe('InvokeWithResponseStream, through @aws-sdk/client-lambda', () => {
    let client: LambdaClient;
    before(() => {
      client = new LambdaClient({
        endpoint: emulator.lambdaUrl,
        region: 'us-east-1',
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
    });
    after(() => client.destroy());

    /** Every event of the stream, with the time it arrived since the call was made. */
    async function events(output: InvokeWithResponseStreamCommandOutput, sent: number) {
      const received: { kind: string; text: string; atMs: number; complete?: Record<string, unknown> }[] = [];
      for await (const event of output.EventStream ?? []) {
        const atMs = performance.now() - sent;
        if (event.PayloadChunk !== undefined) {
          received.push({
            kind: 'chunk',
            text: Buffer.from(event.PayloadChunk.Payload ?? []).toString('latin1'),
            atMs,
          });
        } else if (event.InvokeComplete !== undefined) {
          received.push({ kind: 'complete', text: '', atMs, complete: { ...event.InvokeComplete } });
        }
      }
      return received;
    }

    it('a streaming function: PayloadChunk events as the function writes, then InvokeComplete with the log tail', async () => {
      const sent = performance.now();
      const output = await client.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'StreamFunction',
          Payload: JSON.stringify({ wait: 600 }),
          LogType: 'Tail',
        }),
      );
      expect(output.StatusCode).to.equal(200);
      expect(output.ExecutedVersion).to.equal('$LATEST');
      const received = await events(output, sent);
      const chunks = received.filter((event) => event.kind === 'chunk');
      expect(chunks.map((chunk) => chunk.text).join('')).to.match(
        /^\{"statusCode":201,.*\}\0{8}first,second$/,
      );
      const first = chunks.find((chunk) => chunk.text.includes('first,'));
      const complete = received.at(-1);
      expect(complete?.kind).to.equal('complete');
      expect((complete?.atMs ?? 0) - (first?.atMs ?? 0)).to.be.greaterThan(300);
      expect(complete?.complete).to.not.have.property('ErrorCode');
      const logTail = Buffer.from(String(complete?.complete?.LogResult), 'base64').toString();
      expect(logTail).to.match(/REPORT RequestId: /);
    });

    it('a function that does not stream: its whole result as one PayloadChunk, then InvokeComplete', async () => {
      const output = await client.send(
        new InvokeWithResponseStreamCommand({ FunctionName: 'InferredFunction' }),
      );
      const received = await events(output, performance.now());
      expect(received.map(({ kind, text }) => [kind, text])).to.deep.equal([
        ['chunk', '{"hello":"world"}'],
        ['complete', ''],
      ]);
    });

    it('an error mid-stream: the chunks already written, then InvokeComplete with ErrorCode and ErrorDetails', async () => {
      const output = await client.send(
        new InvokeWithResponseStreamCommand({ FunctionName: 'StreamErrorFunction' }),
      );
      const received = await events(output, performance.now());
      expect(received.map(({ kind, text }) => [kind, text])).to.deep.equal([
        ['chunk', 'partial'],
        ['complete', ''],
      ]);
      expect(received[1]?.complete).to.deep.include({
        ErrorCode: 'Error',
        ErrorDetails: 'mid-stream failure',
      });
    });

    it('a throttled function is an ordinary TooManyRequestsException before any stream', async () => {
      const error = await client
        .send(new InvokeWithResponseStreamCommand({ FunctionName: 'ThrottledFunction' }))
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      expect(error).to.be.instanceOf(TooManyRequestsException);
    });

    it('an unknown function is an ordinary ResourceNotFoundException before any stream', async () => {
      const error = await client
        .send(new InvokeWithResponseStreamCommand({ FunctionName: 'NoSuchFunction' }))
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      expect(error).to.have.property('name', 'ResourceNotFoundException');
    });
  });
});

const RELOAD_TEMPLATE = (functions: string) => `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: .
    Runtime: nodejs22.x
    Handler: handler.handler
    FunctionUrlConfig:
      AuthType: NONE
Resources:
${functions}`;

const reloadFunction = (id: string, other: string | undefined) => `  ${id}:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          SELF_URL: !GetAtt ${id}Url.FunctionUrl
${other === undefined ? '' : `          OTHER_URL: !GetAtt ${other}Url.FunctionUrl\n`}`;

describe('end to end: function URLs across a template reload', function () {
  this.timeout(30000);
  let dir: string;
  let emulator: RunningEmulator;
  const urlOf = (functionId: string) => emulator.functionUrls().get(functionId) ?? '';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'function-url-reload-'));
    writeFileSync(path.join(dir, 'template.yaml'), RELOAD_TEMPLATE(reloadFunction('First', undefined)));
    writeFileSync(
      path.join(dir, 'handler.mjs'),
      'export const handler = async () => ({ selfUrl: process.env.SELF_URL, otherUrl: process.env.OTHER_URL ?? null });\n',
    );
    emulator = await startEmulator({
      templatePath: path.join(dir, 'template.yaml'),
      parameterOverrides: {},
      envVars: NO_ENV_VARS,
      watch: true,
      host: '127.0.0.1',
      apiPort: 0,
      functionUrlPort: 0,
      log: captureLog(),
    });
  });
  after(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a function that gains a URL on reload gets its own port, and every environment sees the real ports', async () => {
    const firstUrl = urlOf('First');
    expect((await request(firstUrl)).json()).to.deep.equal({ selfUrl: firstUrl, otherUrl: null });

    writeFileSync(
      path.join(dir, 'template.yaml'),
      RELOAD_TEMPLATE(reloadFunction('First', 'Second') + reloadFunction('Second', 'First')),
    );
    await eventually(async () => expect(emulator.functionUrls().has('Second')).to.equal(true));
    await eventually(async () =>
      expect((await request(urlOf('Second'))).json()).to.deep.equal({
        selfUrl: urlOf('Second'),
        otherUrl: firstUrl,
      }),
    );
    expect(urlOf('First')).to.equal(firstUrl);
    expect((await request(firstUrl)).json()).to.deep.equal({ selfUrl: firstUrl, otherUrl: urlOf('Second') });
  });
});
