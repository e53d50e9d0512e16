import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { routeTable } from '../../../emulator/start.ts';
import { parseTemplate, TemplateError } from '../../../emulator/template/load.ts';
import { type AppModel, integrationOf, type RouteModel } from '../../../emulator/template/model.ts';
import { dedent, load, loadError } from './helpers.ts';

/** A template with a `MyApi` of `type` (its Properties indented under it) and a function `Fn` with `events`. */
function template(type: 'Api' | 'HttpApi', apiProperties: string, events = ''): string {
  const indent = (text: string, spaces: number) =>
    dedent(text)
      .split('\n')
      .map((line) => (line === '' ? line : `${' '.repeat(spaces)}${line}`))
      .join('\n');
  return `Transform: AWS::Serverless-2016-10-31
Resources:
  MyApi:
    Type: AWS::Serverless::${type}
    Properties:
${indent(apiProperties, 6)}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: my-function
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs22.x
${events === '' ? '' : `      Events:\n${indent(events, 8)}`}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.other
      Runtime: nodejs22.x
`;
}

const LAMBDA_URI = `!Sub "arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Fn.Arn}/invocations"`;

function routesOf(model: AppModel): string[] {
  return model.routes.map((route) => `${route.method} ${route.path} → ${describeIntegration(route)}`);
}

function describeIntegration(route: RouteModel): string {
  const integration = integrationOf(route);
  return integration.kind === 'lambda' ? integration.functionId : integration.kind;
}

function onlyRoute(model: AppModel): RouteModel {
  expect(model.routes).to.have.length(1);
  const [route] = model.routes;
  if (route === undefined) return expect.fail('no route');
  return route;
}

