import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  apiGatewayEvent,
  type EventFlags,
  GenerateEventError,
  generateEvent,
  knownEvents,
  scheduledEvent,
  UnknownEventError,
} from '../../emulator/generate-event.ts';
import { isRecord } from '../../emulator/template/values.ts';
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

describe('generate-event dispatch', () => {
  const FLAGS: EventFlags = { ...BASE, method: 'GET', path: '/' };

  it('knows the SAM names of every service and event it builds', () => {
    expect(knownEvents()).to.include.members([
      'apigateway aws-proxy',
      'apigateway http-api-proxy',
      'apigateway authorizer',
      'apigateway request-authorizer',
      'cloudwatch logs',
      'cloudwatch scheduled-event',
      'dynamodb update',
      'eventbridge scheduled',
      'eventbridge event',
      'kinesis get-records',
      's3 put',
      's3 delete',
      'sns notification',
      'sqs receive-message',
    ]);
  });

  it('an unknown service or event is an UnknownEventError listing the events that exist', () => {
    for (const [service, event] of [
      ['sqs', 'send-message'],
      ['nosuch', 'thing'],
      [undefined, undefined],
      ['sqs', 'toString'],
      ['__proto__', 'toString'],
    ] as const) {
      expect(() => generateEvent(service, event, FLAGS), `${service} ${event}`)
        .to.throw(UnknownEventError)
        .with.property('message')
        .that.includes('sqs receive-message')
        .and.includes('s3 put');
    }
  });

  it('applies the flags of each event: queue name and body, bucket and key, topic, table, stream, log group', () => {
    const sqs = generateEvent('sqs', 'receive-message', { ...FLAGS, queueName: 'orders', body: 'hi' });
    expect(sqs).to.have.nested.property(
      'Records[0].eventSourceARN',
      'arn:aws:sqs:us-east-1:123456789012:orders',
    );
    expect(sqs).to.have.nested.property('Records[0].body', 'hi');

    const s3 = generateEvent('s3', 'delete', { ...FLAGS, bucket: 'b', key: 'k 1' });
    expect(s3).to.have.nested.property('Records[0].s3.object.key', 'k+1');
    expect(s3).to.have.nested.property('Records[0].eventName', 'ObjectRemoved:Delete');

    const sns = generateEvent('sns', 'notification', { ...FLAGS, topic: 't', message: 'm', subject: 's' });
    expect(sns).to.have.nested.property('Records[0].Sns.Message', 'm');

    const dynamodb = generateEvent('dynamodb', 'update', { ...FLAGS, table: 'T' });
    expect(dynamodb).to.have.nested.property('Records[0].eventSourceARN').that.includes('table/T/stream/');

    const kinesis = generateEvent('kinesis', 'get-records', { ...FLAGS, stream: 's', partitionKey: 'p' });
    expect(kinesis).to.have.nested.property('Records[0].kinesis.partitionKey', 'p');

    const logs = generateEvent('cloudwatch', 'logs', { ...FLAGS, logGroup: '/g', message: 'line' });
    const data = isRecord(logs) && isRecord(logs.awslogs) ? String(logs.awslogs.data) : '';
    const decoded = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
    expect(decoded).to.include({ logGroup: '/g' });
    expect(decoded).to.have.nested.property('logEvents[0].message', 'line');
  });

  it('eventbridge event takes --detail as a JSON object and rejects anything else', () => {
    const event = generateEvent('eventbridge', 'event', {
      ...FLAGS,
      source: 'my.app',
      detailType: 'Created',
      detail: '{"id":1}',
    });
    expect(event).to.deep.include({ source: 'my.app', 'detail-type': 'Created', detail: { id: 1 } });
    expect(() => generateEvent('eventbridge', 'event', { ...FLAGS, detail: '[1]' })).to.throw(
      GenerateEventError,
      '--detail expects a JSON object',
    );
    expect(() => generateEvent('eventbridge', 'event', { ...FLAGS, detail: '{' })).to.throw(
      GenerateEventError,
      '--detail expects a JSON object',
    );
  });

  it("cloudwatch scheduled-event is SAM's name for the scheduled rule event, --rule naming the rule", () => {
    const event = generateEvent('cloudwatch', 'scheduled-event', { ...FLAGS, rule: 'tick' });

    expect(event).to.deep.include({
      source: 'aws.events',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/tick'],
    });
  });

  it("authorizer: a TOKEN event for the emulator's implicit REST API, stage Prod, with --token", () => {
    const event = generateEvent('apigateway', 'authorizer', { ...FLAGS, path: '/price', token: 'allow' });

    expect(event).to.deep.equal({
      type: 'TOKEN',
      authorizationToken: 'allow',
      methodArn: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/Prod/GET/price',
    });
  });

  it('request-authorizer sends the token as the Authorization header unless a header gives one', () => {
    const event = generateEvent('apigateway', 'request-authorizer', { ...FLAGS, token: 't1' });
    expect(event).to.have.nested.property('headers.Authorization', 't1');
    expect(event).to.include({ type: 'REQUEST', httpMethod: 'GET' });

    const own = generateEvent('apigateway', 'request-authorizer', {
      ...FLAGS,
      headers: ['authorization: mine'],
      token: 't1',
    });
    expect(own).to.have.nested.property('headers.authorization', 'mine');
    expect(own).to.not.have.nested.property('headers.Authorization');
  });

  it('http-api-request-authorizer: identitySource holds the Authorization header, routeArn the $default stage', () => {
    const event = generateEvent('apigateway', 'http-api-request-authorizer', {
      ...FLAGS,
      method: 'POST',
      path: '/orders',
      token: 'Bearer x',
    });

    expect(event).to.deep.include({
      version: '2.0',
      type: 'REQUEST',
      identitySource: ['Bearer x'],
      routeArn: 'arn:aws:execute-api:us-east-1:123456789012:f6g7h8i9j0/$default/POST/orders',
    });
  });
});
