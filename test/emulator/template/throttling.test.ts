import { expect } from 'chai';
import { load, loadError } from './helpers.ts';

const withApi = (type: string, properties: string) => `
  Transform: AWS::Serverless-2016-10-31
  Resources:
    MyApi:
      Type: ${type}
      Properties:
${properties}
    Fn:
      Type: AWS::Serverless::Function
      Properties:
        CodeUri: src/
        Runtime: nodejs22.x
        Handler: app.handler
        Events:
          Get:
            Type: ${type === 'AWS::Serverless::Api' ? 'Api' : 'HttpApi'}
            Properties: {${type === 'AWS::Serverless::Api' ? 'RestApiId' : 'ApiId'}: !Ref MyApi, Path: /items, Method: get}
`;

describe('stage throttles in the template', () => {
  it('MethodSettings: /* * is the stage default; a ResourcePath in the ~1 form is a method of its own', () => {
    const model = load(
      withApi(
        'AWS::Serverless::Api',
        `        StageName: dev
        MethodSettings:
          - {ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20}
          - {ResourcePath: '/~1items~1{id}', HttpMethod: get, ThrottlingRateLimit: 1.5}
          - {ResourcePath: /, HttpMethod: '*', ThrottlingBurstLimit: 3}
          - {ResourcePath: /*, HttpMethod: '*', LoggingLevel: INFO}`,
      ),
    );

    expect(model.apis.get('MyApi')?.throttle).to.deep.equal({
      default: { rateLimit: 10, burstLimit: 20 },
      routes: new Map([
        ['GET /items/{id}', { rateLimit: 1.5, burstLimit: undefined }],
        ['* /', { rateLimit: undefined, burstLimit: 3 }],
      ]),
    });
  });

  it('MethodSettings without a throttle sets none', () => {
    const model = load(
      withApi(
        'AWS::Serverless::Api',
        `        StageName: dev
        MethodSettings: [{ResourcePath: /*, HttpMethod: '*', MetricsEnabled: true}]`,
      ),
    );

    expect(model.apis.get('MyApi')?.throttle).to.equal(undefined);
  });

  it('a MethodSettings item needs its ResourcePath and HttpMethod, and limits are numbers of 0 or more', () => {
    const missing = loadError(
      withApi(
        'AWS::Serverless::Api',
        `        StageName: dev\n        MethodSettings: [{HttpMethod: '*', ThrottlingRateLimit: 1}]`,
      ),
    );
    const negative = loadError(
      withApi(
        'AWS::Serverless::Api',
        `        StageName: dev\n        MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: -1}]`,
      ),
    );

    expect(missing.path).to.equal('Resources.MyApi.Properties.MethodSettings[0].ResourcePath');
    expect(negative.path).to.equal('Resources.MyApi.Properties.MethodSettings[0].ThrottlingRateLimit');
  });

  it('HttpApi: DefaultRouteSettings is the stage default, RouteSettings by route key', () => {
    const model = load(
      withApi(
        'AWS::Serverless::HttpApi',
        `        DefaultRouteSettings: {ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}
        RouteSettings:
          GET /items: {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1}
          $default: {DetailedMetricsEnabled: true}`,
      ),
    );

    expect(model.apis.get('MyApi')?.throttle).to.deep.equal({
      default: { rateLimit: 100, burstLimit: 50 },
      routes: new Map([['GET /items', { rateLimit: 1, burstLimit: 1 }]]),
    });
  });

  it('Globals: MethodSettings and DefaultRouteSettings apply to the implicit APIs, and Ref to a Number parameter works', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Parameters:
        Rate: {Type: Number, Default: 7}
      Globals:
        Api:
          MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: !Ref Rate, ThrottlingBurstLimit: 9}]
        HttpApi:
          DefaultRouteSettings: {ThrottlingRateLimit: !Ref Rate, ThrottlingBurstLimit: 9}
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Runtime: nodejs22.x
            Handler: app.handler
            Events:
              Rest: {Type: Api, Properties: {Path: /a, Method: get}}
              Http: {Type: HttpApi, Properties: {Path: /b, Method: get}}
    `);

    for (const apiId of ['ServerlessRestApi', 'ServerlessHttpApi']) {
      expect(model.apis.get(apiId)?.throttle?.default, apiId).to.deep.equal({ rateLimit: 7, burstLimit: 9 });
    }
  });

  it('ApiKeySourceType is read on a REST API, HEADER or AUTHORIZER', () => {
    const model = load(
      withApi('AWS::Serverless::Api', `        StageName: dev\n        ApiKeySourceType: AUTHORIZER`),
    );
    const wrong = loadError(
      withApi('AWS::Serverless::Api', `        StageName: dev\n        ApiKeySourceType: QUERY`),
    );

    expect(model.apis.get('MyApi')?.apiKeySource).to.equal('AUTHORIZER');
    expect(wrong.path).to.equal('Resources.MyApi.Properties.ApiKeySourceType');
  });

  it("an HttpApi event's RouteSettings merge into its API's RouteSettings for its route key, the event's values winning", () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        MyApi:
          Type: AWS::Serverless::HttpApi
          Properties:
            RouteSettings:
              GET /items: {ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200}
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Runtime: nodejs22.x
            Handler: app.handler
            Events:
              Get:
                Type: HttpApi
                Properties:
                  ApiId: !Ref MyApi
                  Path: /items
                  Method: get
                  RouteSettings: {ThrottlingRateLimit: 1}
              Post:
                Type: HttpApi
                Properties:
                  ApiId: !Ref MyApi
                  Path: /items
                  Method: post
                  RouteSettings: {ThrottlingBurstLimit: 4, DetailedMetricsEnabled: true}
    `);

    expect(model.apis.get('MyApi')?.throttle?.routes).to.deep.equal(
      new Map([
        ['GET /items', { rateLimit: 1, burstLimit: 200 }],
        ['POST /items', { rateLimit: undefined, burstLimit: 4 }],
      ]),
    );
  });

  it('plain CloudFormation stages: AWS::ApiGateway::Stage MethodSettings and AWS::ApiGatewayV2::Stage DefaultRouteSettings', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs22.x}
        Rest:
          Type: AWS::ApiGateway::RestApi
          Properties:
            Body:
              swagger: '2.0'
              info: {title: items}
              paths:
                /items:
                  get:
                    x-amazon-apigateway-integration:
                      type: aws_proxy
                      httpMethod: POST
                      uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Fn.Arn}/invocations
        RestStage:
          Type: AWS::ApiGateway::Stage
          Properties:
            RestApiId: !Ref Rest
            StageName: v1
            MethodSettings: [{ResourcePath: '/~1items', HttpMethod: GET, ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6}]
        Http:
          Type: AWS::ApiGatewayV2::Api
          Properties: {Name: quick, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}
        HttpStage:
          Type: AWS::ApiGatewayV2::Stage
          Properties:
            ApiId: !Ref Http
            StageName: live
            DefaultRouteSettings: {ThrottlingRateLimit: 8, ThrottlingBurstLimit: 9}
    `);

    expect(model.apis.get('Rest')?.throttle).to.deep.equal({
      default: undefined,
      routes: new Map([['GET /items', { rateLimit: 3, burstLimit: 6 }]]),
    });
    expect(model.apis.get('Http')?.throttle).to.deep.equal({
      default: { rateLimit: 8, burstLimit: 9 },
      routes: new Map(),
    });
  });
});
