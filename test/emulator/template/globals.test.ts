import { expect } from 'chai';
import { httpCorsOf, load, loadError, onlyFunction } from './helpers.ts';

describe('template Globals', () => {
  it("applies Globals.Function primitives unless the function sets its own (the function's value replaces them)", () => {
    const model = load(`
      Globals:
        Function:
          Runtime: nodejs20.x
          Timeout: 10
          MemorySize: 256
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
    `);
    const fn = onlyFunction(model);
    expect({ runtime: fn.runtime, timeout: fn.timeout, memorySize: fn.memorySize }).to.deep.equal({
      runtime: 'nodejs22.x',
      timeout: 10,
      memorySize: 256,
    });
  });

  it("merges Globals.Function Environment variables with the function's own, the function winning", () => {
    const model = load(`
      Globals:
        Function:
          Environment:
            Variables:
              STAGE: Production
              TABLE_NAME: global-table
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Environment:
              Variables:
                TABLE_NAME: resource-table
                NEW_VAR: hello
    `);
    expect(onlyFunction(model).environment).to.deep.equal({
      STAGE: 'Production',
      TABLE_NAME: 'resource-table',
      NEW_VAR: 'hello',
    });
  });

  it("adds Globals list entries before the resource's own (lists are additive)", () => {
    const model = load(`
      Globals:
        HttpApi:
          CorsConfiguration:
            AllowOrigins: [https://global.example]
      Resources:
        Api:
          Type: AWS::Serverless::HttpApi
          Properties:
            CorsConfiguration:
              AllowOrigins: [https://local.example]
    `);
    expect(httpCorsOf(model, 'Api').allowOrigins).to.deep.equal([
      'https://global.example',
      'https://local.example',
    ]);
  });

  it('rejects an architecture given both in Globals and on the function, since SAM would concatenate them', () => {
    const error = loadError(`
      Globals:
        Function:
          Architectures: [arm64]
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Architectures: [x86_64]
    `);
    expect(error.message).to.include('Lambda takes exactly one architecture, got [arm64, x86_64]');
  });

  it('lets an intrinsic on the function replace a Globals map instead of merging into it', () => {
    const model = load(`
      Conditions:
        Always: !Equals [a, a]
      Globals:
        Function:
          Environment:
            Variables:
              FROM_GLOBALS: 'yes'
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Environment:
              Variables: !If [Always, {FROM_FUNCTION: 'yes'}, {}]
    `);
    expect(onlyFunction(model).environment).to.deep.equal({ FROM_FUNCTION: 'yes' });
  });

  it('applies Globals.Api to explicit REST APIs and to the implicit ServerlessRestApi', () => {
    const model = load(`
      Globals:
        Api:
          BinaryMediaTypes: [image~1png]
      Resources:
        Explicit:
          Type: AWS::Serverless::Api
          Properties:
            StageName: v1
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Events:
              Get:
                Type: Api
                Properties: {Path: /, Method: get}
    `);
    expect(model.apis.get('Explicit')?.binaryMediaTypes).to.deep.equal(['image/png']);
    expect(model.apis.get('ServerlessRestApi')?.binaryMediaTypes).to.deep.equal(['image/png']);
  });

  it('applies Globals.HttpApi to explicit HTTP APIs and to the implicit ServerlessHttpApi', () => {
    const model = load(`
      Globals:
        HttpApi:
          CorsConfiguration: true
      Resources:
        Explicit:
          Type: AWS::Serverless::HttpApi
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Events:
              Post:
                Type: HttpApi
                Properties: {Path: /, Method: post}
    `);
    for (const id of ['Explicit', 'ServerlessHttpApi']) {
      expect(httpCorsOf(model, id).allowOrigins, id).to.deep.equal(['*']);
    }
  });

  it('rejects properties SAM does not allow in Globals, such as Function FunctionName and Api StageName', () => {
    const base = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
    const functionName = loadError(`Globals:\n  Function:\n    FunctionName: shared\n${base}`);
    expect(functionName.path).to.equal('Globals.Function.FunctionName');
    expect(functionName.message).to.include('SAM does not allow FunctionName in Globals.Function');
    const stageName = loadError(`Globals:\n  Api:\n    StageName: v1\n${base}`);
    expect(stageName.path).to.equal('Globals.Api.StageName');
  });

  it('reports a bad value that came from Globals at its line in Globals', () => {
    const error = loadError(`
      Globals:
        Function:
          Timeout: 1000
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
    `);
    expect(error.path).to.equal('Globals.Function.Timeout');
    expect(error.line).to.equal(3);
    expect(error.message).to.include('must be at most 900, got 1000');
  });
});
