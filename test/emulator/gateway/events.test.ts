import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'chai';
import {
  type EventContext,
  newExtendedRequestId,
  newRequestIdV1,
  newRequestIdV2,
  type ProxyEventV1,
  toV1Event,
  toV2Event,
} from '../../../emulator/gateway/events.ts';
import type { GatewayRequest } from '../../../emulator/gateway/request.ts';
import { createRouter } from '../../../emulator/gateway/router.ts';
import type { ApiModel, RouteModel } from '../../../emulator/template/model.ts';
import {
  apiMap,
  expectMatch,
  gatewayRequest,
  httpApi,
  readCaptured,
  restApi,
  route,
  shapeOf,
} from './helpers.ts';

const restContext: EventContext = {
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  extendedRequestId: 'JJbxmplHYosFVYQ=',
  apiId: 'abc123',
  accountId: '123456789012',
  domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
};

const httpContext: EventContext = {
  requestId: 'ZhNHJhhLjoEEPiw=',
  extendedRequestId: 'ZhNHJhhLjoEEPiw=',
  apiId: 'r3pmxmplak',
  accountId: '123456789012',
  domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
};

function v1Event(
  request: GatewayRequest,
  api: ApiModel = restApi(),
  routes?: RouteModel[],
  context: EventContext = restContext,
): ProxyEventV1 {
  const router = createRouter(
    apiMap(api),
    routes ?? [route(api, 'ANY', '/{proxy+}'), route(api, 'ANY', '/')],
  );
  return toV1Event(request, expectMatch(router.match(request.method, request.rawPath)), context);
}

function v2Event(
  request: GatewayRequest,
  api: ApiModel = httpApi(),
  routes?: RouteModel[],
): APIGatewayProxyEventV2 {
  const router = createRouter(apiMap(api), routes ?? [route(api, 'ANY', '$default')]);
  return toV2Event(request, expectMatch(router.match(request.method, request.rawPath)), httpContext);
}

