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

  it("shows each route's protection: authorizer name and kind, IAM, API key, stage throttle, or - when open", () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Globals:
        Function: {CodeUri: src/, Runtime: nodejs22.x, Handler: app.handler}
      Resources:
        Rest:
          Type: AWS::Serverless::Api
          Properties:
            StageName: dev
            MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100}]
            Auth:
              ApiKeyRequired: true
              UsagePlan: {CreateUsagePlan: PER_API}
              Authorizers:
                Tokens: {FunctionArn: !GetAtt Auth.Arn}
        Http:
          Type: AWS::Serverless::HttpApi
          Properties:
            Auth:
              EnableIamAuthorizer: true
              Authorizers:
                Jwt: {JwtConfiguration: {issuer: 'https://issuer.example', audience: [a]}, IdentitySource: $request.header.Authorization}
        Auth: {Type: AWS::Serverless::Function}
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            Events:
              Keyed: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /keyed, Method: get, Auth: {Authorizer: Tokens}}}
              Open: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /open, Method: get, Auth: {ApiKeyRequired: false}}}
              Jwt: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /jwt, Method: get, Auth: {Authorizer: Jwt}}}
              Iam: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /iam, Method: get, Auth: {Authorizer: AWS_IAM}}}
              Public: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /public, Method: get}}
    `);

    const table = routeTable(model, 'http://127.0.0.1:3000').split('\n');
    const protection = (path: string) => {
      const header = table.find((line) => line.startsWith('METHOD')) ?? '';
      const row = table.find((line) => line.includes(` ${path} `)) ?? '';
      return row.slice(header.indexOf('PROTECTION'), header.indexOf('URL')).trim();
    };

    expect(protection('/keyed')).to.equal('Tokens (lambda TOKEN), api key, 50/s burst 100');
    expect(protection('/open')).to.equal('50/s burst 100');
    expect(protection('/jwt')).to.equal('Jwt (jwt)');
    expect(protection('/iam')).to.equal('iam');
    expect(protection('/public')).to.equal('-');
  });

  it('lists the API keys to send, a generated one saying so, after the routes', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Rest:
          Type: AWS::Serverless::Api
          Properties: {StageName: dev, Auth: {ApiKeyRequired: true, UsagePlan: {CreateUsagePlan: PER_API}}}
        Disabled:
          Type: AWS::ApiGateway::ApiKey
          Properties: {Value: a-disabled-key-of-20-chars}
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Runtime: nodejs22.x
            Handler: app.handler
            Events:
              Get: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /items, Method: get}}
    `);
    const generated = model.usagePlans?.keys[0]?.value ?? '';

    const table = routeTable(model, 'http://127.0.0.1:3000').split('\n');
    const keys = table.indexOf('API keys (send one as x-api-key):');

    expect(keys).to.be.greaterThan(table.findIndex((line) => line.startsWith('GET')));
    expect(table.slice(keys + 1, keys + 3)).to.deep.equal([
      `  RestApiKey  ${generated}  Rest (generated here)`,
      `  Disabled    a-disabled-key-of-20-chars${' '.repeat(generated.length - 26)}  disabled`,
    ]);
  });
});
