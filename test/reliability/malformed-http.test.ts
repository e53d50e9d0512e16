import type { Server } from 'node:http';
import { expect } from 'chai';
import { createRouter } from '../../emulator/gateway/router.ts';
import { createGatewayServer } from '../../emulator/gateway/server.ts';
import { createLambdaServer } from '../../emulator/invoke/server.ts';
import { closeServer, listen } from '../../emulator/net.ts';
import { isRecord } from '../../emulator/template/values.ts';
import { captureLog, RELIABILITY_TEMPLATE, startTestApi, type TestApi } from '../support/emulator.ts';
import { request } from '../support/http.ts';
import { type RawExchange, rawExchange } from '../support/raw-http.ts';

const MB = 1024 * 1024;

describe('malformed HTTP over raw sockets', function () {
  this.timeout(30_000);
  let api: TestApi;
  let port: number;
  /** The warm environment of OkFunction, and how many invocations it has served. */
  let warm: { instance: unknown; invocations: number };

  async function okFunction(): Promise<{ instance: unknown; invocations: number }> {
    const response = await request(`${api.url}/v2/ok`);
    expect(response.status).to.equal(200);
    const body = response.json();
    if (!isRecord(body) || typeof body.invocations !== 'number') return expect.fail(response.text());
    return { instance: body.instance, invocations: body.invocations };
  }

  /** The same warm environment answers the next request: nothing crashed, no worker was lost or replaced. */
  async function expectServedWarm(): Promise<void> {
    const now = await okFunction();
    expect(now.instance).to.equal(warm.instance);
    expect(now.invocations).to.equal(warm.invocations + 1);
    warm = now;
    expect(api.log.lines.error, 'emulator errors').to.deep.equal([]);
  }

  /** The JSON body of a raw response, which arrived as UTF-8. */
  function jsonBody(exchange: RawExchange): unknown {
    const bytes = Buffer.from(exchange.response, 'latin1');
    return JSON.parse(bytes.subarray(bytes.indexOf('\r\n\r\n') + 4).toString('utf8'));
  }

  function headersOf(event: unknown): Record<string, unknown> {
    return isRecord(event) && isRecord(event.headers) ? event.headers : {};
  }

  function statusLine(exchange: RawExchange): string {
    return exchange.response.split('\r\n', 1)[0] ?? '';
  }

  before(async () => {
    api = await startTestApi(RELIABILITY_TEMPLATE);
    port = Number(new URL(api.url).port);
    warm = await okFunction();
  });
  after(() => api?.close());

  it('an invalid request line is answered 400 and the connection closed', async () => {
    for (const line of [
      'GARBAGE',
      'GET /v2/ok HTTP/9.9',
      'GET  HTTP/1.1',
      'GET /v2/\x01ok HTTP/1.1',
      'G\u00c9T / HTTP/1.1',
    ]) {
      const exchange = await rawExchange(port, [`${line}\r\nHost: x\r\n\r\n`]);

      expect(statusLine(exchange), JSON.stringify(line)).to.equal('HTTP/1.1 400 Bad Request');
      expect(exchange.closedByServer).to.equal(true);
    }
    await expectServedWarm();
  });

  it('a request without Host, or with both Content-Length and Transfer-Encoding, is answered 400', async () => {
    const noHost = await rawExchange(port, ['GET /v2/ok HTTP/1.1\r\n\r\n']);
    const smuggled = await rawExchange(port, [
      'POST /v2/ok HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]);

    expect([noHost.status, smuggled.status]).to.deep.equal([400, 400]);
    await expectServedWarm();
  });

  it('bad percent-encoding in the path and query reaches the function as sent, on both kinds of API', async () => {
    const rest = await request(`${api.url}/echo/%zz/%E0%A4%A?a=%zz&b=%&c=%E0%A4%A`);
    const http = await request(`${api.url}/v2/echo/%zz?a=%zz&b=%`);
    const unknown = await request(`${api.url}/v2/nowhere%zz`);

    expect([rest.status, http.status, unknown.status]).to.deep.equal([200, 200, 404]);
    expect(rest.json()).to.deep.include({
      pathParameters: { proxy: '%zz/%E0%A4%A' },
      queryStringParameters: { a: '%zz', b: '%', c: '%E0%A4%A' },
    });
    expect(http.json()).to.deep.include({
      rawPath: '/v2/echo/%zz',
      rawQueryString: 'a=%zz&b=%',
      queryStringParameters: { a: '%zz', b: '%' },
      pathParameters: { proxy: '%zz' },
    });
    await expectServedWarm();
  });

  it('non-ASCII bytes in a header value are passed on; in a header name, or as control characters, answered 400', async () => {
    const value = await rawExchange(port, [
      Buffer.concat([
        Buffer.from('GET /v2/echo/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Name: '),
        Buffer.from([0xc3, 0xa9, 0xff]),
        Buffer.from('\r\n\r\n'),
      ]),
    ]);
    const name = await rawExchange(port, [
      Buffer.concat([
        Buffer.from('GET /v2/ok HTTP/1.1\r\nHost: x\r\nX-N'),
        Buffer.from([0xc3, 0xa9]),
        Buffer.from(': y\r\n\r\n'),
      ]),
    ]);
    const control = await rawExchange(port, ['GET /v2/ok HTTP/1.1\r\nHost: x\r\nX-Name: a\x01b\r\n\r\n']);

    expect(value.status).to.equal(200);
    // Node reads header bytes as Latin-1, and the event carries them so.
    expect(headersOf(jsonBody(value))['x-name']).to.equal('Ã©ÿ');
    expect([name.status, control.status]).to.deep.equal([400, 400]);
    await expectServedWarm();
  });

  it('100 KB of headers is answered 431 Request Header Fields Too Large and the connection closed', async () => {
    const headers = Array.from(
      { length: 100 },
      (_, index) => `X-Filler-${index}: ${'a'.repeat(1000)}\r\n`,
    ).join('');
    const exchange = await rawExchange(port, [`GET /v2/ok HTTP/1.1\r\nHost: x\r\n${headers}\r\n`]);

    expect(statusLine(exchange)).to.equal('HTTP/1.1 431 Request Header Fields Too Large');
    expect(exchange.closedByServer).to.equal(true);
    await expectServedWarm();
  });

  it('a 20 MB body is answered 413 as soon as its length is known, and the connection closed', async () => {
    const head = `POST /v2/ok HTTP/1.1\r\nHost: x\r\nContent-Length: ${20 * MB}\r\n\r\n`;
    const exchange = await rawExchange(port, [head, Buffer.alloc(MB, 97)]);

    expect(exchange.status).to.equal(413);
    expect(exchange.response).to.include('HTTP content length exceeded 10485760 bytes.');
    expect(exchange.closedByServer).to.equal(true);
    await expectServedWarm();
  });

  it('a chunked body past 10 MB, whose length is not announced, is answered 413 even while the client keeps sending', async () => {
    const chunk = Buffer.concat([
      Buffer.from(`${MB.toString(16)}\r\n`),
      Buffer.alloc(MB, 98),
      Buffer.from('\r\n'),
    ]);
    // Sent in one burst: a server that closed with the rest unread would reset the connection, 413 and all.
    for (let attempt = 0; attempt < 3; attempt++) {
      const exchange = await rawExchange(
        port,
        [
          'POST /v2/ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
          ...Array(40).fill(chunk),
          '0\r\n\r\n',
        ],
        { timeoutMs: 10_000 },
      );

      expect(exchange.status, `attempt ${attempt + 1}`).to.equal(413);
      expect(exchange.closedByServer).to.equal(true);
    }
    await expectServedWarm();
  });

  it('a client that hangs up halfway through its body is let go without an error, and nothing is invoked', async () => {
    const before = warm.invocations;
    await rawExchange(
      port,
      ['POST /v2/ok HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n', 'only part of it'],
      {
        hangUpAfterWriting: true,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    await expectServedWarm();
    expect(warm.invocations).to.equal(before + 1);
    expect(api.log.lines.info.join('\n')).to.include(
      'POST /v2/ok closed by the client before its body arrived',
    );
  });

  it('a client that hangs up in the middle of a 5 MB response does not disturb the emulator', async () => {
    const exchange = await rawExchange(port, ['GET /v2/big HTTP/1.1\r\nHost: x\r\n\r\n'], {
      hangUpAfterBytes: 64 * 1024,
    });

    expect(exchange.status).to.equal(200);
    expect(exchange.response.length).to.be.below(5_000_000);
    await expectServedWarm();
  });

  it('a client that hangs up while its function runs does not disturb the emulator', async () => {
    await rawExchange(port, ['GET /v2/slow?ms=30 HTTP/1.1\r\nHost: x\r\n\r\n'], { hangUpAfterWriting: true });
    await new Promise((resolve) => setTimeout(resolve, 100));

    await expectServedWarm();
  });

  it('a client that hangs up halfway through an Invoke request is let go without an error', async () => {
    const log = captureLog();
    const server = createLambdaServer({ app: () => api.app(), invokeAsync: () => {}, log });
    const url = await listen(server, '127.0.0.1', 0);
    try {
      await rawExchange(
        Number(new URL(url).port),
        [
          'POST /2015-03-31/functions/OkFunction/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"',
        ],
        { hangUpAfterWriting: true },
      );
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(log.lines.error).to.deep.equal([]);
      expect(log.lines.info.join('\n')).to.include('closed by the client before its body arrived');
    } finally {
      await closeServer(server);
    }
  });

  describe('a slow client (slowloris)', () => {
    it('the API and Invoke servers bound how long a client may take over its headers (30 s) and its request (60 s)', () => {
      const servers: Server[] = [
        createGatewayServer({
          routes: () => expect.fail('not called'),
          invoke: () => expect.fail('not called'),
          log: captureLog(),
        }),
        createLambdaServer({ app: () => api.app(), invokeAsync: () => {}, log: captureLog() }),
      ];
      for (const server of servers) {
        expect(server.headersTimeout).to.be.within(1, 30_000);
        expect(server.requestTimeout).to.be.within(server.headersTimeout, 60_000);
      }
    });

    it('headers trickled in past the headers timeout get 408 and a closed connection, while other clients are served', async () => {
      const app = api.app();
      const server = createGatewayServer({
        routes: () => ({
          router: createRouter(app.model.apis, app.model.routes),
          accountId: app.model.accountId,
        }),
        invoke: (functionId, event) => app.invoke(functionId, { payload: event }),
        log: captureLog(),
      });
      // The same server with its limits scaled down, so that the test takes a second rather than a minute; Node
      // checks them every `connectionsCheckingInterval` ms, read when the server starts listening.
      server.headersTimeout = 400;
      server.requestTimeout = 800;
      Object.assign(server, { connectionsCheckingInterval: 50 });
      const url = await listen(server, '127.0.0.1', 0);
      try {
        const started = performance.now();
        const trickle = Array.from({ length: 40 }, (_, index) => `X-Slow-${index}: y\r\n`);
        const slow = rawExchange(Number(new URL(url).port), ['GET /v2/ok HTTP/1.1\r\n', ...trickle], {
          pauseMs: 100,
          timeoutMs: 5000,
        });
        const meanwhile = await request(`${url}/v2/ok`);
        const exchange = await slow;

        expect(meanwhile.status).to.equal(200);
        expect(statusLine(exchange)).to.equal('HTTP/1.1 408 Request Timeout');
        expect(exchange.closedByServer).to.equal(true);
        expect(performance.now() - started).to.be.below(2000);
      } finally {
        await closeServer(server);
      }
    });
  });
});