describe('gateway events, payload format 1.0', () => {
  it('v1: matches the captured REST event (rest-v1-no-auth.json) key for key, in AWS order', () => {
    const captured = readCaptured('rest-v1-no-auth.json');
    const api = restApi({ stageName: 'prod' });
    // Sent in an order of our own: AWS sorts header names, case-insensitively.
    const request = gatewayRequest({
      method: 'POST',
      rawPath: '/prod/no-auth',
      headers: [
        ['User-Agent', 'HTTPie/3.2.2'],
        ['Host', 'puhdx84jy9.execute-api.eu-west-1.amazonaws.com'],
        ['Accept-Encoding', 'gzip, deflate'],
        ['Accept', '*/*'],
        ['X-Forwarded-For', '15.248.3.126'],
        ['X-Amzn-Trace-Id', 'Root=1-66704cad-0fbaf1491365339d168b2a7d'],
        ['CloudFront-Viewer-Country', 'GB'],
        ['CloudFront-Forwarded-Proto', 'https'],
        ['CloudFront-Is-Desktop-Viewer', 'true'],
        ['CloudFront-Is-Mobile-Viewer', 'false'],
        ['CloudFront-Is-SmartTV-Viewer', 'false'],
        ['CloudFront-Is-Tablet-Viewer', 'false'],
        ['CloudFront-Viewer-ASN', '7224'],
        ['Via', '1.1 49c0c4776e390b983c9f9f5365e3140c.cloudfront.net (CloudFront)'],
        ['X-Amz-Cf-Id', 'x9VncJ8IMo4X5UQEL8-Xg94vWwwuokofx236RgW1CrFCTh9DnPrgJA=='],
      ],
      sourceIp: '130.176.209.21',
      receivedAt: 1718635693506,
    });
    const event = v1Event(request, api, [route(api, 'POST', '/no-auth')], {
      requestId: 'f88e38e3-2060-4a56-93c0-9efbc6a659a0',
      extendedRequestId: 'ZhDrKF5dDoEEHfA=',
      apiId: 'puhdx84jy9',
      accountId: '123456789012',
      domainName: 'puhdx84jy9.execute-api.eu-west-1.amazonaws.com',
    });

    expect(shapeOf(event)).to.deep.equal(shapeOf(captured));
    expect(Object.keys(event.headers ?? {})).to.deep.equal(Object.keys(readHeaders(captured)));
    // What differs from the capture: the emulator is plain HTTP on the Host's port, its ids are its own, and
    // it sees the CloudFront hop as the TCP peer.
    const expected = structuredClone(captured);
    setPath(expected, ['headers', 'X-Forwarded-Port'], '80');
    setPath(expected, ['headers', 'X-Forwarded-Proto'], 'http');
    setPath(expected, ['multiValueHeaders', 'X-Forwarded-Port'], ['80']);
    setPath(expected, ['multiValueHeaders', 'X-Forwarded-Proto'], ['http']);
    setPath(expected, ['requestContext', 'identity', 'sourceIp'], '130.176.209.21');
    setPath(expected, ['requestContext', 'resourceId'], event.requestContext.resourceId);
    setPath(expected, ['requestContext', 'deploymentId'], readDeploymentId(event));
    expect(event).to.deep.equal(expected);
  });

  it('v1: queryStringParameters and multiValueQueryStringParameters are null, not {}, without a query string', () => {
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/items' }));
    expect(event.queryStringParameters).to.equal(null);
    expect(event.multiValueQueryStringParameters).to.equal(null);
    expect(v1Event(gatewayRequest({ rawPath: '/Prod/items', rawQuery: '&' })).queryStringParameters).to.equal(
      null,
    );
  });

  it('v1: a repeated query key gives its last value in the single map and every value in the multi map', () => {
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/items', rawQuery: 'x=1&x=2&x=3&y=' }));
    expect(event.queryStringParameters).to.deep.equal({ x: '3', y: '' });
    expect(event.multiValueQueryStringParameters).to.deep.equal({ x: ['1', '2', '3'], y: [''] });
  });

  it('v1: query keys and values are decoded, + as a space, a key without = as ""', () => {
    const rawQuery =
      'literalPlus=a+b&encodedPlus=a%2Bb&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&flag&sp%61ce=1';
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/items', rawQuery }));
    expect(event.queryStringParameters).to.deep.equal({
      literalPlus: 'a b',
      encodedPlus: 'a+b',
      redirect: 'https://example.com/a/b',
      flag: '',
      space: '1',
    });
  });

  it('v1: the maps are plain objects, and keys such as __proto__ or toString are ordinary keys', () => {
    const event = v1Event(
      gatewayRequest({
        rawPath: '/Prod/items',
        rawQuery: '__proto__=1&toString=2&toString=3',
        headers: [['constructor', 'x']],
      }),
    );
    expect(Object.getPrototypeOf(event.headers)).to.equal(Object.prototype);
    expect(Object.entries(event.queryStringParameters ?? {})).to.deep.equal([
      ['__proto__', '1'],
      ['toString', '3'],
    ]);
    expect(Object.entries(event.multiValueQueryStringParameters ?? {})).to.deep.equal([
      ['__proto__', ['1']],
      ['toString', ['2', '3']],
    ]);
    expect(Object.hasOwn(event.headers ?? {}, 'constructor')).to.equal(true);
  });

  it('v1: pathParameters and stageVariables are null when there are none', () => {
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/' }));
    expect(event.resource).to.equal('/');
    expect(event.pathParameters).to.equal(null);
    expect(event.stageVariables).to.equal(null);
  });

  it('v1: pathParameters holds {name} values and the {proxy+} value under "proxy"', () => {
    const api = restApi();
    const routes = [route(api, 'GET', '/items/{id}/{proxy+}')];
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/items/7/a/b' }), api, routes);
    expect(event.pathParameters).to.deep.equal({ id: '7', proxy: 'a/b' });
  });

  it("v1: stageVariables carries the stage's variables", () => {
    const api = restApi({ stageVariables: { table: 'prices' } });
    expect(v1Event(gatewayRequest({ rawPath: '/Prod/items' }), api).stageVariables).to.deep.equal({
      table: 'prices',
    });
  });

  it('v1: a repeated header gives its last value in headers and all values in multiValueHeaders', () => {
    const event = v1Event(
      gatewayRequest({
        rawPath: '/Prod/items',
        headers: [
          ['Host', 'localhost:3000'],
          ['header-double', 'first'],
          ['header-double', 'second'],
        ],
      }),
    );
    expect(event.headers?.['header-double']).to.equal('second');
    expect(event.multiValueHeaders?.['header-double']).to.deep.equal(['first', 'second']);
  });

  it('v1: header names keep the case they were received in, and REST orders them case-insensitively', () => {
    const event = v1Event(
      gatewayRequest({
        rawPath: '/Prod/items',
        headers: [
          ['User-Agent', 'curl/8.0'],
          ['accept', '*/*'],
          ['Host', 'localhost:3000'],
          ['cookie', 'a=1'],
        ],
      }),
    );
    expect(Object.keys(event.headers ?? {})).to.deep.equal([
      'accept',
      'cookie',
      'Host',
      'User-Agent',
      'X-Forwarded-For',
      'X-Forwarded-Port',
      'X-Forwarded-Proto',
    ]);
  });

  it('v1: a header repeated in another case is one entry, named as first received', () => {
    const event = v1Event(
      gatewayRequest({
        rawPath: '/Prod/items',
        headers: [
          ['X-Trace', 'one'],
          ['x-trace', 'two'],
        ],
      }),
    );
    expect(event.multiValueHeaders?.['X-Trace']).to.deep.equal(['one', 'two']);
    expect(event.headers).to.not.have.property('x-trace');
  });

  it('v1: X-Forwarded-For gets the TCP peer appended; X-Forwarded-Port and X-Forwarded-Proto are added', () => {
    const event = v1Event(
      gatewayRequest({
        rawPath: '/Prod/items',
        headers: [
          ['Host', 'localhost:3000'],
          ['X-Forwarded-For', '203.0.113.7'],
          ['X-Forwarded-Proto', 'https'],
        ],
        sourceIp: '10.0.0.2',
      }),
    );
    expect(event.multiValueHeaders).to.deep.equal({
      Host: ['localhost:3000'],
      'X-Forwarded-For': ['203.0.113.7, 10.0.0.2'],
      'X-Forwarded-Port': ['3000'],
      'X-Forwarded-Proto': ['http'],
    });
    expect(v1Event(gatewayRequest({ rawPath: '/Prod/items', headers: [] })).headers).to.deep.equal({
      'X-Forwarded-For': '127.0.0.1',
      'X-Forwarded-Port': '80',
      'X-Forwarded-Proto': 'http',
    });
  });

  it('v1: path is without the stage, requestContext.path with it, also when the API was reached at the root', () => {
    for (const rawPath of ['/Prod/price', '/price']) {
      const event = v1Event(gatewayRequest({ rawPath }));
      expect([event.path, event.requestContext.path]).to.deep.equal(['/price', '/Prod/price']);
    }
    const root = v1Event(gatewayRequest({ rawPath: '/Prod/' }));
    expect([root.path, root.requestContext.path]).to.deep.equal(['/', '/Prod/']);
  });

  it('v1: REST path and requestContext.path stay percent-encoded', () => {
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/capture/space%20value' }));
    expect([event.path, event.requestContext.path]).to.deep.equal([
      '/capture/space%20value',
      '/Prod/capture/space%20value',
    ]);
  });

  it('v1: resource and requestContext.resourcePath are the resource template; httpMethod the actual method', () => {
    const event = v1Event(gatewayRequest({ method: 'PATCH', rawPath: '/Prod/items/7' }));
    expect(event.resource).to.equal('/{proxy+}');
    expect(event.requestContext.resourcePath).to.equal('/{proxy+}');
    expect([event.httpMethod, event.requestContext.httpMethod]).to.deep.equal(['PATCH', 'PATCH']);
  });

  it('v1: requestTime is in Common Log Format, UTC, and requestTimeEpoch in milliseconds', () => {
    const event = v1Event(
      gatewayRequest({ rawPath: '/Prod/items', receivedAt: Date.UTC(2024, 0, 5, 3, 4, 9, 7) }),
    );
    const context = event.requestContext;
    expect('requestTime' in context && context.requestTime).to.equal('05/Jan/2024:03:04:09 +0000');
    expect(context.requestTimeEpoch).to.equal(Date.UTC(2024, 0, 5, 3, 4, 9, 7));
  });

  it('v1: identity.sourceIp is the TCP peer and identity.userAgent the User-Agent header, or null', () => {
    const event = v1Event(
      gatewayRequest({
        rawPath: '/Prod/items',
        headers: [['User-Agent', 'curl/8.0']],
        sourceIp: '192.0.2.9',
      }),
    );
    expect([event.requestContext.identity.sourceIp, event.requestContext.identity.userAgent]).to.deep.equal([
      '192.0.2.9',
      'curl/8.0',
    ]);
    expect(v1Event(gatewayRequest({ rawPath: '/Prod/items' })).requestContext.identity.userAgent).to.equal(
      null,
    );
  });

  it('v1: body is null when the request has none', () => {
    const event = v1Event(gatewayRequest({ method: 'POST', rawPath: '/Prod/items' }));
    expect([event.body, event.isBase64Encoded]).to.deep.equal([null, false]);
  });

  it('v1: a body whose Content-Type is not a binary media type is passed as text', () => {
    const event = v1Event(
      gatewayRequest({
        method: 'POST',
        rawPath: '/Prod/items',
        headers: [['Content-Type', 'image/png']],
        body: Buffer.from('{"a":"λ"}'),
      }),
    );
    expect([event.body, event.isBase64Encoded]).to.deep.equal(['{"a":"λ"}', false]);
  });

  it('v1: the body is base64 when Content-Type matches binaryMediaTypes: exact, type/*, */* or SAM ~1', () => {
    const body = Buffer.from([0, 255, 1]);
    const cases: [string[], string | undefined, boolean][] = [
      [['image/png'], 'image/png', true],
      [['image/*'], 'image/jpeg; q=1', true],
      [['image/*'], 'application/json', false],
      [['*/*'], 'application/json', true],
      [['*/*'], undefined, true],
      [['image~1png'], 'IMAGE/PNG', true],
      [['application/octet-stream'], undefined, false],
    ];
    for (const [binaryMediaTypes, contentType, expected] of cases) {
      const headers: [string, string][] = contentType === undefined ? [] : [['Content-Type', contentType]];
      const event = v1Event(
        gatewayRequest({ method: 'POST', rawPath: '/Prod/upload', headers, body }),
        restApi({ binaryMediaTypes }),
      );
      expect([event.isBase64Encoded, event.body], `${binaryMediaTypes} vs ${contentType}`).to.deep.equal(
        expected ? [true, 'AP8B'] : [false, body.toString('utf8')],
      );
    }
  });

  it('v1: requestContext carries the REST ids and names', () => {
    const event = v1Event(gatewayRequest({ rawPath: '/Prod/items' }));
    const context = event.requestContext;
    expect({
      requestId: context.requestId,
      extendedRequestId: context.extendedRequestId,
      apiId: context.apiId,
      accountId: context.accountId,
      domainName: context.domainName,
      domainPrefix: context.domainPrefix,
      stage: context.stage,
      protocol: context.protocol,
    }).to.deep.equal({
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      extendedRequestId: 'JJbxmplHYosFVYQ=',
      apiId: 'abc123',
      accountId: '123456789012',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      stage: 'Prod',
      protocol: 'HTTP/1.1',
    });
    expect('resourceId' in context && context.resourceId).to.match(/^[0-9a-z]{6}$/);
  });

  it('v1 HTTP API: version "1.0", resource "$default" for the default route, and the request id in both id fields', () => {
    const api = httpApi();
    const request = gatewayRequest({
      method: 'POST',
      rawPath: '/question',
      headers: [
        ['Host', 'localhost:3000'],
        ['Content-Type', 'application/json'],
        ['User-Agent', 'curl/7.88.1'],
        ['accept', '*/*'],
      ],
      body: Buffer.from('[1]'),
      sourceIp: '109.210.252.44',
      receivedAt: 1689098119662,
    });
    const event = v1Event(request, api, [route(api, 'ANY', '$default', '1.0')], httpContext);
    expect(event).to.deep.equal({
      version: '1.0',
      resource: '$default',
      path: '/question',
      httpMethod: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Host: 'localhost:3000',
        'User-Agent': 'curl/7.88.1',
        'X-Forwarded-For': '109.210.252.44',
        'X-Forwarded-Port': '3000',
        'X-Forwarded-Proto': 'http',
        accept: '*/*',
      },
      multiValueHeaders: {
        'Content-Type': ['application/json'],
        Host: ['localhost:3000'],
        'User-Agent': ['curl/7.88.1'],
        'X-Forwarded-For': ['109.210.252.44'],
        'X-Forwarded-Port': ['3000'],
        'X-Forwarded-Proto': ['http'],
        accept: ['*/*'],
      },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      requestContext: {
        accountId: '123456789012',
        apiId: 'r3pmxmplak',
        domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
        domainPrefix: 'r3pmxmplak',
        extendedRequestId: 'ZhNHJhhLjoEEPiw=',
        httpMethod: 'POST',
        identity: {
          accessKey: null,
          accountId: null,
          caller: null,
          cognitoAmr: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: '109.210.252.44',
          user: null,
          userAgent: 'curl/7.88.1',
          userArn: null,
        },
        path: '/question',
        protocol: 'HTTP/1.1',
        requestId: 'ZhNHJhhLjoEEPiw=',
        requestTime: '11/Jul/2023:17:55:19 +0000',
        requestTimeEpoch: 1689098119662,
        resourceId: '$default',
        resourcePath: '$default',
        stage: '$default',
      },
      pathParameters: null,
      stageVariables: null,
      body: '[1]',
      isBase64Encoded: false,
    });
    // AWS orders HTTP API 1.0 header names byte-wise, upper-case before lower-case.
    expect(Object.keys(event.headers ?? {}).at(-1)).to.equal('accept');
  });

  it('v1 HTTP API: path is the whole received path, a named stage included; resourceId is the route key', () => {
    const api = httpApi({ stageName: 'dev' });
    const event = v1Event(
      gatewayRequest({ rawPath: '/dev/items/7' }),
      api,
      [route(api, 'GET', '/items/{id}', '1.0')],
      httpContext,
    );
    const context = event.requestContext;
    expect([event.resource, event.path, context.path, context.stage]).to.deep.equal([
      '/items/{id}',
      '/dev/items/7',
      '/dev/items/7',
      'dev',
    ]);
    expect('resourceId' in context && context.resourceId).to.equal('GET /items/{id}');
    expect(event.pathParameters).to.deep.equal({ id: '7' });
  });

  it('v1 HTTP API: the body follows the HTTP API text rule, not binaryMediaTypes', () => {
    const api = httpApi();
    const event = v1Event(
      gatewayRequest({ method: 'POST', headers: [['Content-Type', 'image/png']], body: Buffer.from([1, 2]) }),
      api,
      [route(api, 'ANY', '$default', '1.0')],
      httpContext,
    );
    expect([event.body, event.isBase64Encoded]).to.deep.equal(['AQI=', true]);
  });
});

