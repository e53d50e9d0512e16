import path from 'node:path';
import { expect } from 'chai';
import { load } from '../emulator/template/helpers.ts';
import { APPS_FOLDER } from './expectations.ts';
import {
  functionErrorProblem,
  generatedInvokes,
  loadAppModel,
  proxyResultProblem,
  samplePath,
} from './generated-events.ts';

/** `[function, generate-event args]` of each generated invoke, in order. */
function commands(template: string): [string, string][] {
  return generatedInvokes(load(template)).map((invoke) => [invoke.function, invoke.args.join(' ')]);
}

describe('generated events for the fixture apps', () => {
  describe('generatedInvokes', () => {
    it('generates an aws-proxy event for a REST route: ANY as GET, a sample path parameter, the route as --resource', () => {
      const generated = commands(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              Events:
                Item:
                  Type: Api
                  Properties: { Path: '/items/{id}', Method: any }
      `);

      expect(generated).to.deep.equal([
        ['Fn', 'apigateway aws-proxy --method GET --path /items/sample-id --resource /items/{id}'],
      ]);
    });

    it('sends a JSON body with POST, PUT and PATCH, and a named stage that is not Prod', () => {
      const generated = commands(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties: { StageName: dev }
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              Events:
                Create:
                  Type: Api
                  Properties: { Path: /items, Method: post, RestApiId: !Ref Api }
      `);

      expect(generated).to.deep.equal([
        [
          'Fn',
          'apigateway aws-proxy --method POST --path /items --stage dev --header content-type: application/json --body {}',
        ],
      ]);
    });

    it('generates http-api-proxy for payload 2.0, a sample path for $default, and aws-proxy for an HTTP API route on payload 1.0', () => {
      const generated = commands(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              Events:
                Default:
                  Type: HttpApi
                User:
                  Type: HttpApi
                  Properties: { Path: '/users/{userId}', Method: get, PayloadFormatVersion: '1.0' }
      `);

      expect(generated).to.have.deep.members([
        ['Fn', 'apigateway http-api-proxy --method GET --path /sample/path --resource $default'],
        ['Fn', 'apigateway aws-proxy --method GET --path /users/sample-userId --resource /users/{userId}'],
      ]);
    });

    it("passes an event source's generate-event arguments exactly as the model gives them", () => {
      const model = load(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::SQS::Queue
            Properties: { QueueName: orders }
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              Events:
                Queue:
                  Type: SQS
                  Properties: { Queue: !GetAtt Orders.Arn }
      `);

      expect(generatedInvokes(model).map((invoke) => invoke.args)).to.deep.equal([
        model.eventSources[0]?.generateEvent,
      ]);
    });

    it('generates eventbridge scheduled for a schedule, and nothing for a schedule whose Input is the event', () => {
      const generated = commands(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              Events:
                Hourly:
                  Type: Schedule
                  Properties: { Schedule: rate(1 hour) }
                Daily:
                  Type: Schedule
                  Properties: { Schedule: rate(1 day), Input: '{"report":"daily"}' }
      `);

      expect(generated).to.deep.equal([['Fn', 'eventbridge scheduled']]);
    });

    it('generates a payload 2.0 request to the root of a function URL, a streaming one marked as such', () => {
      const model = load(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              FunctionUrlConfig: { AuthType: NONE, InvokeMode: RESPONSE_STREAM }
      `);

      expect(generatedInvokes(model)).to.deep.equal([
        {
          function: 'Fn',
          args: ['apigateway', 'http-api-proxy', '--method', 'GET', '--path', '/'],
          payloadVersion: '2.0',
          streams: true,
        },
      ]);
    });

    it('generates nothing for a function nothing triggers, and the same event for a function once', () => {
      const generated = commands(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties: { Handler: app.handler, Runtime: nodejs22.x }
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: nodejs22.x
              Events:
                First:
                  Type: Schedule
                  Properties: { Schedule: rate(1 hour) }
                Second:
                  Type: Schedule
                  Properties: { Schedule: rate(2 hours) }
      `);

      expect(generated).to.deep.equal([['Fn', 'eventbridge scheduled']]);
    });
  });

  describe('samplePath', () => {
    it('fills path parameters and greedy parameters with samples', () => {
      expect(samplePath('/files/{proxy+}')).to.equal('/files/sample/path');
      expect(samplePath('/a/{x}/b/{y}')).to.equal('/a/sample-x/b/sample-y');
      expect(samplePath('$default')).to.equal('/sample/path');
      expect(samplePath('/')).to.equal('/');
    });
  });

  describe('loadAppModel', () => {
    it("resolves a parameter without Default from the app's samconfig, as invoke does", () => {
      const model = loadAppModel(path.join(APPS_FOLDER, 'samconfig-deploy-params'));

      expect(model.functions.get('GreetingFunction')?.functionName).to.equal('greeting-dev');
    });
  });

  describe('proxyResultProblem', () => {
    it('accepts a payload 1.0 result with an integer statusCode from 100 to 599 and a string body', () => {
      expect(proxyResultProblem({ statusCode: 200, body: '{}' }, '1.0')).to.equal(undefined);
      expect(proxyResultProblem({ statusCode: 599 }, '1.0')).to.equal(undefined);
    });

    it('rejects a payload 1.0 result that API Gateway reports as a malformed Lambda proxy response', () => {
      expect(proxyResultProblem('ok', '1.0')).to.match(/must be an object/);
      expect(proxyResultProblem({ body: '{}' }, '1.0')).to.match(/statusCode must be an integer/);
      expect(proxyResultProblem({ statusCode: '200' }, '1.0')).to.match(/statusCode must be an integer/);
      expect(proxyResultProblem({ statusCode: 200.5 }, '1.0')).to.match(/statusCode must be an integer/);
      expect(proxyResultProblem({ statusCode: 600 }, '1.0')).to.match(/statusCode must be an integer/);
      expect(proxyResultProblem({ statusCode: 200, body: { a: 1 } }, '1.0')).to.match(
        /body must be a string/,
      );
    });

    it('accepts any JSON value as a payload 2.0 result, and checks the statusCode of one that gives it', () => {
      expect(proxyResultProblem('ok', '2.0')).to.equal(undefined);
      expect(proxyResultProblem({ id: 1 }, '2.0')).to.equal(undefined);
      expect(proxyResultProblem(null, '2.0')).to.equal(undefined);
      expect(proxyResultProblem({ statusCode: 42 }, '2.0')).to.match(/statusCode must be an integer/);
    });
  });

  describe('functionErrorProblem', () => {
    it('accepts an error the function threw, whatever its class', () => {
      expect(functionErrorProblem({ errorType: 'TypeError', errorMessage: 'x', trace: [] })).to.equal(
        undefined,
      );
      expect(functionErrorProblem({ errorType: 'ValidationError', errorMessage: 'bad' })).to.equal(undefined);
    });

    it("rejects the runtime's and the sandbox's failures, and output that is no Lambda error", () => {
      expect(functionErrorProblem({ errorType: 'Runtime.ImportModuleError', errorMessage: 'x' })).to.match(
        /Runtime.ImportModuleError is the runtime's failure/,
      );
      expect(functionErrorProblem({ errorType: 'Sandbox.Timedout', errorMessage: 'x' })).to.match(
        /Sandbox.Timedout/,
      );
      expect(functionErrorProblem('Error: no such function')).to.match(/expected a JSON error/);
    });
  });
});
