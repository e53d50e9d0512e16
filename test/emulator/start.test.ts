import { expect } from 'chai';
import { eventSourceTable, routeTable } from '../../emulator/start.ts';
import { load, TEMPLATE_PATH } from './template/helpers.ts';

const TEMPLATE = `
  Transform: AWS::Serverless-2016-10-31
  Globals:
    Function: {CodeUri: src/, Runtime: nodejs22.x}
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties: {QueueName: jobs}
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.worker
        Events:
          Queue: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
          Rule:
            Type: EventBridgeRule
            Properties: {Pattern: {source: [shop], detail: {state: ["it's done"]}}}
          Fixed:
            Type: EventBridgeRule
            Properties: {Pattern: {source: [shop]}, Input: '{"mode":"nightly"}'}
          Kafka: {Type: SelfManagedKafka, Properties: {KafkaBootstrapServers: ['b:9092'], Topics: [t]}}
`;

describe('the start screen', () => {
  it('says there are no API routes instead of printing an empty table', () => {
    const lines = routeTable(load(TEMPLATE), 'http://127.0.0.1:3000').split('\n');

    expect(lines.slice(0, 2)).to.deep.equal([
      'Serving on http://127.0.0.1:3000',
      'No API routes: the template declares no Api or HttpApi events and no OpenAPI paths.',
    ]);
  });

  it('lists each event from another service with the exact command that runs it, one line each', () => {
    const table = eventSourceTable(load(TEMPLATE), '/project');

    expect(table.split('\n')).to.deep.equal([
      'Invoked by other services (run them by hand):',
      '  Worker Queue (SQS Jobs)          npm run -s local -- generate-event sqs receive-message --queue-name jobs | npm run -s local -- invoke Worker',
      `  Worker Rule (EventBridgeRule)    npm run -s local -- generate-event eventbridge event --source shop --detail '{"state":"it'\\''s done"}' | npm run -s local -- invoke Worker`,
      `  Worker Fixed (EventBridgeRule)   echo '{"mode":"nightly"}' | npm run -s local -- invoke Worker`,
      '  Worker Kafka (SelfManagedKafka)  npm run -s local -- invoke Worker -e event.json',
    ]);
  });

  it('names the template with -t when it is not template.yaml in the current folder', () => {
    const table = eventSourceTable(load(TEMPLATE), '/elsewhere');

    expect(TEMPLATE_PATH).to.equal('/project/template.yaml');
    expect(table).to.include('invoke -t ../project/template.yaml Worker');
    expect(eventSourceTable(load(TEMPLATE), '/project')).to.not.include(' -t ');
  });

  it('prints the block after the routes and functions, and nothing when no event comes from another service', () => {
    const withSources = routeTable(load(TEMPLATE), 'http://127.0.0.1:3000');
    const without = routeTable(
      load(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: src/, Runtime: nodejs22.x, Handler: app.handler}
      `),
      'http://127.0.0.1:3000',
    );

    expect(withSources.indexOf('Invoked by other services')).to.be.greaterThan(
      withSources.indexOf('Functions:'),
    );
    expect(without).to.not.include('Invoked by other services');
  });

  it('aligns the functions in columns, however long their names', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Globals:
        Function: {CodeUri: src/, Runtime: nodejs22.x, Handler: app.handler}
      Resources:
        Fn: {Type: AWS::Serverless::Function}
        AMuchLongerFunctionName: {Type: AWS::Serverless::Function, Properties: {MemorySize: 1024, Timeout: 30}}
    `);

    const table = routeTable(model, 'http://127.0.0.1:3000').split('\n');

    expect(table.slice(table.indexOf('Functions:') + 1, table.indexOf('Functions:') + 3)).to.deep.equal([
      '  Fn                       nodejs22.x  128 MB   timeout 3 s   handler app.handler',
      '  AMuchLongerFunctionName  nodejs22.x  1024 MB  timeout 30 s  handler app.handler',
    ]);
  });
});
