import { expect } from 'chai';
import { apiPhysicalId } from '../../../emulator/template/physical-ids.ts';
import { functionTemplate, load, loadError, onlyFunction } from './helpers.ts';

/** The environment of a function `Fn` whose Variables are `variables` (one `KEY: value` per line). */
function environmentOf(variables: string, sections = '', extraResources = '') {
  const lines = variables
    .trim()
    .split('\n')
    .map((line) => `    ${line.trim()}`);
  const template =
    functionTemplate(['Environment:', '  Variables:', ...lines].join('\n'), sections) + extraResources;
  const model = load(template);
  const fn = model.functions.get('Fn');
  if (fn === undefined) return expect.fail('function Fn was not loaded');
  return { environment: fn.environment, warnings: model.warnings };
}

const TWO_FUNCTIONS = `
  Other:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub '\${AWS::StackName}-other'
      CodeUri: src/
      Handler: other.handler
      Runtime: nodejs22.x
`;

describe('template intrinsic functions', () => {
  it('removes a key whose value is Ref AWS::NoValue', () => {
    const { environment } = environmentOf(
      `
      KEPT: 'yes'
      REMOVED: !Ref AWS::NoValue
      MAYBE: !If [Never, 'x', !Ref AWS::NoValue]
    `,
      'Conditions:\n  Never: !Equals [a, b]',
    );
    expect(environment).to.deep.equal({ KEPT: 'yes' });
  });

  it('Fn::Sub substitutes parameters, pseudo parameters and Resource.Attribute names', () => {
    const { environment } = environmentOf(
      `ARN: !Sub '\${Prefix}:\${AWS::Region}:\${Other.Arn}'`,
      'Parameters:\n  Prefix:\n    Type: String\n    Default: p',
      TWO_FUNCTIONS,
    );
    expect(environment).to.deep.equal({
      ARN: 'p:us-east-1:arn:aws:lambda:us-east-1:123456789012:function:local-other',
    });
  });

  it('Fn::Sub writes a variable that starts with ! as the literal text without the !', () => {
    const { environment } = environmentOf(`TEXT: !Sub 'cost: \${!Price} in \${AWS::Region}'`);
    expect(environment).to.deep.equal({ TEXT: `cost: \${Price} in us-east-1` });
  });

  it('Fn::Sub variables in its map win over parameters of the same name, and may be intrinsics', () => {
    const { environment } = environmentOf(
      `
      URL: !Sub ['https://\${Host}/\${Stage}', {Host: !Join ['.', [api, example, com]], Stage: live}]
      `,
      'Parameters:\n  Stage:\n    Type: String\n    Default: dev',
    );
    expect(environment).to.deep.equal({ URL: 'https://api.example.com/live' });
  });

  it('Ref to a function gives its function name: FunctionName when set, else the logical id', () => {
    const { environment } = environmentOf(
      `
      SELF: !Ref Fn
      OTHER: !Ref Other
      `,
      '',
      TWO_FUNCTIONS,
    );
    expect(environment).to.deep.equal({ SELF: 'Fn', OTHER: 'local-other' });
  });

  it('Fn::GetAtt Function.Arn gives arn:aws:lambda:{region}:{account}:function:{name}', () => {
    const { environment } = environmentOf('ARN: !GetAtt Other.Arn', '', TWO_FUNCTIONS);
    expect(environment).to.deep.equal({ ARN: 'arn:aws:lambda:us-east-1:123456789012:function:local-other' });
  });

  it("Ref to ServerlessRestApi gives a stable 10-character lower-case id, the same as the API's physicalId", () => {
    const template = functionTemplate(`
      Environment:
        Variables:
          URL: !Sub 'https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/'
      Events:
        Get:
          Type: Api
          Properties: {Path: /, Method: get}
    `);
    const model = load(template);
    const id = model.apis.get('ServerlessRestApi')?.physicalId;
    expect(id).to.match(/^[a-z0-9]{10}$/);
    expect(id).to.equal(apiPhysicalId('ServerlessRestApi'));
    expect(onlyFunction(model).environment.URL).to.equal(
      `https://${id}.execute-api.us-east-1.amazonaws.com/Prod/`,
    );
    expect(load(template).apis.get('ServerlessRestApi')?.physicalId).to.equal(id);
  });

  it('Fn::GetAtt UserPool.Arn and .ProviderURL name the pool by its Ref (the logical id), as one issuer', () => {
    const { environment, warnings } = environmentOf(
      `ARN: !GetAtt Pool.Arn\nURL: !GetAtt Pool.ProviderURL\nISSUER: !Sub https://cognito-idp.\${AWS::Region}.amazonaws.com/\${Pool}`,
      '',
      '\n  Pool:\n    Type: AWS::Cognito::UserPool\n',
    );
    expect(environment).to.deep.equal({
      ARN: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/Pool',
      URL: 'cognito-idp.us-east-1.amazonaws.com/Pool',
      ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/Pool',
    });
    expect(warnings.filter((warning) => warning.includes('Pool'))).to.deep.equal([]);
  });

  it('Fn::GetAtt of the role SAM generates for a function (<Function>Role.Arn) gives an IAM role ARN', () => {
    const { environment } = environmentOf('ROLE: !GetAtt FnRole.Arn');
    expect(environment).to.deep.equal({ ROLE: 'arn:aws:iam::123456789012:role/local-FnRole' });
  });

  it('Fn::If picks the branch of the named condition', () => {
    const sections = `
      Parameters:
        Stage:
          Type: String
          Default: prod
      Conditions:
        IsProd: !Equals [!Ref Stage, prod]
    `;
    const { environment } = environmentOf('LOG_LEVEL: !If [IsProd, warn, debug]', sections);
    expect(environment).to.deep.equal({ LOG_LEVEL: 'warn' });
  });

  it('Fn::And, Fn::Or and Fn::Not combine conditions, also named with Condition', () => {
    const sections = `
      Conditions:
        Yes: !Equals [a, a]
        No: !Equals [a, b]
        Both: !And [!Condition Yes, !Condition No]
        Either: !Or [!Condition Yes, !Condition No]
        NotNo: !Not [!Condition No]
    `;
    const { environment } = environmentOf(
      `
      BOTH: !If [Both, 'true', 'false']
      EITHER: !If [Either, 'true', 'false']
      NOT_NO: !If [NotNo, 'true', 'false']
      `,
      sections,
    );
    expect(environment).to.deep.equal({ BOTH: 'false', EITHER: 'true', NOT_NO: 'true' });
  });

  it('Fn::Join joins a list, Fn::Split splits a string and Fn::Select picks an item by index', () => {
    const { environment } = environmentOf(`
      JOINED: !Join ['-', [a, b, c]]
      PICKED: !Select [2, !Split [',', 'x,y,z']]
      ZONE: !Select [0, !GetAZs '']
    `);
    expect(environment).to.deep.equal({ JOINED: 'a-b-c', PICKED: 'z', ZONE: 'us-east-1a' });
  });

  it('Fn::FindInMap reads Mappings, with keys given by intrinsics', () => {
    const sections = `
      Mappings:
        Sizes:
          us-east-1:
            Memory: 512
    `;
    const { environment } = environmentOf('MEMORY: !FindInMap [Sizes, !Ref AWS::Region, Memory]', sections);
    expect(environment).to.deep.equal({ MEMORY: '512' });
  });

  it('Fn::Base64 encodes the string as UTF-8 base64', () => {
    const { environment } = environmentOf("ENCODED: !Base64 'héllo'");
    expect(environment).to.deep.equal({ ENCODED: Buffer.from('héllo', 'utf8').toString('base64') });
  });

  it('Fn::ImportValue, which only a deployment can answer, gives an empty string and one warning', () => {
    const { environment, warnings } = environmentOf('SHARED: !ImportValue shared-bucket');
    expect(environment).to.deep.equal({ SHARED: '' });
    expect(warnings).to.have.lengthOf(1);
    expect(warnings[0]).to.include("Fn::ImportValue cannot be resolved locally; using ''");
  });

  it('Fn::GetAtt of an attribute only a deployment knows gives an empty string and a warning', () => {
    const { environment, warnings } = environmentOf(
      'QUEUE_ARN: !GetAtt Queue.Arn',
      '',
      '\n  Queue:\n    Type: AWS::SQS::Queue\n',
    );
    expect(environment).to.deep.equal({ QUEUE_ARN: '' });
    expect(
      warnings.some((warning) =>
        warning.includes("Fn::GetAtt Queue.Arn cannot be resolved locally; using ''"),
      ),
    ).to.be.true;
  });

  it('Ref to a resource the emulator does not run gives its logical id', () => {
    const { environment } = environmentOf('QUEUE: !Ref Queue', '', '\n  Queue:\n    Type: AWS::SQS::Queue\n');
    expect(environment).to.deep.equal({ QUEUE: 'Queue' });
  });

  it('leaves out a function whose Condition is false, with its events', () => {
    const template = `
      Conditions:
        Never: !Equals [a, b]
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Condition: Never
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Events:
              Get:
                Type: Api
                Properties: {Path: /, Method: get}
    `;
    const model = load(template);
    expect(model.functions.size).to.equal(0);
    expect(model.routes).to.deep.equal([]);
    expect([...model.apis.keys()]).to.deep.equal([]);
  });

  it('warns about a Ref to an unknown name even in an Fn::If branch never taken, as CloudFormation validates it, and runs as sam local does', () => {
    const model = load(
      functionTemplate(
        `
        Environment:
          Variables:
            VALUE: !If [Never, !Ref Missing, 'fine']
        `,
        'Conditions:\n  Never: !Equals [a, b]',
      ),
    );
    expect(onlyFunction(model).environment.VALUE).to.equal('fine');
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:13: Resources.Fn.Properties.Environment.Variables.VALUE.Fn::If[1].Ref: Ref Missing: no parameter, pseudo parameter or resource has this name (CloudFormation refuses the template; it runs here while nothing needs the value)',
    ]);
  });

  it('rejects a Ref to an unknown name once the emulator needs its value', () => {
    const error = loadError(functionTemplate('Environment:\n  Variables:\n    VALUE: !Ref Missing'));
    expect(error.message).to.include('Ref Missing: no parameter, pseudo parameter or resource has this name');
    expect(error.path).to.equal('Resources.Fn.Properties.Environment.Variables.VALUE.Ref');
  });

  it('warns about a Fn::Sub variable in Outputs that names nothing in the template', () => {
    const model = load(
      `${functionTemplate()}Outputs:\n  Url:\n    Value: !Sub 'https://\${ServerlessRestApi}/'\n`,
    );
    expect(model.warnings[0]).to.include('Outputs.Url.Value.Fn::Sub: Ref ServerlessRestApi: no parameter');
  });

  it('accepts references to resources SAM generates, such as <Function>Role, in Outputs', () => {
    const model = load(`${functionTemplate()}Outputs:\n  Role:\n    Value: !GetAtt FnRole.Arn\n`);
    expect(model.functions.has('Fn')).to.be.true;
  });

  it('rejects Fn::Select with an index out of range', () => {
    const error = loadError(functionTemplate('Environment:\n  Variables:\n    VALUE: !Select [3, [a, b]]'));
    expect(error.message).to.include('index 3 is out of range for a list of 2 items');
  });

  it('rejects a condition that refers to a resource: conditions see only parameters', () => {
    const error = loadError(
      functionTemplate(
        'Environment:\n  Variables:\n    VALUE: !If [Odd, a, b]',
        'Conditions:\n  Odd: !Equals [!Ref Fn, Fn]',
      ),
    );
    expect(error.message).to.include(
      'conditions can refer only to parameters and pseudo parameters, not to Fn',
    );
  });

  it('rejects Fn::If naming a condition the Conditions section does not declare', () => {
    const error = loadError(functionTemplate('Environment:\n  Variables:\n    VALUE: !If [Unknown, a, b]'));
    expect(error.message).to.include(
      'refers to condition Unknown, which the Conditions section does not declare',
    );
  });

  it('rejects a Ref to a resource whose Condition is false', () => {
    const template = `${functionTemplate(
      'Environment:\n  Variables:\n    VALUE: !Ref Queue',
      'Conditions:\n  Never: !Equals [a, b]',
    )}
  Queue:
    Type: AWS::SQS::Queue
    Condition: Never
`;
    const error = loadError(template);
    expect(error.message).to.include(
      'refers to Queue, which this stack does not create: its Condition Never is false',
    );
  });

  it('rejects a Fn:: function CloudFormation does not have, such as a misspelt Fn::Joins', () => {
    const error = loadError(
      functionTemplate("Environment:\n  Variables:\n    VALUE: {'Fn::Joins': ['', [a]]}"),
    );
    expect(error.message).to.include('Fn::Joins is not a CloudFormation intrinsic function');
  });

  it('rejects a condition that depends on itself', () => {
    const error = loadError(
      functionTemplate(
        'Environment:\n  Variables:\n    VALUE: !If [Loop, a, b]',
        'Conditions:\n  Loop: !Not [!Condition Loop]',
      ),
    );
    expect(error.message).to.include('condition Loop depends on itself');
  });
});
