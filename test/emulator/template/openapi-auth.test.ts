import { expect } from 'chai';
import { load } from './helpers.ts';

const template = (api: string) => `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {CodeUri: src/, Runtime: nodejs22.x, Handler: app.handler}
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
  Fn:
    Type: AWS::Serverless::Function
${api}
`;

const lambdaUri = `!Sub 'arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Fn.Arn}/invocations'`;
const authorizerUri = `!Sub 'arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${AuthFn.Arn}/invocations'`;

describe('OpenAPI security: authorizers a definition declares, on the operations that require them', () => {
  it('REST (Swagger 2): a token authorizer in securityDefinitions protects the operations whose security names it', () => {
    const model = load(
      template(`
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        swagger: '2.0'
        securityDefinitions:
          Token:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: ${authorizerUri}
              identityValidationExpression: '^Bearer .+$'
              authorizerResultTtlInSeconds: 60
          api_key: {type: apiKey, name: x-api-key, in: header}
        paths:
          /guarded:
            get:
              security: [{Token: []}, {api_key: []}]
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: ${lambdaUri}}
          /open:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: ${lambdaUri}}
`),
    );
    const guarded = model.routes.find((route) => route.path === '/guarded')?.auth;

    expect(guarded?.apiKeyRequired).to.equal(true);
    expect(guarded?.authorizer).to.include({
      kind: 'lambda',
      name: 'Token',
      functionId: 'AuthFn',
      payloadType: 'TOKEN',
      validationExpression: '^Bearer .+$',
      ttlSeconds: 60,
    });
    expect(model.routes.find((route) => route.path === '/open')?.auth).to.equal(undefined);
  });

  it('HTTP API (OpenAPI 3): a jwt authorizer required by the whole document, with scopes; a request one with its identity sources', () => {
    const model = load(
      template(`
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: '3.0.1'
        security: [{Jwt: [orders:read]}]
        components:
          securitySchemes:
            Jwt:
              type: oauth2
              x-amazon-apigateway-authorizer:
                type: jwt
                identitySource: $request.header.Authorization
                jwtConfiguration: {issuer: 'https://issuer.example', audience: [app]}
            Custom:
              type: apiKey
              name: X-Token
              in: header
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: ${authorizerUri}
                authorizerPayloadFormatVersion: '2.0'
                enableSimpleResponses: true
                identitySource: '$request.header.X-Token, $request.querystring.tenant'
        paths:
          /orders:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: ${lambdaUri}, payloadFormatVersion: '2.0'}
          /custom:
            get:
              security: [{Custom: []}]
              x-amazon-apigateway-integration: {type: aws_proxy, uri: ${lambdaUri}, payloadFormatVersion: '2.0'}
`),
    );

    expect(model.routes.find((route) => route.path === '/orders')?.auth).to.deep.include({
      scopes: ['orders:read'],
    });
    expect(model.routes.find((route) => route.path === '/orders')?.auth?.authorizer).to.include({
      kind: 'jwt',
      issuer: 'https://issuer.example',
    });
    const custom = model.routes.find((route) => route.path === '/custom')?.auth?.authorizer;
    expect(custom).to.include({
      kind: 'lambda',
      payloadVersion: '2.0',
      simpleResponses: true,
      ttlSeconds: 0,
    });
    expect(custom).to.have.deep.nested.property('identity.headers', ['X-Token']);
    expect(custom).to.have.deep.nested.property('identity.queryStrings', ['tenant']);
  });

  it("SAM writes the API's DefaultAuthorizer onto a DefinitionBody's methods without security of their own", () => {
    const model = load(
      template(`
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Token
        Authorizers:
          Token: {FunctionArn: !GetAtt AuthFn.Arn}
      DefinitionBody:
        swagger: '2.0'
        paths:
          /items:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: ${lambdaUri}}
`),
    );

    expect(model.routes[0]?.auth?.authorizer).to.include({ kind: 'lambda', name: 'Token' });
  });

  it('awsSigv4 is IAM authorization', () => {
    const model = load(
      template(`
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        swagger: '2.0'
        securityDefinitions:
          sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
        paths:
          /items:
            get:
              security: [{sigv4: []}]
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: ${lambdaUri}}
`),
    );

    expect(model.routes[0]?.auth?.authorizer).to.deep.equal({ kind: 'iam' });
  });
});
