import { expect } from 'chai';
import { httpCorsOf, load, loadError, restCorsOf } from './helpers.ts';

/** A template with one API resource of `type` whose Properties are `properties`. */
function apiTemplate(type: 'AWS::Serverless::Api' | 'AWS::Serverless::HttpApi', properties: string): string {
  const lines = properties
    .trim()
    .split('\n')
    .map((line) => `      ${line.replace(/^ {8}/, '')}`);
  return [
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    '  Api:',
    `    Type: ${type}`,
    '    Properties:',
    ...lines,
    '',
  ].join('\n');
}

const IMPLICIT_APIS = `
  Transform: AWS::Serverless-2016-10-31
  Resources:
    Fn:
      Type: AWS::Serverless::Function
      Properties:
        CodeUri: src/
        Handler: app.handler
        Runtime: nodejs22.x
        Events:
          Rest:
            Type: Api
            Properties: {Path: /items, Method: get}
          Http:
            Type: HttpApi
            Properties: {Path: /items, Method: post}
`;

describe('template APIs', () => {
  it('reads StageName, Variables and BinaryMediaTypes of an AWS::Serverless::Api, turning ~1 into /', () => {
    const model = load(
      apiTemplate(
        'AWS::Serverless::Api',
        `
        StageName: v1
        Variables:
          backend: prices
          retries: 2
        BinaryMediaTypes: [image~1png, 'application~1octet-stream']
        `,
      ),
    );
    expect(model.apis.get('Api')).to.deep.equal({
      logicalId: 'Api',
      kind: 'rest',
      physicalId: model.apis.get('Api')?.physicalId,
      stageName: 'v1',
      stageVariables: { backend: 'prices', retries: '2' },
      binaryMediaTypes: ['image/png', 'application/octet-stream'],
      cors: undefined,
    });
  });

  it('rejects an AWS::Serverless::Api without StageName, which SAM requires', () => {
    const error = loadError(apiTemplate('AWS::Serverless::Api', 'Name: prices'));
    expect(error.path).to.equal('Resources.Api.Properties');
    expect(error.message).to.include('StageName is required');
  });

  it('uses stage Prod for the implicit ServerlessRestApi and $default for the implicit ServerlessHttpApi', () => {
    const model = load(IMPLICIT_APIS);
    expect(model.apis.get('ServerlessRestApi')).to.include({ kind: 'rest', stageName: 'Prod' });
    expect(model.apis.get('ServerlessHttpApi')).to.include({ kind: 'http', stageName: '$default' });
  });

  it('lists an API that has no routes, and the implicit APIs only when an event uses them', () => {
    const model = load(apiTemplate('AWS::Serverless::HttpApi', 'Description: unused'));
    expect([...model.apis.keys()]).to.deep.equal(['Api']);
    expect(model.routes).to.deep.equal([]);
  });

  it('reads HttpApi StageName (default $default) and StageVariables', () => {
    const named = load(
      apiTemplate('AWS::Serverless::HttpApi', 'StageName: live\nStageVariables:\n  mode: fast'),
    );
    expect(named.apis.get('Api')).to.deep.include({ stageName: 'live', stageVariables: { mode: 'fast' } });
    const unnamed = load(apiTemplate('AWS::Serverless::HttpApi', 'Description: default stage'));
    expect(unnamed.apis.get('Api')).to.deep.include({ stageName: '$default', stageVariables: undefined });
  });
});

