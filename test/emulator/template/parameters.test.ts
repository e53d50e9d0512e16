import { expect } from 'chai';
import { functionTemplate, load, loadError, onlyFunction } from './helpers.ts';

/** A function whose environment shows what the given Parameters resolve to. */
function environmentWith(parameters: string, variables: string, options?: Parameters<typeof load>[1]) {
  const lines = variables
    .trim()
    .split('\n')
    .map((line) => `    ${line.trim()}`);
  const extra = ['Environment:', '  Variables:', ...lines].join('\n');
  return onlyFunction(load(functionTemplate(extra, parameters), options)).environment;
}

describe('template parameters', () => {
  it("uses a parameter's Default when no override is given", () => {
    const environment = environmentWith(
      `
      Parameters:
        Stage:
          Type: String
          Default: dev
      `,
      'STAGE: !Ref Stage',
    );
    expect(environment).to.deep.equal({ STAGE: 'dev' });
  });

  it('prefers a parameter override over the Default', () => {
    const environment = environmentWith(
      `
      Parameters:
        Stage:
          Type: String
          Default: dev
      `,
      'STAGE: !Ref Stage',
      { parameterOverrides: { Stage: 'prod' } },
    );
    expect(environment).to.deep.equal({ STAGE: 'prod' });
  });

  it('keeps Number parameters as strings in Ref results, as CloudFormation does', () => {
    const model = load(
      functionTemplate(
        `
        Timeout: !Ref TimeoutSeconds
        Environment:
          Variables:
            SUB: !Join ['', [!Ref TimeoutSeconds]]
            SAME_TEXT: !If [TimeoutIsTen, 'yes', 'no']
        `,
        `
        Parameters:
          TimeoutSeconds:
            Type: Number
            Default: 10
        Conditions:
          TimeoutIsTen: !Equals [!Ref TimeoutSeconds, '10']
        `,
      ),
    );
    const fn = onlyFunction(model);
    expect(fn.environment).to.deep.equal({ SUB: '10', SAME_TEXT: 'yes' });
    expect(fn.timeout).to.equal(10);
  });

  it('rejects an override outside AllowedValues, naming the allowed values', () => {
    const error = loadError(
      functionTemplate(
        '',
        `
        Parameters:
          Stage:
            Type: String
            Default: dev
            AllowedValues: [dev, prod]
        `,
      ),
      { parameterOverrides: { Stage: 'qa' } },
    );
    expect(error.path).to.equal('Parameters.Stage.AllowedValues');
    expect(error.message).to.include('the override "qa" is not one of the AllowedValues: dev, prod');
    expect(error.line).to.equal(6);
  });

  it('rejects an override that matches AllowedPattern only in part: the whole value must match', () => {
    const error = loadError(
      functionTemplate(
        '',
        `
        Parameters:
          Name:
            Type: String
            Default: abc
            AllowedPattern: '[a-z]+'
            ConstraintDescription: lower-case letters only
        `,
      ),
      { parameterOverrides: { Name: 'abc1' } },
    );
    expect(error.message).to.include('does not match AllowedPattern [a-z]+ (lower-case letters only)');
  });

  it('checks the Default against the constraints too', () => {
    const error = loadError(
      functionTemplate(
        '',
        `
        Parameters:
          Size:
            Type: Number
            Default: 500
            MaxValue: 100
        `,
      ),
    );
    expect(error.message).to.include('the Default "500" is above MaxValue 100');
  });

  it('rejects a Number parameter whose value is not a number', () => {
    const error = loadError(
      functionTemplate(
        '',
        `
        Parameters:
          Size:
            Type: Number
            Default: 5
        `,
      ),
      { parameterOverrides: { Size: 'five' } },
    );
    expect(error.message).to.include('the override "five" is not a number');
  });

  it("gives '' (a list: []) for parameters with neither a Default nor an override, as sam local does, naming all in one warning", () => {
    const model = load(
      functionTemplate(
        'Environment:\n  Variables:\n    KEY: !Ref ApiKey\n    HOSTS: !Join [",", !Ref Hosts]',
        `
        Parameters:
          ApiKey:
            Type: String
            MinLength: 10
          Hosts:
            Type: CommaDelimitedList
        `,
      ),
    );
    expect(onlyFunction(model).environment).to.deep.equal({ KEY: '', HOSTS: '' });
    expect(model.warnings).to.deep.equal([
      `/project/template.yaml:2: Parameters: ApiKey, Hosts have no Default and no value given; Ref gives '' as in sam local (pass --parameter-overrides "ApiKey=... Hosts=..." or set parameter_overrides in samconfig.toml)`,
    ]);
  });

  it('takes a fallback value (samconfig deploy parameters) only for a parameter with neither override nor Default', () => {
    const model = load(
      functionTemplate(
        'Environment:\n  Variables:\n    TABLE: !Ref Table\n    STAGE: !Ref Stage',
        `
        Parameters:
          Table:
            Type: String
          Stage:
            Type: String
            Default: dev
        `,
      ),
      {
        parameterFallbacks: {
          values: { Table: 'orders', Stage: 'prod' },
          source: 'samconfig.toml [default.deploy.parameters]',
        },
      },
    );
    expect(onlyFunction(model).environment).to.deep.equal({ TABLE: 'orders', STAGE: 'dev' });
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:2: Parameters: Table takes its value from samconfig.toml [default.deploy.parameters], which sam local does not read',
    ]);
  });

  it('makes CommaDelimitedList parameters lists, for Fn::Join and Fn::Select', () => {
    const environment = environmentWith(
      `
      Parameters:
        Symbols:
          Type: CommaDelimitedList
          Default: BTCUSDT,ETHUSDT
          AllowedValues: [BTCUSDT, ETHUSDT]
      `,
      `
      JOINED: !Join [' ', !Ref Symbols]
      SECOND: !Select [1, !Ref Symbols]
      `,
    );
    expect(environment).to.deep.equal({ JOINED: 'BTCUSDT ETHUSDT', SECOND: 'ETHUSDT' });
  });

  it('warns about an override that names no parameter of the template', () => {
    const model = load(functionTemplate(), { parameterOverrides: { Nope: 'x' } });
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml: parameter override Nope names no parameter of the template; ignored',
    ]);
  });

  it('resolves the pseudo parameters of a local stack: region, account, stack name, partition aws, URL suffix', () => {
    const environment = environmentWith(
      '',
      `
      REGION: !Ref AWS::Region
      ACCOUNT: !Ref AWS::AccountId
      STACK: !Ref AWS::StackName
      PARTITION: !Ref AWS::Partition
      SUFFIX: !Ref AWS::URLSuffix
      STACK_ID: !Ref AWS::StackId
      `,
    );
    expect(environment).to.include({
      REGION: 'us-east-1',
      ACCOUNT: '123456789012',
      STACK: 'local',
      PARTITION: 'aws',
      SUFFIX: 'amazonaws.com',
    });
    expect(environment.STACK_ID).to.match(
      /^arn:aws:cloudformation:us-east-1:123456789012:stack\/local\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('takes AWS::Region, AWS::AccountId and AWS::StackName from the load options', () => {
    const environment = environmentWith(
      '',
      `WHERE: !Sub "\${AWS::StackName}@\${AWS::AccountId}/\${AWS::Region}"`,
      {
        region: 'eu-west-3',
        accountId: '111122223333',
        stackName: 'prices',
      },
    );
    expect(environment).to.deep.equal({ WHERE: 'prices@111122223333/eu-west-3' });
  });

  it('gives the aws-cn partition and the amazonaws.com.cn URL suffix in China regions', () => {
    const environment = environmentWith('', `URL: !Sub "\${AWS::Partition} \${AWS::URLSuffix}"`, {
      region: 'cn-north-1',
    });
    expect(environment).to.deep.equal({ URL: 'aws-cn amazonaws.com.cn' });
  });
});
