import { expect } from 'chai';
import { functionTemplate, load, loadError, onlyFunction } from './helpers.ts';

/** One function with the given Properties (beyond the Type) and Metadata. */
function singleFunction(properties: string, metadata = ''): string {
  const indent = (text: string, spaces: number) =>
    text
      .trim()
      .split('\n')
      .map((line) => `${' '.repeat(spaces)}${line.trim() === '' ? '' : line.replace(/^ {6}/, '')}`)
      .join('\n');
  return [
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    '  Fn:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    indent(properties, 6),
    ...(metadata === '' ? [] : ['    Metadata:', indent(metadata, 6)]),
    '',
  ].join('\n');
}

describe('template functions', () => {
  it("fills in SAM's and Lambda's defaults: Timeout 3, MemorySize 128, [x86_64], Text logs, logical id as name", () => {
    const fn = onlyFunction(load(functionTemplate()));
    expect(fn).to.deep.equal({
      logicalId: 'Fn',
      functionName: 'Fn',
      codeUri: '/project/src',
      inlineCode: undefined,
      handler: 'app.handler',
      runtime: 'nodejs22.x',
      architectures: ['x86_64'],
      timeout: 3,
      memorySize: 128,
      environment: {},
      reservedConcurrency: undefined,
      logFormat: 'Text',
      applicationLogLevel: undefined,
      systemLogLevel: undefined,
      build: undefined,
      maximumRetryAttempts: undefined,
      maximumEventAgeInSeconds: undefined,
      layers: [],
    });
  });

  it("resolves CodeUri to an absolute path from the template's folder", () => {
    const model = load(
      singleFunction(`
      CodeUri: ../shared/./functions/
      Handler: app.handler
      Runtime: nodejs22.x
      `),
    );
    expect(onlyFunction(model).codeUri).to.equal('/shared/functions');
  });

  it('reads FunctionName, Timeout, MemorySize, Architectures and ReservedConcurrentExecutions', () => {
    const fn = onlyFunction(
      load(
        functionTemplate(`
        FunctionName: price-api
        Timeout: 29
        MemorySize: 1024
        Architectures: [arm64]
        ReservedConcurrentExecutions: 5
        `),
      ),
    );
    expect(fn).to.include({
      functionName: 'price-api',
      timeout: 29,
      memorySize: 1024,
      reservedConcurrency: 5,
    });
    expect(fn.architectures).to.deep.equal(['arm64']);
  });

  it('stringifies numbers and booleans in environment variables, as Lambda holds only strings', () => {
    const fn = onlyFunction(
      load(
        functionTemplate(`
        Environment:
          Variables:
            RETRIES: 3
            RATIO: 0.5
            ENABLED: true
            NAME: prices
        `),
      ),
    );
    expect(fn.environment).to.deep.equal({ RETRIES: '3', RATIO: '0.5', ENABLED: 'true', NAME: 'prices' });
  });

  it('reads LoggingConfig: LogFormat JSON with its application and system log levels', () => {
    const fn = onlyFunction(
      load(
        functionTemplate(`
        LoggingConfig:
          LogFormat: JSON
          ApplicationLogLevel: DEBUG
          SystemLogLevel: WARN
        `),
      ),
    );
    expect(fn).to.include({ logFormat: 'JSON', applicationLogLevel: 'DEBUG', systemLogLevel: 'WARN' });
  });

  it('warns that log levels are ignored with the Text log format', () => {
    const model = load(functionTemplate('LoggingConfig:\n  ApplicationLogLevel: DEBUG'));
    expect(onlyFunction(model).applicationLogLevel).to.equal(undefined);
    expect(model.warnings[0]).to.include('log levels apply only to LogFormat JSON');
  });

  it('reads EventInvokeConfig MaximumRetryAttempts and MaximumEventAgeInSeconds', () => {
    const fn = onlyFunction(
      load(
        functionTemplate('EventInvokeConfig:\n  MaximumRetryAttempts: 0\n  MaximumEventAgeInSeconds: 120'),
      ),
    );
    expect(fn).to.include({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 120 });
  });

  it('rejects more than the 2 retries Lambda allows for asynchronous invocations', () => {
    const error = loadError(functionTemplate('EventInvokeConfig:\n  MaximumRetryAttempts: 3'));
    expect(error.path).to.equal('Resources.Fn.Properties.EventInvokeConfig.MaximumRetryAttempts');
  });

  it('rejects a Timeout above the 900 s Lambda allows', () => {
    const error = loadError(functionTemplate('Timeout: 901'));
    expect(error.message).to.equal(
      '/project/template.yaml:10: Resources.Fn.Properties.Timeout: must be at most 900, got 901',
    );
  });

  it('rejects a function without Handler, naming the resource', () => {
    const error = loadError(singleFunction('CodeUri: src/\nRuntime: nodejs22.x'));
    expect(error.path).to.equal('Resources.Fn.Properties');
    expect(error.message).to.include('Handler is required');
  });

  it('rejects a function without Runtime', () => {
    const error = loadError(singleFunction('CodeUri: src/\nHandler: app.handler'));
    expect(error.message).to.include('Runtime is required');
  });

  it("reads the code from the template's folder when CodeUri is absent, as SAM CLI defaults it to '.'", () => {
    const model = load(singleFunction('Handler: app.handler\nRuntime: nodejs22.x'));
    expect(onlyFunction(model).codeUri).to.equal('/project');
    expect(model.warnings).to.deep.equal([]);
  });

  it("builds from the template's folder when CodeUri is absent and esbuild EntryPoints are given", () => {
    const model = load(
      singleFunction(
        'Handler: app.handler\nRuntime: nodejs22.x',
        'BuildMethod: esbuild\nBuildProperties:\n  EntryPoints: [src/app.ts]',
      ),
    );
    expect(onlyFunction(model).codeUri).to.equal('/project');
  });

  it('ignores a function whose code is in S3, given as a map or an s3:// URI, with a warning', () => {
    for (const codeUri of ['{Bucket: my-bucket, Key: code.zip}', 's3://my-bucket/code.zip']) {
      const model = load(singleFunction(`CodeUri: ${codeUri}\nHandler: app.handler\nRuntime: nodejs22.x`));
      expect(model.functions.size).to.equal(0);
      expect(model.warnings[0]).to.include('code in S3 is not emulated; function ignored');
    }
  });

  it('keeps InlineCode, with its intrinsics resolved, for the emulator to write out as index.js', () => {
    const fn = onlyFunction(
      load(
        singleFunction(
          `Handler: index.handler\nRuntime: nodejs22.x\nInlineCode: !Sub "exports.handler = async () => '\${AWS::Region}';"`,
        ),
      ),
    );
    expect(fn.inlineCode).to.equal("exports.handler = async () => 'us-east-1';");
    expect(fn.codeUri).to.equal('/project');
  });

  it('rejects InlineCode with a handler outside index, since CloudFormation saves the code as index.js', () => {
    const error = loadError(
      singleFunction('Handler: app.handler\nRuntime: nodejs22.x\nInlineCode: exports.handler = () => 1'),
    );
    expect(error.path).to.equal('Resources.Fn.Properties.Handler');
    expect(error.message).to.include('the handler must be index.<export>, got "app.handler"');
  });

  it('rejects InlineCode beside CodeUri, as SAM does', () => {
    const error = loadError(
      singleFunction(
        'CodeUri: src/\nHandler: index.handler\nRuntime: nodejs22.x\nInlineCode: exports.handler = () => 1',
      ),
    );
    expect(error.message).to.include('InlineCode and CodeUri cannot both be set');
  });

  it('rejects a Handler that is not file.export', () => {
    const error = loadError(singleFunction('CodeUri: src/\nHandler: handler\nRuntime: nodejs22.x'));
    expect(error.message).to.include('expected file.export, got "handler"');
  });

  it('ignores a function on a runtime other than Node.js, with a warning', () => {
    const model = load(singleFunction('CodeUri: src/\nHandler: app.handler\nRuntime: python3.12'));
    expect(model.functions.size).to.equal(0);
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:8: Resources.Fn.Properties.Runtime: runtime python3.12 is not Node.js, the only one emulated; function ignored',
    ]);
  });

  it('runs AWS::Lambda::Function resources as sam local does: Code as a local path, ZipFile as index.js, S3 ignored', () => {
    const model = load(`
      Resources:
        Local:
          Type: AWS::Lambda::Function
          Properties: {Code: src/, Handler: app.handler, Runtime: nodejs22.x, Timeout: 7}
        Inline:
          Type: AWS::Lambda::Function
          Properties:
            Handler: index.handler
            Runtime: nodejs24.x
            Code:
              ZipFile: exports.handler = async () => 'inline';
        InS3:
          Type: AWS::Lambda::Function
          Properties: {Code: {S3Bucket: b, S3Key: k.zip}, Handler: app.handler, Runtime: nodejs22.x}
    `);
    expect([...model.functions.keys()]).to.deep.equal(['Local', 'Inline']);
    expect(model.functions.get('Local')).to.include({
      codeUri: '/project/src',
      timeout: 7,
      inlineCode: undefined,
    });
    expect(model.functions.get('Inline')).to.include({
      codeUri: '/project',
      inlineCode: "exports.handler = async () => 'inline';",
    });
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:14: Resources.InS3.Properties.Code: code in S3 or an image is not emulated; function ignored',
    ]);
  });

  it('warns about remote nested stacks and plain API Gateway resources, whose functions and routes are not served', () => {
    const model = load(`${functionTemplate()}
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: s3://bucket/child.yaml}
  Api:
    Type: AWS::ApiGateway::RestApi
`);
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:15: Resources.Api: only an AWS::ApiGateway::RestApi with an OpenAPI Body is served; routes made of Resource and Method resources are not read',
      '/project/template.yaml:12: Resources.Child: its template is in s3://bucket/child.yaml, which is not available locally: its functions and APIs are not served (sam local loads only nested templates on disk)',
    ]);
  });

  it('passes a dynamic reference in an environment variable on as text, warning that CloudFormation resolves it', () => {
    const model = load(functionTemplate("Environment:\n  Variables:\n    DB: '{{resolve:ssm:/app/db:1}}'"));
    expect(onlyFunction(model).environment.DB).to.equal('{{resolve:ssm:/app/db:1}}');
    expect(model.warnings[0]).to.include('DB: holds a dynamic reference ({{resolve:…}})');
  });

  it('reads EventInvokeConfig destinations and the dead-letter queue: a template resource, an ARN, or one SAM generates', () => {
    const model = load(`${functionTemplate(`
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess:
            Type: SNS
          OnFailure:
            Type: SQS
            Destination: !GetAtt Failures.Arn
      DeadLetterQueue:
        Type: SNS
        TargetArn: arn:aws:sns:us-east-1:123456789012:dead-letters
    `)}
  Failures:
    Type: AWS::SQS::Queue
`);

    expect(onlyFunction(model).destinations).to.deep.equal({
      onSuccess: { type: 'SNS', generated: true },
      onFailure: { type: 'SQS', resourceId: 'Failures' },
      deadLetterQueue: { type: 'SNS', arn: 'arn:aws:sns:us-east-1:123456789012:dead-letters' },
    });
  });

  it("reads an AWS::Lambda::Function's DeadLetterConfig as its dead-letter queue", () => {
    const model = load(`
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Code: {ZipFile: 'exports.handler = async () => 1;'}
      Role: arn:aws:iam::123456789012:role/r
      DeadLetterConfig:
        TargetArn: !Ref Letters
  Letters:
    Type: AWS::SNS::Topic
`);

    expect(onlyFunction(model).destinations).to.deep.equal({
      deadLetterQueue: { type: 'SQS', resourceId: 'Letters' },
    });
  });

  it('groups the resources that live only in AWS by type, in template order, instead of warning about each', () => {
    const model = load(`${functionTemplate()}
  Queue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
  OtherQueue:
    Type: AWS::SQS::Queue
`);
    expect([...model.functions.keys()]).to.deep.equal(['Fn']);
    expect(model.warnings).to.deep.equal([]);
    expect(model.ignoredResources).to.deep.equal([
      { type: 'AWS::SQS::Queue', logicalIds: ['Queue', 'OtherQueue'] },
      { type: 'AWS::DynamoDB::Table', logicalIds: ['Table'] },
    ]);
  });
});