describe('template CORS', () => {
  it("takes a REST Cors string as the AllowOrigin, without SAM's inner quotes", () => {
    const model = load(
      apiTemplate('AWS::Serverless::Api', `StageName: v1\nCors: "'https://app.example.com'"`),
    );
    expect(restCorsOf(model, 'Api')).to.deep.equal({
      kind: 'rest',
      allowOrigin: 'https://app.example.com',
      allowMethods: undefined,
      allowHeaders: undefined,
      maxAge: undefined,
      allowCredentials: false,
    });
  });

  it("strips SAM's inner single quotes from each value of a REST Cors map, resolving intrinsics first", () => {
    const model = load(
      `Parameters:\n  Origin:\n    Type: String\n    Default: https://app.example.com\n${apiTemplate(
        'AWS::Serverless::Api',
        `
        StageName: v1
        Cors:
          AllowOrigin: !Sub "'\${Origin}'"
          AllowMethods: "'GET,OPTIONS'"
          AllowHeaders: "'Content-Type'"
          MaxAge: "'600'"
          AllowCredentials: true
        `,
      )}`,
    );
    expect(restCorsOf(model, 'Api')).to.deep.equal({
      kind: 'rest',
      allowOrigin: 'https://app.example.com',
      allowMethods: 'GET,OPTIONS',
      allowHeaders: 'Content-Type',
      maxAge: '600',
      allowCredentials: true,
    });
  });

  it("defaults a REST Cors map's AllowOrigin to '*', as SAM does", () => {
    const model = load(apiTemplate('AWS::Serverless::Api', `StageName: v1\nCors:\n  AllowMethods: "'GET'"`));
    expect(restCorsOf(model, 'Api').allowOrigin).to.equal('*');
  });

  it('warns about a REST Cors value without inner single quotes, which API Gateway rejects at deploy time', () => {
    const model = load(apiTemplate('AWS::Serverless::Api', 'StageName: v1\nCors: https://app.example.com'));
    expect(restCorsOf(model, 'Api').allowOrigin).to.equal('https://app.example.com');
    expect(model.warnings).to.have.lengthOf(1);
    expect(model.warnings[0]).to.include(
      'write it in single quotes inside the string, e.g. "\'https://app.example.com\'"',
    );
  });

  it("rejects REST Cors AllowCredentials with origin '*', as SAM does", () => {
    const error = loadError(
      apiTemplate(
        'AWS::Serverless::Api',
        `StageName: v1\nCors:\n  AllowOrigin: "'*'"\n  AllowCredentials: true`,
      ),
    );
    expect(error.path).to.equal('Resources.Api.Properties.Cors.AllowCredentials');
  });

  it('reads CorsConfiguration: true as AllowOrigins [*]', () => {
    const model = load(apiTemplate('AWS::Serverless::HttpApi', 'CorsConfiguration: true'));
    expect(httpCorsOf(model, 'Api')).to.deep.equal({
      kind: 'http',
      allowOrigins: ['*'],
      allowMethods: [],
      allowHeaders: [],
      exposeHeaders: [],
      maxAge: undefined,
      allowCredentials: false,
    });
  });

  it('reads the map form of CorsConfiguration', () => {
    const model = load(
      apiTemplate(
        'AWS::Serverless::HttpApi',
        `
        CorsConfiguration:
          AllowOrigins: [https://app.example.com]
          AllowMethods: [GET, POST]
          AllowHeaders: [content-type]
          ExposeHeaders: [x-request-id]
          MaxAge: 600
          AllowCredentials: true
        `,
      ),
    );
    expect(httpCorsOf(model, 'Api')).to.deep.equal({
      kind: 'http',
      allowOrigins: ['https://app.example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type'],
      exposeHeaders: ['x-request-id'],
      maxAge: 600,
      allowCredentials: true,
    });
  });

  it('takes an intrinsic CorsConfiguration as the allowed origin', () => {
    const model = load(
      `Parameters:\n  Origin:\n    Type: String\n    Default: https://app.example.com\n${apiTemplate(
        'AWS::Serverless::HttpApi',
        'CorsConfiguration: !Ref Origin',
      )}`,
    );
    expect(httpCorsOf(model, 'Api').allowOrigins).to.deep.equal(['https://app.example.com']);
  });

  it("rejects HTTP API AllowCredentials with AllowOrigins '*', which API Gateway refuses", () => {
    const error = loadError(
      apiTemplate(
        'AWS::Serverless::HttpApi',
        'CorsConfiguration:\n  AllowOrigins: ["*"]\n  AllowCredentials: true',
      ),
    );
    expect(error.path).to.equal('Resources.Api.Properties.CorsConfiguration.AllowCredentials');
  });

  it('rejects a plain-string CorsConfiguration, as SAM does', () => {
    const error = loadError(
      apiTemplate('AWS::Serverless::HttpApi', 'CorsConfiguration: https://app.example.com'),
    );
    expect(error.message).to.include('SAM rejects a plain string');
  });
});
