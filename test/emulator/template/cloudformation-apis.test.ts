import { expect } from 'chai';
import { load } from './helpers.ts';

const FUNCTION = `
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs22.x}
`;

describe('template: plain CloudFormation API Gateway resources, as sam local start-api reads them', () => {
  it('serves an AWS::ApiGateway::RestApi Body on the stage an AWS::ApiGateway::Stage names, with its variables', () => {
    const model = load(`
Transform: AWS::Serverless-2016-10-31
Resources:
${FUNCTION}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: items
      BinaryMediaTypes: [image/png]
      Body:
        swagger: '2.0'
        info: {title: items}
        paths:
          /items/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Fn.Arn}/invocations
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: v1
      Variables: {mode: test}
`);
    expect(model.apis.get('Api')).to.include({ kind: 'rest', stageName: 'v1' });
    expect(model.apis.get('Api')?.stageVariables).to.deep.equal({ mode: 'test' });
    expect(model.apis.get('Api')?.binaryMediaTypes).to.deep.equal(['image/png']);
    expect(
      model.routes.map((route) => [route.apiId, route.method, route.path, route.functionId]),
    ).to.deep.equal([['Api', 'GET', '/items/{id}', 'Fn']]);
    expect(model.ignoredResources.map((group) => group.type)).to.deep.equal([
      'AWS::ApiGateway::Deployment',
      'AWS::ApiGateway::Stage',
    ]);
  });

  it('serves an AWS::ApiGatewayV2::Api made by quick create (Target) as one $default route with payload 2.0', () => {
    const model = load(`
Transform: AWS::Serverless-2016-10-31
Resources:
${FUNCTION}
  HttpApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: quick
      ProtocolType: HTTP
      Target: !GetAtt Fn.Arn
      CorsConfiguration: {AllowOrigins: ['https://app.example']}
`);
    expect(model.apis.get('HttpApi')).to.include({ kind: 'http', stageName: '$default' });
    expect(model.apis.get('HttpApi')?.cors).to.include({ kind: 'http' });
    expect(model.routes).to.deep.equal([
      {
        apiId: 'HttpApi',
        kind: 'http',
        method: 'ANY',
        path: '$default',
        functionId: 'Fn',
        eventId: 'Target',
        payloadVersion: '2.0',
        integrationTimeoutMs: 30_000,
      },
    ]);
  });

  it('routes a Body integration to an AWS::Lambda::Function, named by its FunctionName in the ARN', () => {
    const model = load(`
Resources:
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: request-unicorn
      Handler: index.handler
      Runtime: nodejs22.x
      Code: {ZipFile: "exports.handler = async () => ({statusCode: 200})"}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: '2.0'
        paths:
          /ride:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Join ['', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', !GetAtt Plain.Arn, '/invocations']]
`);
    expect(model.routes.map((route) => [route.method, route.path, route.functionId])).to.deep.equal([
      ['POST', '/ride', 'Plain'],
    ]);
  });

  it('warns about APIs made of Route resources or of another protocol, and serves nothing of them', () => {
    const model = load(`
Transform: AWS::Serverless-2016-10-31
Resources:
${FUNCTION}
  Sockets:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Routed:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: routed, ProtocolType: HTTP}
`);
    expect(model.apis.size).to.equal(0);
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:10: Resources.Sockets.Properties.ProtocolType: WEBSOCKET APIs are not emulated; API ignored',
      '/project/template.yaml:11: Resources.Routed: only an AWS::ApiGatewayV2::Api with an OpenAPI Body or a quick-create Target is served; routes made of Route and Integration resources are not read',
    ]);
  });
});
