import { expect } from 'chai';
import {
  forbidden,
  fromFunctionUrlResult,
  functionFailed,
  readPrelude,
  requestTooLarge,
  signatureRejected,
  streamHead,
} from '../../../emulator/function-url/responses.ts';
import { applyHttpCors, httpPreflight } from '../../../emulator/gateway/cors.ts';
import type { GatewayRequest } from '../../../emulator/gateway/request.ts';
import type { HttpCors } from '../../../emulator/template/model.ts';

const text = (buffer: Buffer) => buffer.toString('utf8');
const NUL8 = Buffer.alloc(8);

describe('function URL responses', () => {
  it('infers the response format: a value without statusCode is a 200 JSON body', () => {
    const response = fromFunctionUrlResult({ hello: 'world' });
    expect(response).to.deep.equal({
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from('{"hello":"world"}'),
    });
  });

  it('honours statusCode, headers, cookies and isBase64Encoded of a structured result', () => {
    const response = fromFunctionUrlResult({
      statusCode: 201,
      headers: { 'content-type': 'text/plain', 'x-a': 1 },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(response).to.deep.equal({
      statusCode: 201,
      headers: [
        ['content-type', 'text/plain'],
        ['x-a', '1'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ],
      body: Buffer.from('hi'),
    });
  });

  it('the errors a client of a function URL gets carry the status, type and body Lambda sends', () => {
    expect(functionFailed().statusCode).to.equal(502);
    expect(text(functionFailed().body)).to.equal('Internal Server Error');
    expect(requestTooLarge().statusCode).to.equal(413);
    expect(JSON.parse(text(requestTooLarge().body))).to.deep.equal({
      Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(forbidden().statusCode).to.equal(403);
    expect(forbidden().headers).to.deep.include(['x-amzn-ErrorType', 'AccessDeniedException']);
    expect(JSON.parse(text(forbidden().body))).to.deep.equal({
      Message:
        'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    });
    const rejected = signatureRejected('InvalidSignatureException', 'nope');
    expect([rejected.statusCode, JSON.parse(text(rejected.body))]).to.deep.equal([403, { message: 'nope' }]);
  });

  it('reads the HttpResponseStream prelude up to its 8 NUL bytes: status, headers and cookies', () => {
    const prelude = JSON.stringify({
      statusCode: 201,
      headers: { 'content-type': 'text/html' },
      cookies: ['c=1'],
    });
    const bytes = Buffer.concat([Buffer.from(prelude), NUL8, Buffer.from('<p>')]);
    expect(readPrelude(bytes)).to.deep.equal({
      head: {
        statusCode: 201,
        headers: [
          ['content-type', 'text/html'],
          ['set-cookie', 'c=1'],
        ],
      },
      rest: Buffer.from('<p>'),
    });
  });

  it('waits for the whole delimiter before reading the prelude', () => {
    const partial = Buffer.concat([Buffer.from('{"statusCode":200}'), Buffer.alloc(5)]);
    expect(readPrelude(partial)).to.equal(undefined);
    expect(readPrelude(Buffer.from('{"statusCode":'))).to.equal(undefined);
  });

  it('a prelude that is not JSON, or has a bad status, is malformed', () => {
    expect(readPrelude(Buffer.concat([Buffer.from('nope'), NUL8]))).to.have.property('malformed');
    expect(readPrelude(Buffer.concat([Buffer.from('{"statusCode":42}'), NUL8]))).to.have.property(
      'malformed',
    );
  });

  it('a stream without a prelude is a 200 with the content type the function set', () => {
    expect(streamHead(undefined, 'text/csv')).to.deep.equal({
      statusCode: 200,
      headers: [['content-type', 'text/csv']],
    });
  });
});

describe('function URL CORS (the HTTP API rules)', () => {
  const cors: HttpCors = {
    kind: 'http',
    allowOrigins: ['https://example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['x-custom'],
    exposeHeaders: ['x-echo'],
    maxAge: 600,
    allowCredentials: false,
  };
  const preflight: GatewayRequest = {
    method: 'OPTIONS',
    rawPath: '/',
    rawQuery: '',
    headers: [
      ['Origin', 'https://example.com'],
      ['Access-Control-Request-Method', 'POST'],
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    receivedAt: 0,
  };

  it('answers a preflight from an allowed origin with the configured methods, headers and max age', () => {
    expect(httpPreflight(preflight, cors).headers).to.deep.equal([
      ['access-control-allow-origin', 'https://example.com'],
      ['access-control-allow-methods', 'GET,POST'],
      ['access-control-allow-headers', 'x-custom'],
      ['access-control-max-age', '600'],
    ]);
  });

  it("replaces the function's own CORS headers with the URL's on a request from an allowed origin", () => {
    const response = applyHttpCors(
      { statusCode: 200, headers: [['access-control-allow-origin', '*']], body: Buffer.alloc(0) },
      { ...preflight, method: 'GET' },
      cors,
    );
    expect(response.headers).to.deep.equal([
      ['access-control-allow-origin', 'https://example.com'],
      ['access-control-expose-headers', 'x-echo'],
    ]);
  });
});