describe('gateway events, payload format 2.0', () => {
  it('v2: reproduces the captured HTTP API event (http-v2-nodejs-apig.json), named stage and cookies included', () => {
    const captured = readCaptured('http-v2-nodejs-apig.json');
    const api = httpApi({ stageName: 'default' });
    const userAgent =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.132 Safari/537.36';
    const request = gatewayRequest({
      method: 'GET',
      rawPath: '/default/nodejs-apig-function-1G3XMPLZXVXYI',
      headers: [
        ['Host', 'r3pmxmplak.execute-api.us-east-2.amazonaws.com'],
        ['Upgrade-Insecure-Requests', '1'],
        ['User-Agent', userAgent],
        ['Sec-Fetch-Dest', 'document'],
        [
          'Accept',
          'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.9',
        ],
        ['Sec-Fetch-Site', 'cross-site'],
        ['Sec-Fetch-Mode', 'navigate'],
        ['Sec-Fetch-User', '?1'],
        ['Accept-Encoding', 'gzip, deflate, br'],
        ['Accept-Language', 'en-US,en;q=0.9'],
        ['Cookie', 's_fid=7AABXMPL1AFD9BBF-0643XMPL09956DE2; regStatus=pre-register'],
        ['Content-Length', '0'],
        ['X-Amzn-Trace-Id', 'Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e'],
      ],
      sourceIp: '205.255.255.176',
      receivedAt: 1583817383220,
    });
    const router = createRouter(apiMap(api), [route(api, 'ANY', '/nodejs-apig-function-1G3XMPLZXVXYI')]);
    const event = toV2Event(request, expectMatch(router.match('GET', request.rawPath)), {
      ...httpContext,
      requestId: 'JKJaXmPLvHcESHA=',
    });

    expect(shapeOf(event)).to.deep.equal(shapeOf(captured));
    const expected = structuredClone(captured);
    setPath(expected, ['headers', 'x-forwarded-port'], '80');
    setPath(expected, ['headers', 'x-forwarded-proto'], 'http');
    expect(event).to.deep.equal(expected);
    expect(Object.keys(event.headers)).to.deep.equal(Object.keys(readHeaders(captured)));
  });

  it('v2: has the keys of the captured no-auth event, less the authorizer an API without one does not get', () => {
    const captured = readCaptured('http-v2-no-auth.json');
    const event = v2Event(
      gatewayRequest({ method: 'POST', rawPath: '/lambda', headers: [['Content-Type', 'text/plain']] }),
    );
    const capturedShape = shapeOf(captured).filter((line) => !line.startsWith('requestContext.authorizer'));
    expect(shapeOf(event)).to.deep.equal(capturedShape);
  });

  it('v2: routeKey is "METHOD /template" for a route and "$default" for the default route', () => {
    const api = httpApi();
    const routes = [route(api, 'GET', '/pets/{id}'), route(api, 'ANY', '$default')];
    const routed = v2Event(gatewayRequest({ rawPath: '/pets/7' }), api, routes);
    expect([routed.routeKey, routed.requestContext.routeKey]).to.deep.equal([
      'GET /pets/{id}',
      'GET /pets/{id}',
    ]);
    expect(v2Event(gatewayRequest({ rawPath: '/x' }), api, routes).routeKey).to.equal('$default');
  });

  it('v2: rawPath keeps a named stage and requestContext.http.path equals it', () => {
    const api = httpApi({ stageName: 'dev' });
    const event = v2Event(gatewayRequest({ rawPath: '/dev/pets/7' }), api, [route(api, 'GET', '/pets/{id}')]);
    expect([event.rawPath, event.requestContext.http.path, event.requestContext.stage]).to.deep.equal([
      '/dev/pets/7',
      '/dev/pets/7',
      'dev',
    ]);
  });

  it('v2: rawPath and rawQueryString are the path and query as received, still encoded', () => {
    const event = v2Event(gatewayRequest({ rawPath: '/capture/space%20value', rawQuery: 'a=b%2Bc&d=e+f' }));
    expect([event.rawPath, event.requestContext.http.path, event.rawQueryString]).to.deep.equal([
      '/capture/space%20value',
      '/capture/space%20value',
      'a=b%2Bc&d=e+f',
    ]);
  });

  it('v2: cookies come from every Cookie header, one entry per cookie, and cookie is not in headers', () => {
    const event = v2Event(
      gatewayRequest({
        headers: [
          ['Cookie', 'a=1; b=2'],
          ['cookie', 'c=3;'],
        ],
      }),
    );
    expect(event.cookies).to.deep.equal(['a=1', 'b=2', 'c=3']);
    expect(event.headers).to.not.have.property('cookie');
  });

  it('v2: header names are lower-cased, sorted, and repeated headers comma-joined', () => {
    const event = v2Event(
      gatewayRequest({
        headers: [
          ['X-Probe', 'first'],
          ['Host', 'localhost:3000'],
          ['x-probe', 'second'],
        ],
      }),
    );
    expect(event.headers).to.deep.equal({
      host: 'localhost:3000',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': '3000',
      'x-forwarded-proto': 'http',
      'x-probe': 'first,second',
    });
    expect(Object.keys(event.headers)).to.deep.equal([
      'host',
      'x-forwarded-for',
      'x-forwarded-port',
      'x-forwarded-proto',
      'x-probe',
    ]);
  });

  it('v2: repeated query keys are comma-joined and values decoded', () => {
    const event = v2Event(
      gatewayRequest({ rawQuery: 'repeat=one&repeat=two&literalPlus=a+b&encodedPlus=a%2Bb&empty=' }),
    );
    expect(event.queryStringParameters).to.deep.equal({
      repeat: 'one,two',
      literalPlus: 'a b',
      encodedPlus: 'a+b',
      empty: '',
    });
  });

  it('v2: query keys such as __proto__ or hasOwnProperty are ordinary keys', () => {
    const event = v2Event(gatewayRequest({ rawQuery: '__proto__=a&hasOwnProperty=b&hasOwnProperty=c' }));
    expect(Object.entries(event.queryStringParameters ?? {})).to.deep.equal([
      ['__proto__', 'a'],
      ['hasOwnProperty', 'b,c'],
    ]);
  });

  it('v2: pathParameters holds the route variables, decoded', () => {
    const api = httpApi();
    const event = v2Event(gatewayRequest({ rawPath: '/pets/a%2520b/x/y' }), api, [
      route(api, 'GET', '/pets/{id}/{proxy+}'),
    ]);
    expect(event.pathParameters).to.deep.equal({ id: 'a b', proxy: 'x/y' });
  });

  it('v2: queryStringParameters, pathParameters, stageVariables, body and cookies are omitted when empty', () => {
    const event = v2Event(gatewayRequest());
    for (const key of ['queryStringParameters', 'pathParameters', 'stageVariables', 'body', 'cookies']) {
      expect(event, key).to.not.have.property(key);
    }
    expect(event.rawQueryString).to.equal('');
  });

  it('v2: stageVariables carries the stage variables when there are some', () => {
    expect(v2Event(gatewayRequest(), httpApi({ stageVariables: { a: 'b' } })).stageVariables).to.deep.equal({
      a: 'b',
    });
  });

  it('v2: the body is text for text/*, application/json, application/xml and application/javascript', () => {
    for (const contentType of [
      'text/plain',
      'text/csv; charset=utf-8',
      'application/json',
      'Application/JSON; charset=UTF-8',
      'application/xml',
      'application/javascript',
    ]) {
      const event = v2Event(
        gatewayRequest({
          method: 'POST',
          headers: [['Content-Type', contentType]],
          body: Buffer.from('{"a":"λ"}'),
        }),
      );
      expect([event.body, event.isBase64Encoded], contentType).to.deep.equal(['{"a":"λ"}', false]);
    }
  });

  it('v2: every other body is base64: form data, +json types, octet-stream, or no Content-Type', () => {
    const body = Buffer.from('a=1');
    for (const contentType of [
      'application/x-www-form-urlencoded',
      'application/ld+json',
      'application/octet-stream',
      undefined,
    ]) {
      const headers: [string, string][] = contentType === undefined ? [] : [['Content-Type', contentType]];
      const event = v2Event(gatewayRequest({ method: 'POST', headers, body }));
      expect([event.body, event.isBase64Encoded], String(contentType)).to.deep.equal(['YT0x', true]);
    }
  });

  it('v2: a bodiless request without Content-Type still reports isBase64Encoded true, as AWS does', () => {
    const event = v2Event(gatewayRequest());
    expect(event.isBase64Encoded).to.equal(true);
    expect(event).to.not.have.property('body');
  });

  it('v2: requestContext has the http block, a 16-character requestId, CLF time, epoch ms and the stage', () => {
    const event = v2Event(
      gatewayRequest({
        method: 'POST',
        rawPath: '/lambda',
        headers: [['User-Agent', 'HTTPie/3.2.2']],
        sourceIp: '15.248.3.126',
        receivedAt: 1718639559080,
      }),
    );
    expect(event.requestContext).to.deep.equal({
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      domainPrefix: 'r3pmxmplak',
      http: {
        method: 'POST',
        path: '/lambda',
        protocol: 'HTTP/1.1',
        sourceIp: '15.248.3.126',
        userAgent: 'HTTPie/3.2.2',
      },
      requestId: 'ZhNHJhhLjoEEPiw=',
      routeKey: '$default',
      stage: '$default',
      time: '17/Jun/2024:15:52:39 +0000',
      timeEpoch: 1718639559080,
    });
  });
});