describe('template esbuild metadata', () => {
  const esbuildFunction = (buildProperties: string, extraProperties = '') =>
    singleFunction(
      `CodeUri: src/\nHandler: handlers/app.handler\nRuntime: nodejs22.x\n${extraProperties}`,
      buildProperties === ''
        ? 'BuildMethod: esbuild'
        : `BuildMethod: esbuild\nBuildProperties:\n${buildProperties}`,
    );

  it("fills in SAM's esbuild defaults: cjs, es2020, minified, no source map, entry point from the handler's file", () => {
    const fn = onlyFunction(load(esbuildFunction('')));
    expect(fn.build).to.deep.equal({
      entryPoints: ['handlers/app'],
      format: 'cjs',
      target: 'es2020',
      minify: true,
      sourcemap: false,
      sourcesContent: undefined,
      outExtension: {},
      external: [],
      loader: {},
      mainFields: undefined,
      banner: {},
    });
  });

  it('reads the build properties, turning OutExtension, Loader and Banner key=value lists into maps', () => {
    const fn = onlyFunction(
      load(
        esbuildFunction(`
  Format: esm
  Target: node22
  Minify: false
  SourcesContent: false
  EntryPoints: [src/app.ts]
  External: ['@aws-sdk/*']
  OutExtension: [.js=.mjs]
  Loader: [.png=file, .txt=text]
  MainFields: module,main
  Banner: ['js=import { createRequire } from "module";']
`),
      ),
    );
    expect(fn.build).to.deep.equal({
      entryPoints: ['src/app.ts'],
      format: 'esm',
      target: 'node22',
      minify: false,
      sourcemap: false,
      sourcesContent: false,
      outExtension: { '.js': '.mjs' },
      external: ['@aws-sdk/*'],
      loader: { '.png': 'file', '.txt': 'text' },
      mainFields: ['module', 'main'],
      banner: { js: 'import { createRequire } from "module";' },
    });
  });

  it('turns source maps on when NODE_OPTIONS has --enable-source-maps and Sourcemap is not set', () => {
    const fn = onlyFunction(
      load(esbuildFunction('', 'Environment:\n  Variables:\n    NODE_OPTIONS: --enable-source-maps')),
    );
    expect(fn.build?.sourcemap).to.equal(true);
    expect(fn.environment).to.deep.equal({ NODE_OPTIONS: '--enable-source-maps' });
  });

  it('keeps source maps off when Sourcemap: false is explicit, despite NODE_OPTIONS', () => {
    const fn = onlyFunction(
      load(
        esbuildFunction(
          '  Sourcemap: false',
          'Environment:\n  Variables:\n    NODE_OPTIONS: --enable-source-maps',
        ),
      ),
    );
    expect(fn.build?.sourcemap).to.equal(false);
  });

  it('adds --enable-source-maps to NODE_OPTIONS when Sourcemap is true, as sam build does', () => {
    const fn = onlyFunction(
      load(
        esbuildFunction(
          '  Sourcemap: true',
          'Environment:\n  Variables:\n    NODE_OPTIONS: --max-old-space-size=200',
        ),
      ),
    );
    expect(fn.build?.sourcemap).to.equal(true);
    expect(fn.environment).to.deep.equal({ NODE_OPTIONS: '--max-old-space-size=200 --enable-source-maps' });
  });

  it('rejects a Format esbuild cannot give Lambda', () => {
    const error = loadError(esbuildFunction('  Format: iife'));
    expect(error.message).to.include('must be one of cjs, esm, got "iife"');
  });

  it('rejects an OutExtension entry that is not key=value', () => {
    const error = loadError(esbuildFunction('  OutExtension: [.mjs]'));
    expect(error.path).to.equal('Resources.Fn.Metadata.BuildProperties.OutExtension[0]');
  });

  it('runs CodeUri as it is, with a warning, for a BuildMethod other than esbuild', () => {
    const model = load(
      singleFunction('CodeUri: src/\nHandler: app.handler\nRuntime: nodejs22.x', 'BuildMethod: makefile'),
    );
    expect(onlyFunction(model).build).to.equal(undefined);
    expect(model.warnings[0]).to.include('BuildMethod makefile is not supported');
  });
});
