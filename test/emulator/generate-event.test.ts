import { expect } from 'chai';
import { apiGatewayEvent, GenerateEventError, scheduledEvent } from '../../emulator/generate-event.ts';
import { handler as multiply } from '../../functions/multiply/handler.ts';
import { jsonBody } from '../support/events.ts';

const BASE = {
  query: [],
  headers: [],
  body: undefined,
  stage: undefined,
  region: 'us-east-1',
  accountId: '123456789012',
};

describe('generate-event', () => {
  it('apigateway aws-proxy: a REST event with the stage in requestContext.path and both query maps', () => {
    const event = apiGatewayEvent('rest', {
      ...BASE,
      method: 'get',
      path: '/price',
      query: ['symbol=A1', 'symbol=B2'],
    });

    expect(event).to.deep.include({
      resource: '/price',
      path: '/price',
      httpMethod: 'GET',
      queryStringParameters: { symbol: 'B2' },
      multiValueQueryStringParameters: { symbol: ['A1', 'B2'] },
      pathParameters: null,
      body: null,
    });
    expect(event).to.have.nested.property('requestContext.path', '/Prod/price');
    expect(event).to.have.nested.property('requestContext.stage', 'Prod');
  });

  it('apigateway aws-proxy: --resource with variables fills pathParameters', () => {
    const event = apiGatewayEvent('rest', {
      ...BASE,
      method: 'GET',
      path: '/items/7',
      resource: '/items/{id}',
    });

    expect(event).to.deep.include({ resource: '/items/{id}', pathParameters: { id: '7' } });
  });

  it('apigateway http-api-proxy: a 2.0 event that the multiply handler answers', async () => {
    const event = apiGatewayEvent('http', {
      ...BASE,
      method: 'POST',
      path: '/multiply',
      body: '{"a":6,"b":7}',
    });

    expect(event).to.deep.include({ version: '2.0', routeKey: 'POST /multiply', rawPath: '/multiply' });
    expect(event).to.have.nested.property('headers.content-type', 'application/json');
    const result = await multiply(event);
    expect(jsonBody(result)).to.deep.equal({ result: 42 });
  });

  it('rejects a header without a colon and a path that does not fit the resource', () => {
    expect(() =>
      apiGatewayEvent('rest', { ...BASE, method: 'GET', path: '/a', headers: ['nocolon'] }),
    ).to.throw(GenerateEventError, '--header expects "Name: value"');
    expect(() =>
      apiGatewayEvent('rest', { ...BASE, method: 'GET', path: '/a/b', resource: '/x/{id}' }),
    ).to.throw(GenerateEventError, 'does not fit the resource');
  });

  it('eventbridge scheduled: the Scheduled Event envelope with detail {} and a time in whole seconds', () => {
    const event = scheduledEvent({ region: 'eu-west-1', accountId: '111122223333', ruleName: 'tick' });

    expect(event).to.deep.include({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111122223333',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:111122223333:rule/tick'],
      detail: {},
    });
    expect(event)
      .to.have.property('time')
      .that.matches(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
