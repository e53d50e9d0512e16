import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { closeServer, listen } from '../../../emulator/net.ts';
import { isRecord } from '../../../emulator/template/values.ts';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';

const OPENAPI_TEMPLATE = fileURLToPath(new URL('../../fixtures/openapi/template.yaml', import.meta.url));

interface UpstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP backend on an ephemeral port that records what it receives and answers 201. */
async function startUpstream(): Promise<{ server: Server; url: string; received: UpstreamRequest[] }> {
  const received: UpstreamRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      received.push({
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      outgoing.writeHead(201, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
      outgoing.end('from the backend');
    });
  });
  return { server, url: await listen(server, '127.0.0.1', 0), received };
}

function eventOf(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new Error(`not an event: ${JSON.stringify(body)}`);
  return body;
}

describe('APIs defined by OpenAPI definitions, over real HTTP', function () {
  this.timeout(20_000);
  let api: TestApi;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  before(async () => {
    upstream = await startUpstream();
    api = await startTestApi(OPENAPI_TEMPLATE, { parameterOverrides: { UpstreamUrl: upstream.url } });
  });
  after(async () => {
    await api?.close();
    if (upstream !== undefined) await closeServer(upstream.server);
  });

  it('a REST API defined only by its DefinitionBody answers from the function its aws_proxy uri names, with payload 1.0', async () => {
    const response = await request(`${api.url}/v1/items/7`);

    expect(response.status, response.text()).to.equal(200);
    const event = eventOf(response.json());
    expect(event).to.include({ resource: '/items/{id}', path: '/items/7', httpMethod: 'GET' });
    expect(event.pathParameters).to.deep.equal({ id: '7' });
    expect(event).to.not.have.property('version');
  });

  it("with MergeDefinitions, a function's Api event on a method the DefinitionBody declares without an integration is served", async () => {
    const response = await request(`${api.url}/v1/extra`);

    expect(response.status, response.text()).to.equal(200);
    expect(eventOf(response.json())).to.include({ resource: '/extra' });
  });

  it('an HTTP API whose DefinitionBody is an AWS::Include of a local file answers with its payloadFormatVersion', async () => {
    const response = await request(`${api.url}/things/3`);

    expect(response.status, response.text()).to.equal(200);
    expect(eventOf(response.json())).to.include({ version: '2.0', routeKey: 'GET /things/{id}' });
  });

  it('the HTTP API $default route of the included definition catches other paths, with payload 1.0', async () => {
    const response = await request(`${api.url}/anything/else`, { method: 'POST', body: 'x' });

    expect(response.status, response.text()).to.equal(200);
    expect(eventOf(response.json())).to.include({ version: '1.0', resource: '$default', httpMethod: 'POST' });
  });

  it('a mock integration answers with the default response: its status, static headers and template body', async () => {
    const response = await request(`${api.url}/v1/health`);

    expect({
      status: response.status,
      contentType: response.headers['content-type'],
      mock: response.headers['x-mock'],
      body: response.text(),
    }).to.deep.equal({ status: 200, contentType: 'application/json', mock: 'yes', body: '{"status":"ok"}' });
  });

  it("a mock integration's request template statusCode selects the response whose status regex matches it", async () => {
    const response = await request(`${api.url}/v1/teapot`);

    expect({
      status: response.status,
      type: response.headers['content-type'],
      body: response.text(),
    }).to.deep.equal({
      status: 418,
      type: 'text/plain',
      body: 'I am a teapot',
    });
  });

  it('an http_proxy integration forwards method, path parameters, query, headers and body to its backend and passes the answer back', async () => {
    upstream.received.length = 0;
    const response = await request(`${api.url}/v1/upstream/a/b%20c?x=1&x=2`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', 'x-client': 'c1' },
      body: 'payload',
    });

    expect({
      status: response.status,
      body: response.text(),
      upstream: response.headers['x-upstream'],
    }).to.deep.equal({
      status: 201,
      body: 'from the backend',
      upstream: 'yes',
    });
    expect(response.headers['x-amzn-requestid']).to.be.a('string');
    expect(upstream.received).to.have.length(1);
    const [received] = upstream.received;
    expect(received).to.deep.include({ method: 'PUT', url: '/backend/a/b%20c?x=1&x=2', body: 'payload' });
    expect(received?.headers).to.include({
      'x-client': 'c1',
      'x-static': 'static-value',
      'x-forwarded-for': '127.0.0.1',
      host: upstream.url.slice('http://'.length),
    });
  });

  it('an integration the emulator cannot run answers 500 with a JSON body naming the route and why', async () => {
    const response = await request(`${api.url}/v1/queue`, { method: 'POST', body: '{}' });

    expect(response.status).to.equal(500);
    expect(response.json()).to.deep.include({ route: 'POST /queue', api: 'RestApi' });
    expect(JSON.stringify(response.json())).to.include('sqs');
  });

  it('lists the integrations it cannot run in the start-up route table', () => {
    const table = api.log.lines.info.find((line) => line.startsWith('Serving on'));

    expect(table).to.include('Integrations not emulated (they answer 500 saying why):');
    expect(table).to.match(/POST \/queue \(RestApi\): a non-proxy 'aws' integration with sqs/);
    expect(table).to.match(/GET +\/health +\(mock 200\)/);
  });
});

describe('an included OpenAPI file under --watch', function () {
  this.timeout(30_000);
  let dir: string;
  let api: TestApi;
  const definition = (path: string) => `openapi: 3.0.1
paths:
  ${path}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        payloadFormatVersion: '2.0'
        uri: !GetAtt EchoFunction.Arn
`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openapi-watch-'));
    writeFileSync(
      join(dir, 'template.yaml'),
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: api.yaml}
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs22.x, CodeUri: ., Handler: handlers.echo}
`,
    );
    writeFileSync(join(dir, 'handlers.mjs'), readFileSync(join(dirname(OPENAPI_TEMPLATE), 'handlers.mjs')));
    writeFileSync(join(dir, 'api.yaml'), definition('/first'));
    api = await startTestApi(join(dir, 'template.yaml'), { watch: true });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reloads the template when the included file changes', async () => {
    expect((await request(`${api.url}/first`)).status).to.equal(200);

    writeFileSync(join(dir, 'api.yaml'), definition('/second'));

    await eventually(async () => expect((await request(`${api.url}/second`)).status).to.equal(200));
    expect((await request(`${api.url}/first`)).status).to.equal(404);
  });
});
