import { expect } from 'chai';
import {
  executeApiArn,
  requestAuthorizerEvent,
  requestAuthorizerEventV2,
  tokenAuthorizerEvent,
} from '../../../emulator/gateway/authorizer-events.ts';
import { httpProxyEvent, restProxyEvent } from '../../../emulator/generate-event.ts';

const REQUEST = {
  method: 'GET',
  path: '/items/7',
  resource: '/items/{id}',
  query: ['q=1'],
  headers: ['Authorization: Bearer abc'],
  body: '{"ignored":true}',
  stage: undefined,
  region: 'us-east-1',
  accountId: '123456789012',
};

describe('API Gateway authorizer events', () => {
  it('methodArn names the API, stage, method and the request path (not the resource template)', () => {
    const arn = executeApiArn({
      region: 'us-west-2',
      accountId: '123456789012',
      apiId: 'abcdef123',
      stage: 'test',
      method: 'get',
      path: '/items/7',
    });

    expect(arn).to.equal('arn:aws:execute-api:us-west-2:123456789012:abcdef123/test/GET/items/7');
  });

  it('a TOKEN authorizer gets exactly type, methodArn and authorizationToken', () => {
    expect(tokenAuthorizerEvent('allow', 'arn:x')).to.deep.equal({
      type: 'TOKEN',
      methodArn: 'arn:x',
      authorizationToken: 'allow',
    });
  });

  it('a REST REQUEST authorizer gets the proxy request fields with type and methodArn, without the body', () => {
    const proxy = restProxyEvent(REQUEST);
    const event = requestAuthorizerEvent(proxy, 'arn:x');

    expect(event).to.deep.include({
      type: 'REQUEST',
      methodArn: 'arn:x',
      resource: '/items/{id}',
      path: '/items/7',
      httpMethod: 'GET',
      pathParameters: { id: '7' },
      queryStringParameters: { q: '1' },
    });
    expect(event.headers).to.include({ Authorization: 'Bearer abc' });
    expect(event).to.have.property('multiValueHeaders');
    expect(event).to.have.property('requestContext').that.deep.equals(proxy.requestContext);
    expect(event).to.not.have.any.keys('body', 'isBase64Encoded');
  });

  it('an HTTP API 2.0 authorizer gets version 2.0, type REQUEST, routeArn, identitySource and no body', () => {
    const proxy = httpProxyEvent({ ...REQUEST, resource: undefined });
    const event = requestAuthorizerEventV2(proxy, 'arn:route', ['Bearer abc']);

    expect(event).to.deep.include({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:route',
      identitySource: ['Bearer abc'],
      rawPath: '/items/7',
      rawQueryString: 'q=1',
      cookies: [],
    });
    expect(event.headers).to.include({ authorization: 'Bearer abc' });
    expect(event).to.not.have.any.keys('body', 'isBase64Encoded');
  });
});
