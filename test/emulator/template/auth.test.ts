import { expect } from 'chai';
import { load, loadError } from './helpers.ts';

const template = (resources: string, globals = '') => `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {CodeUri: src/, Runtime: nodejs22.x, Handler: app.handler}
${globals}
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
${resources}
`;

const routeAuth = (model: ReturnType<typeof load>, path: string) =>
  model.routes.find((route) => route.path === path)?.auth;

describe('template Auth: what protects each route, as SAM reads it', () => {
  const restApi = `
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Token
        ApiKeyRequired: true
        Authorizers:
          Token: {FunctionArn: !GetAtt AuthFn.Arn}
          Request:
            FunctionPayloadType: REQUEST
            FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:elsewhere
            Identity: {Headers: [X-Id], ReauthorizeEvery: 0}
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
            AuthorizationScopes: [read]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        ByDefault: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /default, Method: get}}
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /open, Method: get, Auth: {Authorizer: NONE, ApiKeyRequired: false}}}
        Req: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /req, Method: get, Auth: {Authorizer: Request}}}
        Scoped: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /scoped, Method: get, Auth: {Authorizer: Pool, AuthorizationScopes: [write]}}}
        PoolDefault: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /pool, Method: get, Auth: {Authorizer: Pool}}}
        Iam: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /iam, Method: get, Auth: {Authorizer: AWS_IAM}}}
`;

  it("gives a route without its own Auth the API's DefaultAuthorizer and ApiKeyRequired", () => {
    const auth = routeAuth(load(template(restApi)), '/default');

    expect(auth?.authorizer).to.include({
      kind: 'lambda',
      name: 'Token',
      functionId: 'AuthFn',
      payloadType: 'TOKEN',
    });
    expect(auth?.authorizer).to.deep.include({
      identity: { headers: ['Authorization'], queryStrings: [], stageVariables: [], context: [] },
      ttlSeconds: 300,
    });
    expect(auth?.apiKeyRequired).to.equal(true);
  });

  it('Authorizer NONE and ApiKeyRequired false open a route', () => {
    expect(routeAuth(load(template(restApi)), '/open')).to.equal(undefined);
  });

  it('reads a REQUEST authorizer whose function is outside the template by its ARN', () => {
    const authorizer = routeAuth(load(template(restApi)), '/req')?.authorizer;

    expect(authorizer).to.include({
      payloadType: 'REQUEST',
      functionId: undefined,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere',
      ttlSeconds: 0,
    });
    expect(authorizer).to.have.deep.nested.property('identity.headers', ['X-Id']);
  });

  it("an event's AuthorizationScopes replace the authorizer's; without them the authorizer's apply", () => {
    const model = load(template(restApi));

    expect(routeAuth(model, '/scoped')?.scopes).to.deep.equal(['write']);
    expect(routeAuth(model, '/pool')?.scopes).to.deep.equal(['read']);
    expect(routeAuth(model, '/pool')?.authorizer).to.include({ kind: 'cognito', header: 'Authorization' });
  });

  it('AWS_IAM names IAM authorization', () => {
    expect(routeAuth(load(template(restApi)), '/iam')?.authorizer).to.deep.equal({ kind: 'iam' });
  });

  it('Globals.Api.Auth protects the implicit REST API', () => {
    const model = load(
      template(
        `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /g, Method: get}}
`,
        `  Api:
    Auth:
      DefaultAuthorizer: Token
      Authorizers:
        Token: {FunctionArn: !GetAtt AuthFn.Arn}`,
      ),
    );

    expect(routeAuth(model, '/g')?.authorizer).to.include({ name: 'Token' });
  });

  it('an event naming an authorizer the API does not have is an error naming the choices', () => {
    const message = loadError(
      template(`
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        Authorizers:
          Token: {FunctionArn: !GetAtt AuthFn.Arn}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /g, Method: get, Auth: {Authorizer: Missing}}}
`),
    );

    expect(message.message).to.include('Missing is not an authorizer of Api (Token, AWS_IAM, NONE)');
  });

  it('HTTP API: a Lambda authorizer needs AuthorizerPayloadFormatVersion; JwtConfiguration makes a JWT authorizer', () => {
    const http = (authorizer: string) =>
      template(`
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: A
        Authorizers:
          A: ${authorizer}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /h, Method: get}}
`);

    expect(loadError(http('{FunctionArn: !GetAtt AuthFn.Arn}')).message).to.include(
      'AuthorizerPayloadFormatVersion is required',
    );
    expect(
      routeAuth(
        load(
          http(
            "{FunctionArn: !GetAtt AuthFn.Arn, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true}",
          ),
        ),
        '/h',
      )?.authorizer,
    ).to.include({
      payloadVersion: '2.0',
      simpleResponses: true,
      ttlSeconds: 0,
    });
    expect(
      routeAuth(
        load(
          http(
            '{JwtConfiguration: {issuer: https://issuer.example, audience: [app]}, AuthorizationScopes: [read]}',
          ),
        ),
        '/h',
      ),
    ).to.deep.equal({
      authorizer: {
        kind: 'jwt',
        name: 'A',
        issuer: 'https://issuer.example',
        audience: ['app'],
        identitySource: '$request.header.Authorization',
        authorizationScopes: ['read'],
      },
      scopes: ['read'],
      apiKeyRequired: false,
    });
  });
});