describe('gateway request ids', () => {
  it('newRequestIdV1 is a UUID, as REST request ids are', () => {
    expect(newRequestIdV1()).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('newRequestIdV2 and newExtendedRequestId are 16 base64 characters, like ZhNHJhhLjoEEPiw=', () => {
    for (const id of [newRequestIdV2(), newExtendedRequestId()]) expect(id).to.match(/^[A-Za-z0-9+/]{15}=$/);
    expect(newRequestIdV2()).to.not.equal(newRequestIdV2());
  });
});

function readHeaders(event: unknown): object {
  if (typeof event === 'object' && event !== null && 'headers' in event) {
    const { headers } = event;
    if (typeof headers === 'object' && headers !== null) return headers;
  }
  throw new Error('the captured event has no headers');
}

function readDeploymentId(event: ProxyEventV1): string {
  const context = event.requestContext;
  if (!('deploymentId' in context)) throw new Error('a REST event has a deploymentId');
  return context.deploymentId;
}

/** Sets a nested member of parsed JSON, failing loudly when the path does not exist. */
function setPath(target: unknown, path: readonly string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    if (typeof current !== 'object' || current === null || !(key in current))
      throw new Error(`no ${path.join('.')}`);
    current = Reflect.get(current, key);
  }
  const last = path.at(-1);
  if (typeof current !== 'object' || current === null || last === undefined || !(last in current)) {
    throw new Error(`no ${path.join('.')}`);
  }
  Reflect.set(current, last, value);
}
