import { expect } from 'chai';
import { parseYaml } from '../../../emulator/template/yaml.ts';
import { dedent, loadError } from './helpers.ts';

describe('template YAML', () => {
  it('turns every CloudFormation short-form tag into its long form', () => {
    const { value } = parseYaml(
      dedent(`
        Ref: !Ref Name
        Condition: !Condition IsProd
        Sub: !Sub 'x-\${AWS::Region}'
        GetAtt: !GetAtt [Fn, Arn]
        If: !If [IsProd, a, b]
        Join: !Join [',', [a, b]]
        Select: !Select [0, [a, b]]
        Split: !Split [',', 'a,b']
        Equals: !Equals [a, b]
        Not: !Not [!Condition IsProd]
        And: !And [!Condition A, !Condition B]
        Or: !Or [!Condition A, !Condition B]
        FindInMap: !FindInMap [Map, Top, Second]
        Base64: !Base64 text
        GetAZs: !GetAZs ''
        ImportValue: !ImportValue SharedValue
        Cidr: !Cidr [10.0.0.0/16, 4, 8]
      `),
    );
    expect(value).to.deep.equal({
      Ref: { Ref: 'Name' },
      Condition: { Condition: 'IsProd' },
      Sub: { 'Fn::Sub': `x-\${AWS::Region}` },
      GetAtt: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      If: { 'Fn::If': ['IsProd', 'a', 'b'] },
      Join: { 'Fn::Join': [',', ['a', 'b']] },
      Select: { 'Fn::Select': [0, ['a', 'b']] },
      Split: { 'Fn::Split': [',', 'a,b'] },
      Equals: { 'Fn::Equals': ['a', 'b'] },
      Not: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      And: { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] },
      Or: { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] },
      FindInMap: { 'Fn::FindInMap': ['Map', 'Top', 'Second'] },
      Base64: { 'Fn::Base64': 'text' },
      GetAZs: { 'Fn::GetAZs': '' },
      ImportValue: { 'Fn::ImportValue': 'SharedValue' },
      Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
    });
  });

  it('splits !GetAtt Resource.Attribute at the first dot only, as attribute names may hold dots', () => {
    const { value } = parseYaml('A: !GetAtt Fn.Arn\nB: !GetAtt Db.Endpoint.Address\n');
    expect(value).to.deep.equal({
      A: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      B: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
    });
  });

  it('reads !Sub with a variable map as [template, variables], the variables holding short forms too', () => {
    const { value } = parseYaml(
      dedent(`
        Url: !Sub
          - 'https://\${Host}/'
          - Host: !Ref HostName
      `),
    );
    expect(value).to.deep.equal({ Url: { 'Fn::Sub': [`https://\${Host}/`, { Host: { Ref: 'HostName' } }] } });
  });

  it('reads JSON templates, which are YAML, even when indented with tabs', () => {
    const { value } = parseYaml('{\n\t"Resources": {\n\t\t"Q": {"Type": "AWS::SQS::Queue"}\n\t}\n}');
    expect(value).to.deep.equal({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
  });

  it('finds the line of a value inside a short form, for error messages', () => {
    const { lineOf } = parseYaml(
      dedent(`
        Outputs:
          Url:
            Value: !Sub
              - 'https://\${Host}/'
              - Host: !Ref HostName
      `),
    );
    expect(lineOf(['Outputs', 'Url', 'Value', 'Fn::Sub', 1, 'Host'])).to.equal(5);
    expect(lineOf(['Outputs', 'Url', 'Value'])).to.equal(3);
    // A location that only exists after defaults or Globals falls back to its nearest written ancestor.
    expect(lineOf(['Outputs', 'Url', 'Description'])).to.equal(2);
  });

  it('reports a YAML syntax error with its line', () => {
    const error = loadError('Resources:\n  Fn:\n    Type: [AWS::Serverless::Function\n  Other: 1\n');
    expect(error.message).to.match(/^\/project\/template\.yaml:\d+: YAML syntax error: /);
    expect(error.line).to.be.a('number').and.within(3, 4);
  });

  it('rejects a tag CloudFormation does not know, naming its line', () => {
    const error = loadError(
      'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Name: !Reff Thing\n',
    );
    expect(error.line).to.equal(5);
    expect(error.message).to.include('!Reff');
  });
});
