import { expect } from 'chai';
import {
  fromV1Result,
  fromV2Result,
  type GatewayResponse,
  isMalformed,
  type MalformedResponse,
  withRequestId,
} from '../../../emulator/gateway/responses.ts';
import { gatewayRequest } from './helpers.ts';

const plainRequest = gatewayRequest();

function ok(result: GatewayResponse | MalformedResponse): GatewayResponse {
  if (isMalformed(result)) throw new Error(`expected a response, got malformed: ${result.malformed}`);
  return result;
}

function malformed(result: GatewayResponse | MalformedResponse): string {
  if (!isMalformed(result)) throw new Error(`expected a malformed result, got status ${result.statusCode}`);
  return result.malformed;
}

function rest(result: unknown, request = plainRequest, binaryMediaTypes: readonly string[] = []) {
  return fromV1Result(result, 'rest', request, binaryMediaTypes);
}

function http1(result: unknown) {
  return fromV1Result(result, 'http', plainRequest, []);
}

describe('gateway responses, payload format 1.0', () => {
  it('v1: statusCode, headers and body become the HTTP response', () => {
    expect(rest({ statusCode: 201, headers: { 'Content-Type': 'text/plain' }, body: 'made' })).to.deep.equal({
      statusCode: 201,
      headers: [['Content-Type', 'text/plain']],
      body: Buffer.from('made'),
    });
  });

  it('v1: a result that is not an object is malformed', () => {
    for (const result of ['hello', 42, null, undefined, [1]]) {
      expect(malformed(rest(result))).to.match(/not an object/);
      expect(malformed(http1(result))).to.match(/not an object/);
    }
  });

  it('REST: an unknown top-level key makes the response malformed', () => {
    expect(malformed(rest({ statusCode: 200, body: '', cookies: ['a=1'] }))).to.equal(
      'unexpected key "cookies" in a REST proxy response',
    );
  });

  it('HTTP API 1.0: unknown top-level keys are ignored', () => {
    expect(ok(http1({ statusCode: 200, body: 'x', extra: { a: 1 } })).statusCode).to.equal(200);
  });

  it('v1: statusCode must be an integer from 200 to 599 (a 1xx cannot end a response); a three-digit string counts as the number', () => {
    for (const statusCode of [99, 100, 101, 199, '103', 600, 200.5, 'abc', '2000', true, {}]) {
      expect(malformed(rest({ statusCode, body: '' })), String(statusCode)).to.match(/is not 200-599/);
    }
    expect(ok(rest({ statusCode: '404', body: '' })).statusCode).to.equal(404);
  });

  it('REST: a missing statusCode is 200, as SAM CLI does', () => {
    expect(ok(rest({ body: 'hi' })).statusCode).to.equal(200);
  });

  it('HTTP API 1.0: a missing statusCode is malformed, as SAM CLI does', () => {
    expect(malformed(http1({ body: 'hi' }))).to.equal('statusCode is missing');
  });

  it('v1: a body that is not a string is malformed, even on HTTP APIs', () => {
    expect(malformed(rest({ statusCode: 200, body: { a: 1 } }))).to.match(
      /body is an object; it must be a string/,
    );
    expect(malformed(http1({ statusCode: 200, body: 42 }))).to.match(/body is number 42/);
  });

  it('v1: a missing or null body is an empty body', () => {
    expect(ok(rest({ statusCode: 204 })).body).to.deep.equal(Buffer.alloc(0));
    expect(ok(rest({ statusCode: 204, body: null })).body).to.deep.equal(Buffer.alloc(0));
  });

  it('v1: headers and multiValueHeaders are merged; for the same name only the multiValueHeaders values survive', () => {
    const response = ok(
      rest({
        statusCode: 200,
        headers: { 'X-One': 'single', 'set-cookie': 'lost=1', 'Content-Type': 'text/plain' },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
        body: '',
      }),
    );
    expect(response.headers).to.deep.equal([
      ['X-One', 'single'],
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });

  it('v1: number and boolean header values are sent as text; null ones are left out', () => {
    const response = ok(
      rest({
        statusCode: 200,
        headers: { 'X-Count': 3, 'X-Flag': false, 'X-None': null, 'Content-Type': 'text/plain' },
        multiValueHeaders: { 'X-Many': [1, true] },
      }),
    );
    expect(response.headers).to.deep.equal([
      ['X-Count', '3'],
      ['X-Flag', 'false'],
      ['Content-Type', 'text/plain'],
      ['X-Many', '1'],
      ['X-Many', 'true'],
    ]);
  });

  it('v1: headers that HTTP cannot carry make the response malformed instead of crashing the server', () => {
    expect(malformed(rest({ statusCode: 200, headers: { 'X-Bad': 'a\r\nInjected: 1' } }))).to.match(
      /characters HTTP cannot carry/,
    );
    expect(malformed(rest({ statusCode: 200, headers: { 'Bad Name': 'x' } }))).to.match(
      /not a valid HTTP token/,
    );
    expect(malformed(rest({ statusCode: 200, headers: { 'X-Obj': { a: 1 } } }))).to.match(
      /not a string, number/,
    );
    expect(malformed(rest({ statusCode: 200, headers: ['x'] }))).to.equal('headers is not an object');
    expect(malformed(rest({ statusCode: 200, multiValueHeaders: { A: 'x' } }))).to.match(/is not an array/);
  });

  it('v1: Content-Type defaults to application/json when the function gives none', () => {
    expect(ok(rest({ statusCode: 200, body: '{}' })).headers).to.deep.equal([
      ['Content-Type', 'application/json'],
    ]);
    expect(ok(rest({ statusCode: 200, headers: { 'content-type': 'text/html' } })).headers).to.deep.equal([
      ['content-type', 'text/html'],
    ]);
  });

  it('v1: CORS headers a REST function returns are passed through as they are, and none are added', () => {
    const headers = { 'Access-Control-Allow-Origin': 'https://app.example', 'Content-Type': 'text/plain' };
    expect(ok(rest({ statusCode: 200, headers, body: '' })).headers).to.deep.equal(Object.entries(headers));
  });

  it('REST: an isBase64Encoded body is decoded when the first Accept type matches binaryMediaTypes', () => {
    const accepting = gatewayRequest({ headers: [['Accept', 'image/png, text/html;q=0.8']] });
    const result = {
      statusCode: 200,
      headers: { 'Content-Type': 'image/png' },
      body: 'AP8B',
      isBase64Encoded: true,
    };
    expect(ok(rest(result, accepting, ['image/*'])).body).to.deep.equal(Buffer.from([0, 255, 1]));
    expect(ok(rest(result, plainRequest, ['*/*'])).body).to.deep.equal(Buffer.from([0, 255, 1]));
  });

  it('REST: otherwise the base64 text itself is the body', () => {
    const result = { statusCode: 200, body: 'AP8B', isBase64Encoded: true };
    const onlyLaterAccept = gatewayRequest({ headers: [['Accept', 'text/html, image/png']] });
    expect(ok(rest(result, onlyLaterAccept, ['image/png'])).body).to.deep.equal(Buffer.from('AP8B'));
    expect(ok(rest(result, plainRequest, [])).body).to.deep.equal(Buffer.from('AP8B'));
  });

  it('REST: the legacy base64Encoded key is honoured like isBase64Encoded', () => {
    const result = { statusCode: 200, body: 'AP8B', base64Encoded: true };
    expect(ok(rest(result, plainRequest, ['*/*'])).body).to.deep.equal(Buffer.from([0, 255, 1]));
  });

  it('HTTP API 1.0: an isBase64Encoded body is always decoded, with no media-type negotiation', () => {
    expect(ok(http1({ statusCode: 200, body: 'AP8B', isBase64Encoded: true })).body).to.deep.equal(
      Buffer.from([0, 255, 1]),
    );
  });

  it('v1: isBase64Encoded must be a boolean', () => {
    expect(malformed(rest({ statusCode: 200, body: 'AP8B', isBase64Encoded: 'true' }))).to.match(
      /not a boolean/,
    );
  });
});

describe('gateway responses, payload format 2.0', () => {
  it('v2: a string result is the body as is, with 200 and application/json', () => {
    expect(fromV2Result('Hello from Lambda!')).to.deep.equal({
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from('Hello from Lambda!'),
    });
  });

  it('v2: an object without statusCode is sent as its JSON text, with 200 and application/json', () => {
    expect(fromV2Result({ message: 'Hello from Lambda!' })).to.deep.equal({
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from('{"message":"Hello from Lambda!"}'),
    });
  });

  it('v2: numbers, booleans, arrays, null and undefined are inferred the same way', () => {
    const cases: [unknown, string][] = [
      [42, '42'],
      [false, 'false'],
      [[1, 'a'], '[1,"a"]'],
      [null, 'null'],
      [undefined, 'null'],
    ];
    for (const [result, body] of cases) expect(ok(fromV2Result(result)).body.toString(), body).to.equal(body);
  });

  it('v2: a result with a statusCode key is structured: status, headers and body as given', () => {
    expect(
      fromV2Result({
        statusCode: 418,
        headers: { 'x-tea': 'pot', 'Content-Type': 'text/plain' },
        body: 'no',
      }),
    ).to.deep.equal({
      statusCode: 418,
      headers: [
        ['x-tea', 'pot'],
        ['Content-Type', 'text/plain'],
      ],
      body: Buffer.from('no'),
    });
  });

  it('v2: a structured result without a content-type gets application/json', () => {
    expect(ok(fromV2Result({ statusCode: 200, body: '{}' })).headers).to.deep.equal([
      ['content-type', 'application/json'],
    ]);
  });

  it('v2: each cookie becomes its own Set-Cookie header, on top of any set-cookie in headers', () => {
    const response = ok(
      fromV2Result({
        statusCode: 200,
        headers: { 'set-cookie': 'h=0', 'content-type': 'text/plain' },
        cookies: ['a=1; Path=/', 'b=2'],
      }),
    );
    expect(response.headers).to.deep.equal([
      ['set-cookie', 'h=0'],
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2'],
    ]);
  });

  it('v2: isBase64Encoded is honoured without media-type negotiation', () => {
    expect(ok(fromV2Result({ statusCode: 200, body: 'AP8B', isBase64Encoded: true })).body).to.deep.equal(
      Buffer.from([0, 255, 1]),
    );
  });

  it('v2: a structured body that is not a string is malformed', () => {
    expect(malformed(fromV2Result({ statusCode: 200, body: { a: 1 } }))).to.match(/body is an object/);
  });

  it('v2: a structured statusCode outside 200-599 is malformed', () => {
    expect(malformed(fromV2Result({ statusCode: null }))).to.equal('statusCode null is not 200-599');
    expect(malformed(fromV2Result({ statusCode: 700 }))).to.equal('statusCode number 700 is not 200-599');
    expect(malformed(fromV2Result({ statusCode: 100 }))).to.equal('statusCode number 100 is not 200-599');
  });

  it('v2: cookies must be an array of strings', () => {
    expect(malformed(fromV2Result({ statusCode: 200, cookies: 'a=1' }))).to.equal('cookies is not an array');
    expect(malformed(fromV2Result({ statusCode: 200, cookies: [1] }))).to.match(
      /cookie number 1 is not a string/,
    );
  });

  it('v2: a result JSON cannot carry is malformed', () => {
    expect(malformed(fromV2Result({ big: 1n }))).to.match(/cannot be written as JSON/);
  });
});

describe('gateway request-id headers', () => {
  const response: GatewayResponse = {
    statusCode: 200,
    headers: [['content-type', 'text/plain']],
    body: Buffer.alloc(0),
  };

  it('REST responses carry x-amzn-RequestId, and x-amz-apigw-id when the extended id is given', () => {
    expect(withRequestId(response, 'rest', 'uuid-1', 'ext=').headers).to.deep.equal([
      ['content-type', 'text/plain'],
      ['x-amzn-RequestId', 'uuid-1'],
      ['x-amz-apigw-id', 'ext='],
    ]);
    expect(withRequestId(response, 'rest', 'uuid-1').headers.at(-1)).to.deep.equal([
      'x-amzn-RequestId',
      'uuid-1',
    ]);
  });

  it('HTTP API responses carry apigw-requestid', () => {
    expect(withRequestId(response, 'http', 'ZhNHJhhLjoEEPiw=').headers).to.deep.equal([
      ['content-type', 'text/plain'],
      ['apigw-requestid', 'ZhNHJhhLjoEEPiw='],
    ]);
  });
});
