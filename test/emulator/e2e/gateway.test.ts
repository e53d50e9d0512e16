import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'chai';
import { isRecord } from '../../../emulator/template/values.ts';
import { GATEWAY_TEMPLATE, startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

type Event = APIGatewayProxyEvent & APIGatewayProxyEventV2;

// The echo function sends back exactly the event it received; the assertions check its shape field by field.
function isEvent(value: unknown): value is Event {
  return isRecord(value) && isRecord(value.requestContext) && isRecord(value.headers);
}

/** The event a function received, as the echo function sends it back. */
async function echoed(
  api: TestApi,
  path: string,
  options: Parameters<typeof request>[1] = {},
): Promise<Event> {
  const response = await request(`${api.url}${path}`, options);
  expect(response.status, response.text()).to.equal(200);
  const event = response.json();
  if (!isEvent(event)) throw new Error(`not an API Gateway event: ${response.text()}`);
  return event;
}

describe('the emulated API Gateway over real HTTP', function () {
  this.timeout(20_000);
  let api: TestApi;
  before(async () => {
    api = await startTestApi(GATEWAY_TEMPLATE);
  });
  after(() => api?.close());

  describe('REST API events (payload 1.0)', () => {
    it('carry resource, path without the stage, requestContext.path with /Prod, and {proxy+} parameters', async () => {
      const event = await echoed(api, '/echo/a/b%20c');

      expect(event).to.include({ resource: '/echo/{proxy+}', path: '/echo/a/b%20c', httpMethod: 'GET' });
      expect(event.pathParameters).to.deep.equal({ proxy: 'a/b%20c' });
      expect(event.requestContext).to.include({
        resourcePath: '/echo/{proxy+}',
        path: '/Prod/echo/a/b%20c',
        stage: 'Prod',
        protocol: 'HTTP/1.1',
      });
    });

    it('keep the last value in the single-value query map and every value in the multi-value map', async () => {
      const event = await echoed(api, '/echo/q?x=1&x=2&y=a%20b');

      expect(event.queryStringParameters).to.deep.equal({ x: '2', y: 'a b' });
      expect(event.multiValueQueryStringParameters).to.deep.equal({ x: ['1', '2'], y: ['a b'] });
    });

    it('use null, not {}, for an absent query, path parameters, stage variables and body', async () => {
      const event = await echoed(api, '/items/special');

      expect(event).to.include({
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
      });
    });

    it('prefer a static segment over a {param}', async () => {
      expect((await echoed(api, '/items/special')).resource).to.equal('/items/special');
      expect((await echoed(api, '/items/42')).pathParameters).to.deep.equal({ id: '42' });
    });

    it('carry the request id, times in the documented formats and the TCP peer as sourceIp', async () => {
      const before = Date.now();
      const event = await echoed(api, '/echo/time');

      expect(event.requestContext.requestId).to.match(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(event.requestContext.requestTime).to.match(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
      expect(event.requestContext.requestTimeEpoch).to.be.within(before, Date.now());
      expect(event.requestContext.identity.sourceIp).to.equal('127.0.0.1');
      expect(event.headers).to.have.property('X-Forwarded-For');
    });

    it('pass a text body as is with isBase64Encoded false when the API has no binary media types', async () => {
      const event = await echoed(api, '/echo/post', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: 'plain text',
      });

      expect(event).to.include({ httpMethod: 'POST', body: 'plain text', isBase64Encoded: false });
    });

    it("leave the function's own headers untouched, CORS ones included", async () => {
      const response = await request(`${api.url}/echo/cors`, { headers: { origin: 'https://app.example' } });

      expect(response.headers['access-control-allow-origin']).to.equal('https://from-the-function.example');
      expect(response.headers['x-amzn-requestid']).to.be.a('string');
    });
  });

  describe('HTTP API events (payload 2.0)', () => {
    it('carry routeKey, rawPath, the encoded rawQueryString and comma-joined query values', async () => {
      const event = await echoed(api, '/v2/echo/7?a=1&a=2&b=x%26y');

      expect(event).to.include({ version: '2.0', routeKey: 'GET /v2/echo/{id}', rawPath: '/v2/echo/7' });
      expect(event.rawQueryString).to.equal('a=1&a=2&b=x%26y');
      expect(event.queryStringParameters).to.deep.equal({ a: '1,2', b: 'x&y' });
      expect(event.pathParameters).to.deep.equal({ id: '7' });
    });

    it('lower-case header names, join repeated headers with commas and move cookies out of headers', async () => {
      const event = await echoed(api, '/v2/echo/1', {
        headers: { 'X-Custom': 'one', Cookie: 'a=1; b=2' },
      });

      expect(event.headers).to.include({ 'x-custom': 'one' });
      expect(event.headers).to.not.have.property('cookie');
      expect(event.cookies).to.deep.equal(['a=1', 'b=2']);
    });

    it('omit empty fields instead of sending null', async () => {
      const event = await echoed(api, '/v2/echo/1');

      for (const key of ['queryStringParameters', 'body', 'cookies', 'stageVariables']) {
        expect(event, key).to.not.have.property(key);
      }
    });

    it('carry a 16-character requestId, $default stage and timeEpoch in milliseconds', async () => {
      const event = await echoed(api, '/v2/echo/1');

      expect(event.requestContext.requestId).to.match(/^[A-Za-z0-9+/=]{16}$/);
      expect(event.requestContext.stage).to.equal('$default');
      expect(event.requestContext.timeEpoch).to.be.above(1_700_000_000_000);
      expect(event.requestContext.http).to.include({
        method: 'GET',
        path: '/v2/echo/1',
        sourceIp: '127.0.0.1',
      });
    });

    it('base64-encode a body that is not text, JSON, XML or JavaScript', async () => {
      const json = await echoed(api, '/v1/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"x":1}',
      });
      expect(json).to.include({ version: '1.0', body: '{"x":1}', isBase64Encoded: false });
    });

    it('infer a 200 JSON response when the function returns no statusCode', async () => {
      const response = await request(`${api.url}/v2/infer`);

      expect(response.status).to.equal(200);
      expect(response.headers['content-type']).to.equal('application/json');
      expect(response.json()).to.deep.equal({ routeKey: 'GET /v2/infer', ok: true });
    });

    it("send each of the function's cookies as its own Set-Cookie header", async () => {
      const response = await request(`${api.url}/v2/cookies`);

      expect(response.headers['set-cookie']).to.deep.equal(['a=1; Path=/', 'b=2; HttpOnly']);
    });

    it('decode a base64 body the function marks isBase64Encoded', async () => {
      const response = await request(`${api.url}/v2/binary`);

      expect(response.headers['content-type']).to.equal('image/png');
      expect([...response.body]).to.deep.equal([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    });
  });

  describe('errors API Gateway itself answers', () => {
    it('a route no API has: 404 {"message":"Not Found"} from the HTTP API', async () => {
      const response = await request(`${api.url}/nowhere`);

      expect(response.status).to.equal(404);
      expect(response.text()).to.equal('{"message":"Not Found"}');
    });

    it('a path under the REST stage with no resource: 403 Missing Authentication Token', async () => {
      const response = await request(`${api.url}/Prod/nowhere`);

      expect(response.status).to.equal(403);
      expect(response.headers['x-amzn-errortype']).to.equal('MissingAuthenticationTokenException');
      expect(response.text()).to.equal('{"message":"Missing Authentication Token"}');
    });

    it('a function that throws: REST 502 {"message": "Internal server error"}, nothing of the error leaked', async () => {
      const response = await request(`${api.url}/throws`);

      expect(response.status).to.equal(502);
      expect(response.text()).to.equal('{"message": "Internal server error"}');
      expect(api.log.lines.warn.join('\n')).to.include('boom');
    });

    it('a function that throws: HTTP API 500 {"message":"Internal Server Error"}', async () => {
      const response = await request(`${api.url}/v2/throws`);

      expect(response.status).to.equal(500);
      expect(response.text()).to.equal('{"message":"Internal Server Error"}');
    });

    it('a function that runs past its Timeout: REST 502, and the log says Task timed out', async () => {
      const response = await request(`${api.url}/timeout`);

      expect(response.status).to.equal(502);
      expect(api.log.lines.warn.join('\n')).to.match(/Task timed out after 1\.00 seconds/);
    });

    it('an HTTP API integration slower than TimeoutInMillis: 503 {"message":"Service Unavailable"}', async () => {
      const response = await request(`${api.url}/v2/integration-timeout`);

      expect(response.status).to.equal(503);
      expect(response.text()).to.equal('{"message":"Service Unavailable"}');
    });

    it('a malformed proxy response (object body): REST 502, with the reason in the emulator log', async () => {
      const response = await request(`${api.url}/malformed`);

      expect(response.status).to.equal(502);
      expect(api.log.lines.warn.join('\n')).to.include('malformed Lambda proxy response');
    });

    it('a function that exhausts its memory fails that request only; the next one is served', async () => {
      const response = await request(`${api.url}/oom`);
      expect(response.status).to.equal(502);

      const next = await request(`${api.url}/echo/after-oom`);
      expect(next.status).to.equal(200);
    });

    it('a body over 10 MB: 413 before it is read', async () => {
      const response = await request(`${api.url}/echo/big`, {
        method: 'POST',
        body: Buffer.alloc(10 * 1024 * 1024 + 1, 97),
      });

      expect(response.status).to.equal(413);
      expect(response.text()).to.equal('HTTP content length exceeded 10485760 bytes.');
    });

    it('an event over Lambda\'s 6 MB: 413 {"message": "Request Too Long"}', async () => {
      const response = await request(`${api.url}/echo/big`, {
        method: 'POST',
        body: Buffer.alloc(7 * 1024 * 1024, 97),
      });

      expect(response.status).to.equal(413);
      expect(response.json()).to.deep.equal({ message: 'Request Too Long' });
    });
  });

  describe('CORS, per API', () => {
    it("REST: OPTIONS on an existing path is answered 200 by SAM's mock integration, without the function", async () => {
      const response = await request(`${api.url}/items/42`, { method: 'OPTIONS' });

      expect(response.status).to.equal(200);
      expect(response.text()).to.equal('{}');
      expect(response.headers['access-control-allow-origin']).to.equal('https://app.example');
      expect(response.headers['access-control-allow-methods']).to.equal('GET,OPTIONS');
    });

    it('HTTP API: a preflight from an allowed origin is answered by the gateway with the configuration', async () => {
      const response = await request(`${api.url}/v2/echo/1`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
      });

      expect(response.status).to.equal(204);
      expect(response.headers['access-control-allow-origin']).to.equal('https://app.example');
      expect(response.headers['access-control-max-age']).to.equal('300');
    });

    it("HTTP API: an allowed origin gets the configured header instead of the function's own", async () => {
      const response = await request(`${api.url}/v2/echo/1`, { headers: { origin: 'https://app.example' } });

      expect(response.headers['access-control-allow-origin']).to.equal('https://app.example');
    });

    it('HTTP API: a disallowed origin is served without any CORS header', async () => {
      const response = await request(`${api.url}/v2/echo/1`, { headers: { origin: 'https://evil.example' } });

      expect(response.status).to.equal(200);
      expect(
        Object.keys(response.headers).filter((name) => name.startsWith('access-control-')),
      ).to.deep.equal([]);
    });
  });
});
