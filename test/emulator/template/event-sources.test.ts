import { expect } from 'chai';
import type { EventSourceModel } from '../../../emulator/template/model.ts';
import { dedent, load, loadError } from './helpers.ts';

/** A template whose function `Fn` has the given Events, plus resources; both written from column 0. */
function template(events: string, resources = ''): string {
  const indent = (text: string, by: string) =>
    dedent(text)
      .split('\n')
      .map((line) => (line === '' ? line : `${by}${line}`))
      .join('\n');
  return [
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    '  Fn:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: src/',
    '      Handler: app.handler',
    '      Runtime: nodejs22.x',
    '      Events:',
    indent(events, '        '),
    indent(resources, '  '),
  ].join('\n');
}

function onlySource(events: string, resources = ''): EventSourceModel {
  const model = load(template(events, resources));
  expect(model.warnings.filter((warning) => warning.includes('events are not emulated'))).to.deep.equal([]);
  expect(model.eventSources).to.have.lengthOf(1);
  const [source] = model.eventSources;
  if (source === undefined) return expect.fail('no event source');
  return source;
}

describe('template event sources (run by hand)', () => {
  it('an SQS event with Queue: !GetAtt Q.Arn names the queue resource, BatchSize, and a generate-event with its QueueName', () => {
    const source = onlySource(
      `
      Orders:
        Type: SQS
        Properties: {Queue: !GetAtt OrdersQueue.Arn, BatchSize: 5}
      `,
      `
      OrdersQueue:
        Type: AWS::SQS::Queue
        Properties: {QueueName: !Sub '\${AWS::StackName}-orders'}
      `,
    );

    expect(source).to.deep.equal({
      functionId: 'Fn',
      eventId: 'Orders',
      type: 'SQS',
      sourceId: 'OrdersQueue',
      sourceArn: undefined,
      batchSize: 5,
      generateEvent: ['sqs', 'receive-message', '--queue-name', 'local-orders'],
    });
  });

  it('a queue without QueueName is named by its logical id, with .fifo for a FIFO queue', () => {
    const plain = onlySource(
      'Q:\n  Type: SQS\n  Properties: {Queue: !GetAtt Jobs.Arn}',
      'Jobs:\n  Type: AWS::SQS::Queue',
    );
    const fifo = onlySource(
      'Q:\n  Type: SQS\n  Properties: {Queue: !GetAtt Jobs.Arn}',
      'Jobs:\n  Type: AWS::SQS::Queue\n  Properties: {FifoQueue: true}',
    );

    expect(plain.generateEvent).to.deep.equal(['sqs', 'receive-message', '--queue-name', 'Jobs']);
    expect(fifo.generateEvent).to.deep.equal(['sqs', 'receive-message', '--queue-name', 'Jobs.fifo']);
  });

  it('a literal queue ARN (or a parameter holding one) is kept as sourceArn and its last part is the queue name', () => {
    const source = onlySource(
      'Q:\n  Type: SQS\n  Properties: {Queue: "arn:aws:sqs:us-east-1:123456789012:shared"}',
    );

    expect(source).to.include({
      sourceId: undefined,
      sourceArn: 'arn:aws:sqs:us-east-1:123456789012:shared',
    });
    expect(source.generateEvent).to.deep.equal(['sqs', 'receive-message', '--queue-name', 'shared']);
  });

  it("a literal ARN in another region or account adds --region and --account-id, so the event's ARN is the same", () => {
    const source = onlySource(
      'Q:\n  Type: SQS\n  Properties: {Queue: "arn:aws:sqs:eu-west-1:111122223333:shared"}',
    );

    expect(source.generateEvent).to.deep.equal([
      'sqs',
      'receive-message',
      '--queue-name',
      'shared',
      '--region',
      'eu-west-1',
      '--account-id',
      '111122223333',
    ]);
  });

  it('an SNS event with Topic: !Ref T uses the TopicName', () => {
    const source = onlySource(
      'N:\n  Type: SNS\n  Properties: {Topic: !Ref Alerts}',
      'Alerts:\n  Type: AWS::SNS::Topic\n  Properties: {TopicName: alerts}',
    );

    expect(source).to.include({ type: 'SNS', sourceId: 'Alerts' });
    expect(source.generateEvent).to.deep.equal(['sns', 'notification', '--topic', 'alerts']);
  });

  it('a Kinesis event names the stream and its Name; a DynamoDB event the table of !GetAtt T.StreamArn', () => {
    const kinesis = onlySource(
      'K:\n  Type: Kinesis\n  Properties: {Stream: !GetAtt Clicks.Arn, StartingPosition: LATEST, BatchSize: 100}',
      'Clicks:\n  Type: AWS::Kinesis::Stream\n  Properties: {Name: clicks, ShardCount: 1}',
    );
    const dynamodb = onlySource(
      'D:\n  Type: DynamoDB\n  Properties: {Stream: !GetAtt [Orders, StreamArn], StartingPosition: TRIM_HORIZON}',
      'Orders:\n  Type: AWS::DynamoDB::Table\n  Properties: {TableName: orders-table}',
    );

    expect(kinesis).to.include({ sourceId: 'Clicks', batchSize: 100 });
    expect(kinesis.generateEvent).to.deep.equal(['kinesis', 'get-records', '--stream', 'clicks']);
    expect(dynamodb).to.include({ sourceId: 'Orders' });
    expect(dynamodb.generateEvent).to.deep.equal(['dynamodb', 'update', '--table', 'orders-table']);
  });

  it('a DynamoDB event with a literal stream ARN takes the table name from the ARN', () => {
    const source = onlySource(
      'D:\n  Type: DynamoDB\n  Properties: {Stream: "arn:aws:dynamodb:us-east-1:123456789012:table/Legacy/stream/2020-01-01T00:00:00.000", StartingPosition: LATEST}',
    );

    expect(source.generateEvent).to.deep.equal(['dynamodb', 'update', '--table', 'Legacy']);
  });

  it('an S3 event: the bucket by BucketName, put for ObjectCreated, a key made of the Filter prefix and suffix', () => {
    const source = onlySource(
      `
      Upload:
        Type: S3
        Properties:
          Bucket: !Ref Uploads
          Events: s3:ObjectCreated:*
          Filter:
            S3Key:
              Rules:
                - {Name: prefix, Value: incoming/}
                - {Name: suffix, Value: .csv}
      `,
      'Uploads:\n  Type: AWS::S3::Bucket\n  Properties: {BucketName: my-uploads}',
    );

    expect(source).to.include({ type: 'S3', sourceId: 'Uploads' });
    expect(source.generateEvent).to.deep.equal([
      's3',
      'put',
      '--bucket',
      'my-uploads',
      '--key',
      'incoming/example.csv',
    ]);
  });

  it('an S3 event listening only to ObjectRemoved generates s3 delete', () => {
    const source = onlySource(
      'Gone:\n  Type: S3\n  Properties: {Bucket: !Ref B, Events: [s3:ObjectRemoved:*]}',
      'B:\n  Type: AWS::S3::Bucket',
    );

    expect(source.generateEvent).to.deep.equal(['s3', 'delete', '--bucket', 'B']);
  });

  it("an EventBridgeRule event's Pattern gives --source, --detail-type and a matching --detail", () => {
    const source = onlySource(`
      Placed:
        Type: EventBridgeRule
        Properties:
          Pattern:
            source: [com.shop.orders]
            detail-type: [OrderPlaced, OrderUpdated]
            detail:
              status: [created]
              customer: {tier: [gold]}
              amount: [{numeric: ['>', 0]}]
    `);

    expect(source).to.include({ type: 'EventBridgeRule', sourceId: undefined, batchSize: undefined });
    expect(source.generateEvent).to.deep.equal([
      'eventbridge',
      'event',
      '--source',
      'com.shop.orders',
      '--detail-type',
      'OrderPlaced',
      '--detail',
      '{"status":"created","customer":{"tier":"gold"}}',
    ]);
  });

  it('a CloudWatchEvent event (the older name) reads its Pattern the same way, and keeps an Input', () => {
    const source = onlySource(`
      Old:
        Type: CloudWatchEvent
        Properties:
          Pattern: {source: [aws.ec2], detail-type: [EC2 Instance State-change Notification]}
          Input: '{"fixed":true}'
    `);

    expect(source.generateEvent).to.deep.equal([
      'eventbridge',
      'event',
      '--source',
      'aws.ec2',
      '--detail-type',
      'EC2 Instance State-change Notification',
    ]);
    expect(source.input).to.equal('{"fixed":true}');
  });

  it('a CloudWatchLogs event generates cloudwatch logs for its LogGroupName', () => {
    const source = onlySource(
      "Logs:\n  Type: CloudWatchLogs\n  Properties: {LogGroupName: !Ref Group, FilterPattern: ''}",
      'Group:\n  Type: AWS::Logs::LogGroup\n  Properties: {LogGroupName: /app/errors}',
    );

    expect(source.generateEvent).to.deep.equal(['cloudwatch', 'logs', '--log-group', '/app/errors']);
  });

  it('MSK, MQ, DocumentDB, SelfManagedKafka, IoTRule, Cognito and AlexaSkill events are listed without a command and without a warning', () => {
    const model = load(
      template(
        `
        Msk: {Type: MSK, Properties: {Stream: "arn:aws:kafka:us-east-1:1:cluster/c/1", Topics: [t], StartingPosition: LATEST}}
        Mq: {Type: MQ, Properties: {Broker: "arn:aws:mq:us-east-1:1:broker:b", Queues: [q], SourceAccessConfigurations: []}}
        Docdb: {Type: DocumentDB, Properties: {Cluster: "arn:aws:rds:us-east-1:1:cluster:d", DatabaseName: db, SourceAccessConfigurations: []}}
        Kafka: {Type: SelfManagedKafka, Properties: {KafkaBootstrapServers: ["b:9092"], Topics: [t]}}
        Iot: {Type: IoTRule, Properties: {Sql: "SELECT * FROM 'topic'"}}
        Cognito: {Type: Cognito, Properties: {UserPool: !Ref Pool, Trigger: PreSignUp}}
        Alexa: {Type: AlexaSkill}
        `,
        'Pool:\n  Type: AWS::Cognito::UserPool',
      ),
    );

    expect(model.eventSources.map((source) => [source.type, source.generateEvent])).to.deep.equal([
      ['MSK', undefined],
      ['MQ', undefined],
      ['DocumentDB', undefined],
      ['SelfManagedKafka', undefined],
      ['IoTRule', undefined],
      ['Cognito', undefined],
      ['AlexaSkill', undefined],
    ]);
    expect(model.eventSources[0]?.sourceArn).to.equal('arn:aws:kafka:us-east-1:1:cluster/c/1');
    expect(model.eventSources[5]?.sourceId).to.equal('Pool');
    expect(model.warnings.filter((warning) => warning.includes('events are not emulated'))).to.deep.equal([]);
  });

  it('an SQS event without Queue is rejected, naming the event, as SAM rejects it', () => {
    const error = loadError(template('Q:\n  Type: SQS\n  Properties: {BatchSize: 1}'));

    expect(error.path).to.equal('Resources.Fn.Properties.Events.Q.Properties');
    expect(error.message).to.include('Queue is required for SQS events');
  });

  it('rejects a BatchSize that is not a positive integer', () => {
    const error = loadError(
      template('Q:\n  Type: SQS\n  Properties: {Queue: "arn:aws:sqs:us-east-1:1:q", BatchSize: 0}'),
    );

    expect(error.path).to.equal('Resources.Fn.Properties.Events.Q.Properties.BatchSize');
  });
});