describe('template OpenAPI definitions', () => {
  describe('routes from paths', () => {
    it('a Swagger 2.0 REST DefinitionBody with a Fn::Sub of Function.Arn as aws_proxy uri routes to that function with payload 1.0', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            info: {title: t, version: '1'}
            paths:
              /items/{id}:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    httpMethod: POST
                    uri: ${LAMBDA_URI}
          `,
        ),
      );

      expect(onlyRoute(model)).to.deep.equal({
        apiId: 'MyApi',
        kind: 'rest',
        method: 'GET',
        path: '/items/{id}',
        functionId: 'Fn',
        eventId: 'DefinitionBody',
        payloadVersion: '1.0',
        integrationTimeoutMs: 29000,
      });
      expect(model.warnings).to.deep.equal([]);
    });

    it("an OpenAPI 3 HTTP API integration's payloadFormatVersion and timeoutInMillis are the route's", () => {
      const model = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            info: {title: t, version: '1'}
            paths:
              /things:
                post:
                  x-amazon-apigateway-integration:
                    type: AWS_PROXY
                    payloadFormatVersion: 1.0
                    timeoutInMillis: 5000
                    uri: !GetAtt Fn.Arn
          `,
        ),
      );

      expect(onlyRoute(model)).to.include({
        kind: 'http',
        method: 'POST',
        payloadVersion: '1.0',
        integrationTimeoutMs: 5000,
      });
    });

    it('an HTTP API integration without payloadFormatVersion gets 2.0 (as sam local), with a warning that API Gateway requires it', () => {
      const model = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            paths:
              /things:
                get:
                  x-amazon-apigateway-integration: {type: aws_proxy, uri: ${LAMBDA_URI}}
          `,
        ),
      );

      expect(onlyRoute(model)).to.include({ payloadVersion: '2.0', integrationTimeoutMs: 30000 });
      expect(model.warnings.join('\n')).to.include('have no payloadFormatVersion');
    });

    it('x-amazon-apigateway-any-method is the ANY method, and /$default with it is the HTTP API default route', () => {
      const model = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            paths:
              /{proxy+}:
                x-amazon-apigateway-any-method:
                  x-amazon-apigateway-integration: {type: aws_proxy, payloadFormatVersion: '2.0', uri: ${LAMBDA_URI}}
              /$default:
                x-amazon-apigateway-any-method:
                  isDefaultRoute: true
                  x-amazon-apigateway-integration: {type: aws_proxy, payloadFormatVersion: '2.0', uri: ${LAMBDA_URI}}
          `,
        ),
      );

      expect(routesOf(model)).to.deep.equal(['ANY /{proxy+} → Fn', 'ANY $default → Fn']);
    });

    it('a function ARN with an alias qualifier, from Fn::Join and Fn::GetAtt, names the function by its FunctionName', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /a:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    uri: !Join ['', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', !GetAtt Fn.Arn, ':live/invocations']]
              /b:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Other/invocations
          `,
        ),
      );

      expect(routesOf(model)).to.deep.equal(['GET /a → Fn', 'GET /b → Other']);
    });

    it('a stageVariables.name reference in a function uri takes the stage variable of the API', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          Variables: {fn: my-function}
          DefinitionBody:
            swagger: '2.0'
            paths:
              /a:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:\${stageVariables.fn}/invocations
          `,
        ),
      );

      expect(routesOf(model)).to.deep.equal(['GET /a → Fn']);
    });

    it('API Gateway ignores the base path on import: basePath is warned about and routes keep their paths', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            basePath: /api
            paths:
              /a:
                get:
                  x-amazon-apigateway-integration: {type: aws_proxy, uri: ${LAMBDA_URI}}
          `,
        ),
      );

      expect(onlyRoute(model).path).to.equal('/a');
      expect(model.warnings.join('\n')).to.include('ignores the base path /api');
    });

    it('x-amazon-apigateway-binary-media-types add to the REST API binary media types; x-amazon-apigateway-cors is the HTTP API CORS', () => {
      const rest = load(
        template(
          'Api',
          `
          StageName: v1
          BinaryMediaTypes: [image~1png]
          DefinitionBody:
            swagger: '2.0'
            x-amazon-apigateway-binary-media-types: [application/octet-stream]
            paths: {}
          `,
        ),
      );
      const http = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            x-amazon-apigateway-cors: {allowOrigins: [https://app.example], allowMethods: [GET], maxAge: 60}
            paths: {}
          `,
        ),
      );

      expect(rest.apis.get('MyApi')?.binaryMediaTypes).to.deep.equal([
        'image/png',
        'application/octet-stream',
      ]);
      expect(http.apis.get('MyApi')?.cors).to.deep.equal({
        kind: 'http',
        allowOrigins: ['https://app.example'],
        allowMethods: ['GET'],
        allowHeaders: [],
        exposeHeaders: [],
        maxAge: 60,
        allowCredentials: false,
      });
    });
  });

  it('request validators and gateway responses of the definition are warned about as not emulated', () => {
    const model = load(
      template(
        'Api',
        `
        StageName: v1
        DefinitionBody:
          swagger: '2.0'
          securityDefinitions: {Key: {type: apiKey, name: x-api-key, in: header}}
          x-amazon-apigateway-request-validators: {all: {validateRequestBody: true}}
          paths: {}
        `,
      ),
    );

    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:7: Resources.MyApi.Properties.DefinitionBody: request validation in the ' +
        'definition are not emulated; every request is let through as if none were set',
    ]);
  });

  describe('integrations other than Lambda', () => {
    it('a REST mock is answered by the response whose status regex matches the request template statusCode', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /gone:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {application/json: '{"statusCode": 410}'}
                    responses:
                      4\\d{2}:
                        statusCode: '410'
                        responseParameters:
                          method.response.header.Cache-Control: "'no-store'"
                        responseTemplates: {application/json: '{"message":"gone"}'}
                      default: {statusCode: '200'}
          `,
        ),
      );

      expect(onlyRoute(model).integration).to.deep.equal({
        kind: 'mock',
        statusCode: 410,
        headers: [
          ['Content-Type', 'application/json'],
          ['Cache-Control', 'no-store'],
        ],
        body: '{"message":"gone"}',
      });
    });

    it('a REST mock without a request template uses the default response', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /ok:
                options:
                  x-amazon-apigateway-integration:
                    type: mock
                    responses:
                      default: {statusCode: '204'}
          `,
        ),
      );

      expect(onlyRoute(model)).to.deep.include({
        method: 'OPTIONS',
        functionId: '',
        integration: {
          kind: 'mock',
          statusCode: 204,
          headers: [['Content-Type', 'application/json']],
          body: '',
        },
      });
    });

    it('VTL in a mock template is warned about and not evaluated', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /vtl:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {application/json: "#if($input.params('x') == 'y'){\\"statusCode\\": 404}#else{\\"statusCode\\": 200}#end"}
                    responses:
                      '404': {statusCode: '404'}
                      default: {statusCode: '200'}
          `,
        ),
      );

      expect(onlyRoute(model).integration).to.include({ kind: 'mock', statusCode: 404 });
      expect(model.warnings.join('\n')).to.include('VTL in a mock request template is not evaluated');
    });

    it('an http_proxy integration keeps its uri, httpMethod (ANY: the request method) and requestParameters', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /pets/{id}:
                get:
                  x-amazon-apigateway-integration:
                    type: http_proxy
                    httpMethod: ANY
                    uri: https://petstore.example.com/pets/{id}
                    timeoutInMillis: 1500
                    requestParameters: {integration.request.path.id: method.request.path.id}
          `,
        ),
      );

      expect(onlyRoute(model)).to.deep.include({
        integrationTimeoutMs: 1500,
        integration: {
          kind: 'http',
          uri: 'https://petstore.example.com/pets/{id}',
          method: undefined,
          requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
        },
      });
    });

    it('integrations the emulator cannot run are routes with the reason, listed at start', () => {
      const model = load(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /queue:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    uri: !Sub arn:aws:apigateway:\${AWS::Region}:sqs:path/\${AWS::AccountId}/orders
              /elsewhere:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:other-stack-fn/invocations
          `,
        ),
      );

      expect(model.routes.map((route) => integrationOf(route))).to.deep.equal([
        {
          kind: 'unsupported',
          reason: "a non-proxy 'aws' integration with sqs (VTL mapping templates) is not emulated",
        },
        {
          kind: 'unsupported',
          reason:
            'Lambda function other-stack-fn is not a function of this template (functions of other stacks are not run locally)',
        },
      ]);
      const table = routeTable(model, 'http://127.0.0.1:3000');
      expect(table).to.include('Integrations not emulated (they answer 500 saying why):');
      expect(table).to.include('  POST /queue (MyApi): a non-proxy');
      expect(table).to.match(/GET +\/elsewhere +\(not emulated\)/);
    });

    it('a route to a function the emulator does not run (another runtime) is unsupported, with no payload in the table', () => {
      const model = load(`
        Transform: AWS::Serverless-2016-10-31
        Resources:
          MyApi:
            Type: AWS::Serverless::HttpApi
            Properties:
              DefinitionBody:
                openapi: 3.0.1
                paths:
                  /py:
                    get:
                      x-amazon-apigateway-integration: {type: aws_proxy, payloadFormatVersion: '2.0', uri: !GetAtt Py.Arn}
          Py:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.13}
      `);

      expect(integrationOf(onlyRoute(model))).to.deep.equal({
        kind: 'unsupported',
        reason: 'function Py is not emulated (see its warning)',
      });
      expect(routeTable(model, 'http://127.0.0.1:3000')).to.match(
        /GET +\/py +\(not emulated\) +HTTP MyApi +- /,
      );
    });

    it('an HTTP API has no mock integrations: such a route is unsupported', () => {
      const model = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            paths:
              /m:
                get:
                  x-amazon-apigateway-integration: {type: mock}
          `,
        ),
      );

      expect(integrationOf(onlyRoute(model))).to.deep.equal({
        kind: 'unsupported',
        reason: 'HTTP APIs have no mock integrations',
      });
    });
  });

  describe('merged with function events as SAM merges them', () => {
    const restBody = `
      StageName: v1
      DefinitionBody:
        swagger: '2.0'
        paths:
          /declared:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: ${LAMBDA_URI}}
          /open:
            get:
              responses: {}
    `;

    it('a REST event is not added to a DefinitionBody without MergeDefinitions (SAM adds events only to a body it generates)', () => {
      const model = load(
        template(
          'Api',
          restBody,
          `
          New: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /new, Method: post}}
          Declared: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /declared, Method: get}}
          `,
        ),
      );

      expect(model.routes.map((route) => `${route.method} ${route.path} ${route.eventId}`)).to.deep.equal([
        'GET /declared DefinitionBody',
      ]);
      const warnings = model.warnings.join('\n');
      expect(warnings).to.include(
        'Resources.Fn.Properties.Events.New: SAM adds Api events to a DefinitionBody only with MergeDefinitions: true',
      );
      expect(warnings).to.not.include('Events.Declared');
    });

    it('with MergeDefinitions a REST event adds its path, fills a declared method, and is written over an integrated one', () => {
      const model = load(
        template(
          'Api',
          `MergeDefinitions: true\n${dedent(restBody)}`,
          `
          New: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /new, Method: post}}
          Open: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /open, Method: get}}
          Declared: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /declared, Method: get}}
          `,
        ),
      );

      expect(model.routes.map((route) => `${route.method} ${route.path} ${route.eventId}`)).to.deep.equal([
        'GET /declared Declared',
        'GET /open Open',
        'POST /new New',
      ]);
    });

    it('an HTTP API event adds its route to the DefinitionBody where the body has no integration for it', () => {
      const model = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            paths: {}
          `,
          'Added: {Type: HttpApi, Properties: {ApiId: !Ref MyApi, Path: /added, Method: get}}',
        ),
      );

      expect(model.routes.map((route) => `${route.method} ${route.path} ${route.eventId}`)).to.deep.equal([
        'GET /added Added',
      ]);
    });

    it("an HTTP API event keeps the definition's integration but copies its explicit PayloadFormatVersion onto it", () => {
      const model = load(
        template(
          'HttpApi',
          `
          DefinitionBody:
            openapi: 3.0.1
            paths:
              /declared:
                get:
                  x-amazon-apigateway-integration: {type: aws_proxy, payloadFormatVersion: '2.0', uri: ${LAMBDA_URI}}
          `,
          "Same: {Type: HttpApi, Properties: {ApiId: !Ref MyApi, Path: /declared, Method: get, PayloadFormatVersion: '1.0'}}",
        ),
      );

      expect(onlyRoute(model)).to.include({
        functionId: 'Fn',
        eventId: 'DefinitionBody',
        payloadVersion: '1.0',
      });
    });

    it('a declared method with no integration and no event is not served, with a warning', () => {
      const model = load(template('Api', restBody));

      expect(routesOf(model)).to.deep.equal(['GET /declared → Fn']);
      expect(model.warnings.join('\n')).to.include(
        'has no x-amazon-apigateway-integration, so API Gateway cannot serve GET /open',
      );
    });
  });

  describe('documents in files', () => {
    let directory: string;
    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'openapi-test-'));
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    function loadFiles(templateText: string, files: Record<string, string>): AppModel {
      for (const [name, text] of Object.entries(files))
        writeFileSync(path.join(directory, name), dedent(text));
      return parseTemplate(templateText, path.join(directory, 'template.yaml'));
    }

    function loadFilesError(templateText: string, files: Record<string, string>): TemplateError {
      try {
        loadFiles(templateText, files);
      } catch (error) {
        if (error instanceof TemplateError) return error;
        throw error;
      }
      return expect.fail('expected a TemplateError');
    }

    const INCLUDE = `
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: ./api.yaml}
    `;

    it('DefinitionBody with Fn::Transform AWS::Include reads the local file, short-form intrinsics resolved, and merges events', () => {
      const model = loadFiles(
        template(
          'HttpApi',
          INCLUDE,
          'Extra: {Type: HttpApi, Properties: {ApiId: !Ref MyApi, Path: /extra, Method: get}}',
        ),
        {
          'api.yaml': `
            openapi: 3.0.1
            paths:
              /included:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    payloadFormatVersion: '2.0'
                    uri: ${LAMBDA_URI}
          `,
        },
      );

      expect(model.routes.map((route) => `${route.method} ${route.path} ${route.eventId}`)).to.deep.equal([
        'GET /included DefinitionBody',
        'GET /extra Extra',
      ]);
    });

    it('an error in an included file names that file, its line and the path inside it', () => {
      const error = loadFilesError(template('HttpApi', INCLUDE), {
        'api.yaml': `
          openapi: 3.0.1
          paths:
            /x:
              get:
                x-amazon-apigateway-integration:
                  type: aws_proxy
                  uri: !Ref Missing
        `,
      });

      expect(error.templatePath).to.equal(path.join(directory, 'api.yaml'));
      expect(error.line).to.equal(7);
      expect(error.path).to.equal('paths./x.get.x-amazon-apigateway-integration.uri.Ref');
      expect(error.message).to.include('Ref Missing');
    });

    it('a YAML error in an included file names the file and line', () => {
      const error = loadFilesError(template('HttpApi', INCLUDE), {
        'api.yaml': 'openapi: 3.0.1\npaths: [unclosed\n',
      });

      expect(error.templatePath).to.equal(path.join(directory, 'api.yaml'));
      expect(error.message).to.include('YAML syntax error');
    });

    it('a local DefinitionUri file (JSON) gives routes, and events are not added to it, as SAM never edits it', () => {
      const model = loadFiles(
        template(
          'Api',
          'StageName: v1\nDefinitionUri: openapi.json',
          'Extra: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /extra, Method: get}}',
        ),
        {
          'openapi.json': JSON.stringify({
            swagger: '2.0',
            paths: {
              '/file': {
                get: {
                  'x-amazon-apigateway-integration': {
                    type: 'aws_proxy',
                    uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-function/invocations',
                  },
                },
              },
            },
          }),
        },
      );

      expect(routesOf(model)).to.deep.equal(['GET /file → Fn']);
      expect(model.warnings.join('\n')).to.include('SAM does not add events to a DefinitionUri document');
    });

    it('a DefinitionUri in S3 is warned about and the API keeps its event routes', () => {
      const model = load(
        template(
          'Api',
          'StageName: v1\nDefinitionUri: s3://bucket/openapi.yaml',
          'Extra: {Type: Api, Properties: {RestApiId: !Ref MyApi, Path: /extra, Method: get}}',
        ),
      );

      expect(routesOf(model)).to.deep.equal(['GET /extra → Fn']);
      expect(model.warnings.join('\n')).to.include('s3://bucket/openapi.yaml is not read by the emulator');
    });

    it('a missing DefinitionUri file is an error at the property', () => {
      const error = loadFilesError(template('Api', 'StageName: v1\nDefinitionUri: nowhere.yaml'), {});

      expect(error.path).to.equal('Resources.MyApi.Properties.DefinitionUri');
      expect(error.message).to.include('cannot read the OpenAPI document');
    });
  });

  describe('errors name the template path and line', () => {
    it('rejects DefinitionBody together with DefinitionUri, as SAM does', () => {
      const error = loadError(
        template('Api', 'StageName: v1\nDefinitionUri: a.yaml\nDefinitionBody: {swagger: "2.0", paths: {}}'),
      );

      expect(error.path).to.equal('Resources.MyApi.Properties.DefinitionUri');
      expect(error.message).to.include("either 'DefinitionUri' or 'DefinitionBody'");
    });

    it('rejects a document that is neither Swagger 2.0 nor OpenAPI 3', () => {
      const error = loadError(
        template('Api', 'StageName: v1\nDefinitionBody: {info: {title: t}, paths: {}}'),
      );

      expect(error.path).to.equal('Resources.MyApi.Properties.DefinitionBody');
      expect(error.line).to.equal(7);
    });

    it('rejects a greedy path variable that is not the last segment', () => {
      const error = loadError(
        template(
          'Api',
          `
          StageName: v1
          DefinitionBody:
            swagger: '2.0'
            paths:
              /{proxy+}/more:
                get: {}
          `,
        ),
      );

      expect(error.path).to.equal('Resources.MyApi.Properties.DefinitionBody.paths./{proxy+}/more');
      expect(error.line).to.equal(10);
      expect(error.message).to.include('must be the last segment');
    });
  });
});
