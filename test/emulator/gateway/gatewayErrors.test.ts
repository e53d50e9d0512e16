import { expect } from 'chai';
import {
  integrationError,
  integrationTimeout,
  invokePayloadTooLarge,
  invokeRefused,
  MAX_INVOKE_PAYLOAD_BYTES,
  MAX_REQUEST_BYTES,
  missingAuthenticationToken,
  notFound,
  requestTooLarge,
  routeMissResponse,
  throttled,
} from '../../../emulator/gateway/gatewayErrors.ts';

const restJson = ['Content-Type', 'application/json'];
const httpJson = ['content-type', 'application/json'];

describe('gateway error responses', () => {
  it('REST unknown resource or method: 403 {"message":"Missing Authentication Token"}, compact, 42 bytes', () => {
    const response = missingAuthenticationToken();
    expect(response).to.deep.equal({
      statusCode: 403,
      headers: [restJson, ['x-amzn-ErrorType', 'MissingAuthenticationTokenException']],
      body: Buffer.from('{"message":"Missing Authentication Token"}'),
    });
    expect(response.body.length).to.equal(42);
  });

  it('HTTP API without a matching route: 404 {"message":"Not Found"}', () => {
    expect(notFound()).to.deep.equal({
      statusCode: 404,
      headers: [httpJson],
      body: Buffer.from('{"message":"Not Found"}'),
    });
  });

  it('a route miss is answered by the kind of API the router names', () => {
    expect(routeMissResponse('rest')).to.deep.equal(missingAuthenticationToken());
    expect(routeMissResponse('http')).to.deep.equal(notFound());
  });

  it('REST function error or malformed result: 502 {"message": "Internal server error"}, InternalServerErrorException', () => {
    expect(integrationError('rest')).to.deep.equal({
      statusCode: 502,
      headers: [restJson, ['x-amzn-ErrorType', 'InternalServerErrorException']],
      body: Buffer.from('{"message": "Internal server error"}'),
    });
  });

  it('HTTP API function error or malformed result: 500 {"message":"Internal Server Error"}', () => {
    expect(integrationError('http')).to.deep.equal({
      statusCode: 500,
      headers: [httpJson],
      body: Buffer.from('{"message":"Internal Server Error"}'),
    });
  });

  it('a refused invoke is 500 on both kinds', () => {
    expect([invokeRefused('rest').statusCode, invokeRefused('http').statusCode]).to.deep.equal([500, 500]);
    expect(invokeRefused('rest').body.toString()).to.equal('{"message": "Internal server error"}');
  });

  it('integration timeout: REST 504 {"message": "Endpoint request timed out"}, HTTP API 503 Service Unavailable', () => {
    expect(integrationTimeout('rest')).to.deep.equal({
      statusCode: 504,
      headers: [restJson],
      body: Buffer.from('{"message": "Endpoint request timed out"}'),
    });
    expect(integrationTimeout('http')).to.deep.equal({
      statusCode: 503,
      headers: [httpJson],
      body: Buffer.from('{"message":"Service Unavailable"}'),
    });
  });

  it('a request over 10 MB: 413 with the plain-text body AWS sends', () => {
    expect(MAX_REQUEST_BYTES).to.equal(10485760);
    expect(requestTooLarge()).to.deep.equal({
      statusCode: 413,
      headers: [['Content-Type', 'text; charset=utf-8']],
      body: Buffer.from('HTTP content length exceeded 10485760 bytes.'),
    });
  });

  it('an event over the 6 MB invoke limit: REST 413 {"message": "Request Too Long"}, BadRequestException', () => {
    expect(MAX_INVOKE_PAYLOAD_BYTES).to.equal(6291456);
    expect(invokePayloadTooLarge('rest')).to.deep.equal({
      statusCode: 413,
      headers: [restJson, ['x-amzn-ErrorType', 'BadRequestException']],
      body: Buffer.from('{"message": "Request Too Long"}'),
    });
    expect(invokePayloadTooLarge('http').statusCode).to.equal(413);
  });

  it('throttled: 429 Too Many Requests', () => {
    expect(throttled('rest')).to.deep.equal({
      statusCode: 429,
      headers: [restJson, ['x-amzn-ErrorType', 'TooManyRequestsException']],
      body: Buffer.from('{"message":"Too Many Requests"}'),
    });
    expect(throttled('http')).to.deep.equal({
      statusCode: 429,
      headers: [httpJson],
      body: Buffer.from('{"message":"Too Many Requests"}'),
    });
  });
});
