import { expect } from 'chai';
import { toFunctionUrlEvent } from '../../../emulator/function-url/events.ts';
import type { GatewayRequest } from '../../../emulator/gateway/request.ts';
import type { FunctionUrlModel } from '../../../emulator/template/model.ts';

const URL_ID = 'abcdefghijklmnopqrstuvwxyz012345';
const URL: FunctionUrlModel = {
  authType: 'NONE',
  invokeMode: 'BUFFERED',
  cors: undefined,
  urlId: URL_ID,
  url: 'http://127.0.0.1:3100/',
};
const RECEIVED_AT = Date.UTC(2026, 2, 12, 19, 3, 58);

function request(changes: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    rawPath: '/my/path',
    rawQuery: 'parameter1=value1&parameter1=value2&parameter2=value',
    headers: [
      ['Host', '127.0.0.1:3100'],
      ['User-Agent', 'agent'],
      ['Header1', 'value1'],
      ['Cookie', 'cookie1=a; cookie2=b'],
      ['Content-Type', 'text/plain'],
    ],
    body: Buffer.from('Hello from client!'),
    sourceIp: '123.123.123.123',
    receivedAt: RECEIVED_AT,
    ...changes,
  };
}

describe('function URL events (payload format 2.0)', () => {
  it('builds the request payload Lambda documents: $default route and stage, the URL id as api id and domain prefix, account anonymous', () => {
    const event = toFunctionUrlEvent(request(), URL, {
      requestId: 'id',
      region: 'us-west-2',
      caller: undefined,
    });
    expect(event).to.deep.equal({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/path',
      rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
      cookies: ['cookie1=a', 'cookie2=b'],
      headers: {
        'content-type': 'text/plain',
        header1: 'value1',
        host: '127.0.0.1:3100',
        'user-agent': 'agent',
        'x-forwarded-for': '123.123.123.123',
        'x-forwarded-port': '3100',
        'x-forwarded-proto': 'http',
      },
      queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
      requestContext: {
        accountId: 'anonymous',
        apiId: URL_ID,
        domainName: `${URL_ID}.lambda-url.us-west-2.on.aws`,
        domainPrefix: URL_ID,
        http: {
          method: 'POST',
          path: '/my/path',
          protocol: 'HTTP/1.1',
          sourceIp: '123.123.123.123',
          userAgent: 'agent',
        },
        requestId: 'id',
        routeKey: '$default',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: RECEIVED_AT,
      },
      body: 'Hello from client!',
      isBase64Encoded: false,
    });
  });

  it('has no pathParameters and no stageVariables', () => {
    const event = toFunctionUrlEvent(request({ rawPath: '/items/42' }), URL, {
      requestId: 'id',
      region: 'us-east-1',
      caller: undefined,
    });
    expect(event).not.to.have.property('pathParameters');
    expect(event).not.to.have.property('stageVariables');
  });

  it('base64-encodes a binary body and leaves a text body as text, as HTTP APIs do', () => {
    const binary = toFunctionUrlEvent(
      request({ headers: [['Content-Type', 'application/octet-stream']], body: Buffer.from([0, 1, 2, 255]) }),
      URL,
      { requestId: 'id', region: 'us-east-1', caller: undefined },
    );
    expect(binary).to.include({ isBase64Encoded: true, body: 'AAEC/w==' });
    const json = toFunctionUrlEvent(
      request({ headers: [['Content-Type', 'application/json']], body: Buffer.from('{"a":1}') }),
      URL,
      { requestId: 'id', region: 'us-east-1', caller: undefined },
    );
    expect(json).to.include({ isBase64Encoded: false, body: '{"a":1}' });
  });

  it('with AuthType AWS_IAM, names the caller in requestContext.authorizer.iam and its account', () => {
    const event = toFunctionUrlEvent(
      request(),
      { ...URL, authType: 'AWS_IAM' },
      {
        requestId: 'id',
        region: 'us-east-1',
        caller: { accessKey: 'AKIDEXAMPLE', accountId: '111122223333' },
      },
    );
    expect(event.requestContext.accountId).to.equal('111122223333');
    expect(event.requestContext).to.have.deep.property('authorizer', {
      iam: {
        accessKey: 'AKIDEXAMPLE',
        accountId: '111122223333',
        callerId: '111122223333',
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: 'arn:aws:iam::111122223333:root',
        userId: '111122223333',
      },
    });
  });

  it('sends no body and no cookies key when the request has none', () => {
    const event = toFunctionUrlEvent(
      request({ method: 'GET', headers: [], body: Buffer.alloc(0), rawQuery: '' }),
      URL,
      {
        requestId: 'id',
        region: 'us-east-1',
        caller: undefined,
      },
    );
    expect(event).not.to.have.property('body');
    expect(event).not.to.have.property('cookies');
    expect(event).not.to.have.property('queryStringParameters');
  });
});
