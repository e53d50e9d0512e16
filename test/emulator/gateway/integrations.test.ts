import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import {
  forward,
  mockResponse,
  proxyRequest,
  unsupportedResponse,
} from '../../../emulator/gateway/integrations.ts';
import { createRouter } from '../../../emulator/gateway/router.ts';
import { closeServer, listen } from '../../../emulator/net.ts';
import type { ApiModel, HttpProxyIntegration } from '../../../emulator/template/model.ts';
import { apiMap, expectMatch, gatewayRequest, httpApi, restApi, route } from './helpers.ts';

function proxy(overrides: Partial<HttpProxyIntegration> = {}): HttpProxyIntegration {
  return {
    kind: 'http',
    uri: 'http://backend.local/base/{proxy}',
    method: undefined,
    requestParameters: {},
    ...overrides,
  };
}

/** The backend request for `rawPath` on a `/{proxy+}` route of `api`. */
function backendRequest(
  api: ApiModel,
  rawPath: string,
  integration: HttpProxyIntegration,
  overrides: Parameters<typeof gatewayRequest>[0] = {},
) {
  const router = createRouter(apiMap(api), [route(api, 'ANY', '/items/{proxy+}')]);
  const request = gatewayRequest({ rawPath, ...overrides });
  return proxyRequest(request, expectMatch(router.match(request.method, rawPath)), integration);
}

describe('gateway integrations other than Lambda', () => {
  describe('http_proxy backend requests', () => {
    it('REST passes the greedy path parameter still encoded, and the query string as received', () => {
      const target = backendRequest(restApi(), '/items/a/b%20c', proxy(), { rawQuery: 'x=1&x=2' });

      expect(target.url).to.equal('http://backend.local/base/a/b%20c?x=1&x=2');
    });

    it('HTTP APIs encode the decoded path parameter again, segment by segment', () => {
      const target = backendRequest(httpApi(), '/items/a/b%20c', proxy());

      expect(target.url).to.equal('http://backend.local/base/a/b%20c');
    });

    it("sends the request's method unless the integration's httpMethod names another", () => {
      expect(backendRequest(restApi(), '/items/x', proxy(), { method: 'DELETE' }).method).to.equal('DELETE');
      expect(
        backendRequest(restApi(), '/items/x', proxy({ method: 'POST' }), { method: 'DELETE' }).method,
      ).to.equal('POST');
    });

    it('keeps the query of the integration uri before the request query', () => {
      const target = backendRequest(restApi(), '/items/x', proxy({ uri: 'http://b.local/{proxy}?key=k' }), {
        rawQuery: 'q=1',
      });

      expect(target.url).to.equal('http://b.local/x?key=k&q=1');
    });

    it('REST requestParameters map path, query and header values and static literals into the backend request', () => {
      const target = backendRequest(
        restApi(),
        '/items/42',
        proxy({
          uri: 'http://b.local/things/{thing}',
          requestParameters: {
            'integration.request.path.thing': 'method.request.path.proxy',
            'integration.request.querystring.source': 'method.request.header.X-Source',
            'integration.request.header.X-Api-Key': "'secret'",
          },
        }),
        { headers: [['X-Source', 'web']] },
      );

      expect(target.url).to.equal('http://b.local/things/42?source=web');
      expect(target.headers).to.deep.include(['X-Api-Key', 'secret']);
    });

    it('drops hop-by-hop headers and Host, and appends the client to X-Forwarded-For', () => {
      const target = backendRequest(restApi(), '/items/x', proxy(), {
        headers: [
          ['Host', 'localhost:3000'],
          ['Connection', 'keep-alive'],
          ['Transfer-Encoding', 'chunked'],
          ['X-Forwarded-For', '203.0.113.7'],
          ['Accept', 'text/plain'],
        ],
      });

      expect(target.headers).to.deep.equal([
        ['Accept', 'text/plain'],
        ['X-Forwarded-For', '203.0.113.7, 127.0.0.1'],
      ]);
    });
  });

  it('a mock integration answers with exactly its configured status, headers and body', () => {
    const response = mockResponse({
      kind: 'mock',
      statusCode: 202,
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Mock', 'yes'],
      ],
      body: '{"ok":true}',
    });

    expect({ ...response, body: response.body.toString() }).to.deep.equal({
      statusCode: 202,
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Mock', 'yes'],
      ],
      body: '{"ok":true}',
    });
  });

  it('an unsupported integration answers 500 with a JSON body naming the route, its API and the reason', () => {
    const response = unsupportedResponse(route(restApi(), 'POST', '/queue'), 'SQS is not emulated');

    expect(response.statusCode).to.equal(500);
    expect(JSON.parse(response.body.toString())).to.deep.equal({
      message: 'Internal server error: this integration is not emulated',
      route: 'POST /queue',
      api: 'ServerlessRestApi',
      reason: 'SQS is not emulated',
    });
  });
});

describe('gateway http_proxy forwarding over a real socket', () => {
  let server: Server;
  let url: string;
  before(async () => {
    // Answers /slow never, and everything else at once.
    server = createServer((incoming, outgoing) => {
      if (incoming.url === '/slow') return;
      outgoing.writeHead(200, { connection: 'keep-alive', 'x-backend': 'b' });
      outgoing.end('ok');
    });
    url = await listen(server, '127.0.0.1', 0);
  });
  after(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  it("passes the backend's status, headers without hop-by-hop ones, and body back", async () => {
    const outcome = await forward({ url: `${url}/fast`, method: 'GET', headers: [] }, Buffer.alloc(0), 2000);

    if (typeof outcome === 'string') return expect.fail(`expected a response, got ${outcome}`);
    expect(outcome.statusCode).to.equal(200);
    expect(outcome.headers.map(([name]) => name.toLowerCase()))
      .to.include('x-backend')
      .and.not.include('connection');
    expect(outcome.body.toString()).to.equal('ok');
  });

  it('gives up after the integration timeout', async () => {
    const started = performance.now();
    const outcome = await forward({ url: `${url}/slow`, method: 'GET', headers: [] }, Buffer.alloc(0), 100);

    expect(outcome).to.equal('timeout');
    expect(performance.now() - started).to.be.below(1000);
  });

  it('reports a backend that cannot be reached as failed', async () => {
    const closed = createServer();
    const closedUrl = await listen(closed, '127.0.0.1', 0);
    await closeServer(closed);

    expect(
      await forward({ url: `${closedUrl}/`, method: 'GET', headers: [] }, Buffer.alloc(0), 2000),
    ).to.equal('failed');
  });
});
