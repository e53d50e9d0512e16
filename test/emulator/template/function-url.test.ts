import { expect } from 'chai';
import { functionUrlId } from '../../../emulator/template/physical-ids.ts';
import { dedent, load, loadError, onlyFunction } from './helpers.ts';

/** One function `Fn` with the given FunctionUrlConfig lines (indented under it), plus optional extra template text. */
function urlTemplate(config: string, extra = ''): string {
  return `
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: nodejs22.x
          Environment:
            Variables:
              SELF_URL: !GetAtt FnUrl.FunctionUrl
          FunctionUrlConfig:
${dedent(config)
  .trimEnd()
  .split('\n')
  .map((line) => `            ${line}`)
  .join('\n')}
    ${extra}
  `;
}

describe('template FunctionUrlConfig', () => {
  it('reads AuthType and defaults InvokeMode to BUFFERED, with no CORS', () => {
    const fn = onlyFunction(load(urlTemplate('AuthType: NONE')));
    expect(fn.functionUrl).to.deep.equal({
      authType: 'NONE',
      invokeMode: 'BUFFERED',
      cors: undefined,
      urlId: functionUrlId('Fn'),
      url: undefined,
    });
    expect(fn.functionUrl?.urlId).to.match(/^[a-z0-9]{32}$/);
  });

  it('reads InvokeMode RESPONSE_STREAM, AWS_IAM and every Cors property', () => {
    const fn = onlyFunction(
      load(
        urlTemplate(`
        AuthType: AWS_IAM
        InvokeMode: RESPONSE_STREAM
        Cors:
          AllowCredentials: true
          AllowHeaders: [x-custom]
          AllowMethods: [get, POST]
          AllowOrigins: ['https://example.com']
          ExposeHeaders: [x-request-id]
          MaxAge: 300
        `),
      ),
    );
    expect(fn.functionUrl?.authType).to.equal('AWS_IAM');
    expect(fn.functionUrl?.invokeMode).to.equal('RESPONSE_STREAM');
    expect(fn.functionUrl?.cors).to.deep.equal({
      kind: 'http',
      allowOrigins: ['https://example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['x-custom'],
      exposeHeaders: ['x-request-id'],
      maxAge: 300,
      allowCredentials: true,
    });
  });

  it('takes FunctionUrlConfig from Globals.Function, which SAM allows there', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Globals:
        Function:
          FunctionUrlConfig:
            AuthType: NONE
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src
            Handler: app.handler
            Runtime: nodejs22.x
            Environment:
              Variables:
                SELF_URL: !GetAtt FnUrl.FunctionUrl
    `);
    expect(onlyFunction(model).functionUrl?.authType).to.equal('NONE');
  });

  it('AuthType is required, naming the template path', () => {
    const error = loadError(urlTemplate('InvokeMode: BUFFERED'));
    expect(error.path).to.equal('Resources.Fn.Properties.FunctionUrlConfig');
    expect(error.message).to.contain('AuthType is required');
  });

  it('AuthType must be NONE or AWS_IAM', () => {
    const error = loadError(urlTemplate('AuthType: PUBLIC'));
    expect(error.path).to.equal('Resources.Fn.Properties.FunctionUrlConfig.AuthType');
    expect(error.message).to.contain('must be one of NONE, AWS_IAM');
  });

  it('InvokeMode must be BUFFERED or RESPONSE_STREAM', () => {
    const error = loadError(urlTemplate('AuthType: NONE\nInvokeMode: STREAM'));
    expect(error.path).to.equal('Resources.Fn.Properties.FunctionUrlConfig.InvokeMode');
  });

  it('refuses a key that is not a FunctionUrlConfig property', () => {
    const error = loadError(urlTemplate('AuthType: NONE\nQualifier: live'));
    expect(error.path).to.equal('Resources.Fn.Properties.FunctionUrlConfig.Qualifier');
  });

  it('refuses a Cors key SAM does not know, as SAM does', () => {
    const error = loadError(urlTemplate('AuthType: NONE\nCors:\n  AllowOrigin: ["*"]'));
    expect(error.path).to.equal('Resources.Fn.Properties.FunctionUrlConfig.Cors.AllowOrigin');
    expect(error.message).to.contain('is not a valid property for configuring Cors');
  });

  it("applies Lambda's Cors limits: at most 6 methods of at most 6 characters, MaxAge 0-86400", () => {
    expect(loadError(urlTemplate('AuthType: NONE\nCors:\n  AllowMethods: [CONNECT]')).path).to.equal(
      'Resources.Fn.Properties.FunctionUrlConfig.Cors.AllowMethods[0]',
    );
    expect(loadError(urlTemplate('AuthType: NONE\nCors:\n  MaxAge: 86401')).path).to.equal(
      'Resources.Fn.Properties.FunctionUrlConfig.Cors.MaxAge',
    );
  });

  it('!GetAtt FnUrl.FunctionUrl resolves to the local URL, with the trailing slash of Lambda', () => {
    const model = load(urlTemplate('AuthType: NONE'), {
      functionUrls: new Map([['Fn', 'http://127.0.0.1:45678/']]),
    });
    const fn = onlyFunction(model);
    expect(fn.environment.SELF_URL).to.equal('http://127.0.0.1:45678/');
    expect(fn.functionUrl?.url).to.equal('http://127.0.0.1:45678/');
  });

  it('!GetAtt FnUrl.FunctionUrl without a local port resolves to the URL Lambda would give', () => {
    const fn = onlyFunction(load(urlTemplate('AuthType: NONE')));
    expect(fn.environment.SELF_URL).to.equal(`https://${functionUrlId('Fn')}.lambda-url.us-east-1.on.aws/`);
  });

  it("!Ref FnUrl resolves to the function's ARN, as CloudFormation's Ref of AWS::Lambda::Url does", () => {
    const model = load(
      urlTemplate(
        'AuthType: NONE',
        `
    Outputs:
      UrlRef:
        Value: !Ref FnUrl
      UrlArn:
        Value: !GetAtt FnUrl.FunctionArn`,
      ).replace('SELF_URL: !GetAtt FnUrl.FunctionUrl', 'SELF_URL: !Ref FnUrl'),
    );
    expect(onlyFunction(model).environment.SELF_URL).to.equal(
      'arn:aws:lambda:us-east-1:123456789012:function:Fn',
    );
  });

  it('a reference to <Fn>Url of a function without FunctionUrlConfig is an error naming the path', () => {
    const error = loadError(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src
            Handler: app.handler
            Runtime: nodejs22.x
            Environment:
              Variables:
                SELF_URL: !GetAtt FnUrl.FunctionUrl
    `);
    expect(error.path).to.equal('Resources.Fn.Properties.Environment.Variables.SELF_URL.Fn::GetAtt');
    expect(error.message).to.contain('only for a function with FunctionUrlConfig');
  });
});

describe('template Outputs', () => {
  it('resolves Outputs that use a function URL to the local URL, and leaves out what only a deployment knows', () => {
    const model = load(
      `
      Transform: AWS::Serverless-2016-10-31
      Conditions:
        Never: !Equals [a, b]
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src
            Handler: app.handler
            Runtime: nodejs22.x
            FunctionUrlConfig:
              AuthType: NONE
      Outputs:
        FnUrl:
          Value: !GetAtt FnUrl.FunctionUrl
        FnArn:
          Value: !GetAtt Fn.Arn
        Imported:
          Value: !ImportValue elsewhere
        Hidden:
          Condition: Never
          Value: hidden
      `,
      { functionUrls: new Map([['Fn', 'http://127.0.0.1:45678/']]) },
    );
    expect(Object.fromEntries(model.outputs ?? [])).to.deep.equal({
      FnUrl: 'http://127.0.0.1:45678/',
      FnArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn',
      Imported: '',
    });
    expect(model.warnings.join('\n')).not.to.contain('ImportValue');
  });
});
