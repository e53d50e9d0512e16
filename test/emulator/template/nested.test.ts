import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { findFunction } from '../../../emulator/invoke/function-name.ts';
import { type LoadOptions, loadTemplate, TemplateError } from '../../../emulator/template/load.ts';
import type { AppModel, FunctionModel } from '../../../emulator/template/model.ts';
import { functionsNamed } from '../../../emulator/template/nested.ts';
import { dedent } from './helpers.ts';

const HEADER = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n";

/** A function resource of a template, indented to sit under `Resources:`. */
function functionResource(logicalId: string, extra = ''): string {
  const lines = [
    `  ${logicalId}:`,
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: .',
    '      Handler: index.handler',
    '      Runtime: nodejs22.x',
    ...extra
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => `      ${line}`),
  ];
  return `${lines.join('\n')}\n`;
}

describe('template nested stacks', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nested-test-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Writes the template files (paths relative to a fresh folder) and returns the first one's absolute path. */
  function write(files: Record<string, string>): string {
    const paths = Object.entries(files).map(([relative, text]) => {
      const file = join(root, relative);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, dedent(text));
      return file;
    });
    const [first] = paths;
    if (first === undefined) throw new Error('no template');
    return first;
  }

  function loadError(templatePath: string, options?: LoadOptions): TemplateError {
    try {
      loadTemplate(templatePath, options);
    } catch (error) {
      if (error instanceof TemplateError) return error;
      throw error;
    }
    return expect.fail('expected the template to be rejected with a TemplateError');
  }

  function fn(model: AppModel, id: string): FunctionModel {
    const found = model.functions.get(id);
    if (found === undefined)
      return expect.fail(`no function ${id} among ${[...model.functions.keys()].join(', ')}`);
    return found;
  }

  const childWithParameter = `${HEADER}Parameters:
  Stage:
    Type: String
  Names:
    Type: CommaDelimitedList
Resources:
${functionResource(
  'ChildFunction',
  `Environment:
  Variables:
    STAGE: !Ref Stage
    NAMES: !Join [';', !Ref Names]
    STACK: !Ref AWS::StackName
    REGION: !Ref AWS::Region`,
)}`;

  it("passes the nested resource's Parameters, resolved in the parent, to the child as its parameter values", () => {
    const parent = write({
      'template.yaml': `${HEADER}Parameters:
  Env:
    Type: String
    Default: dev
  Team:
    Type: CommaDelimitedList
    Default: a,b
Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child/template.yaml
      Parameters:
        Stage: !Sub '\${Env}-blue'
        Names: !Ref Team
`,
      'child/template.yaml': childWithParameter,
    });

    const model = loadTemplate(parent, { parameterOverrides: { Env: 'prod' }, region: 'eu-west-1' });

    expect(fn(model, 'Child/ChildFunction').environment).to.deep.include({
      STAGE: 'prod-blue',
      NAMES: 'a;b',
      REGION: 'eu-west-1',
    });
    expect(fn(model, 'Child/ChildFunction').codeUri).to.equal(join(root, 'child'));
  });

  it('names the child stack <parent stack>-<logical id>-<suffix> in AWS::StackName, as CloudFormation names a nested stack', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child/template.yaml
      Parameters: {Stage: x, Names: y}
`,
      'child/template.yaml': childWithParameter,
    });

    const model = loadTemplate(parent, { stackName: 'shop' });

    expect(fn(model, 'Child/ChildFunction').environment.STACK).to.match(/^shop-Child-[A-Z0-9]{10}$/);
    expect(
      loadTemplate(parent, { stackName: 'shop' }).functions.get('Child/ChildFunction')?.environment.STACK,
    ).to.equal(fn(model, 'Child/ChildFunction').environment.STACK);
  });

  it('gives every function, API, route and event of a nested stack a full-path id: Child/Id, Child/Grandchild/Id', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
${functionResource('ParentFunction', 'Events:\n  Get: {Type: Api, Properties: {Path: /parent, Method: get}}')}
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child/template.yaml
`,
      'child/template.yaml': `${HEADER}Resources:
${functionResource(
  'ChildFunction',
  `Events:
  Get: {Type: HttpApi, Properties: {Path: /child, Method: get}}
  Tick: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
  Queue: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}`,
)}
  Jobs:
    Type: AWS::SQS::Queue
  Grandchild:
    Type: AWS::Serverless::Application
    Properties:
      Location: grandchild.yaml
`,
      'child/grandchild.yaml': `${HEADER}Resources:
${functionResource('ParentFunction', 'Events:\n  Get: {Type: Api, Properties: {Path: /grandchild, Method: get}}')}
`,
    });

    const model = loadTemplate(parent);

    expect([...model.functions.keys()]).to.deep.equal([
      'ParentFunction',
      'Child/ChildFunction',
      'Child/Grandchild/ParentFunction',
    ]);
    expect(fn(model, 'Child/Grandchild/ParentFunction').logicalId).to.equal(
      'Child/Grandchild/ParentFunction',
    );
    expect([...model.apis.keys()]).to.deep.equal([
      'ServerlessRestApi',
      'Child/ServerlessHttpApi',
      'Child/Grandchild/ServerlessRestApi',
    ]);
    expect(model.routes.map((route) => [route.apiId, route.path, route.functionId])).to.deep.equal([
      ['ServerlessRestApi', '/parent', 'ParentFunction'],
      ['Child/ServerlessHttpApi', '/child', 'Child/ChildFunction'],
      ['Child/Grandchild/ServerlessRestApi', '/grandchild', 'Child/Grandchild/ParentFunction'],
    ]);
    expect(model.schedules.map((schedule) => schedule.functionId)).to.deep.equal(['Child/ChildFunction']);
    expect(model.eventSources.map((source) => [source.functionId, source.sourceId])).to.deep.equal([
      ['Child/ChildFunction', 'Child/Jobs'],
    ]);
    expect(model.ignoredResources).to.deep.equal([{ type: 'AWS::SQS::Queue', logicalIds: ['Child/Jobs'] }]);
    expect(model.nestedTemplates).to.deep.equal([
      join(root, 'child/template.yaml'),
      join(root, 'child/grandchild.yaml'),
    ]);
  });

  it("finds a nested function by its own logical id or name; among several, the first by full path, as sam local's SamFunctionProvider.get does", () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
${functionResource('Shared')}
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child.yaml}
  Zed:
    Type: AWS::Serverless::Application
    Properties: {Location: child.yaml}
`,
      'child.yaml': `${HEADER}Resources:
${functionResource('Shared')}
${functionResource('OnlyInChild', 'FunctionName: only-in-child')}
`,
    });

    const model = loadTemplate(parent);

    expect(functionsNamed(model.functions, 'Shared').map((fn) => fn.logicalId)).to.deep.equal([
      'Child/Shared',
      'Shared',
      'Zed/Shared',
    ]);
    expect(findFunction(model.functions, 'Shared')?.logicalId).to.equal('Child/Shared');
    expect(findFunction(model.functions, 'only-in-child')?.logicalId).to.equal('Child/OnlyInChild');
    expect(findFunction(model.functions, 'OnlyInChild')?.logicalId).to.equal('Child/OnlyInChild');
    expect(findFunction(model.functions, 'Zed/Shared')?.logicalId).to.equal('Zed/Shared');
  });

  it('loads no nested stack whose Condition is false, as CloudFormation creates none', () => {
    const parent = write({
      'template.yaml': `${HEADER}Parameters:
  WithChild: {Type: String, Default: 'no'}
Conditions:
  ChildWanted: !Equals [!Ref WithChild, 'yes']
Resources:
${functionResource('ParentFunction')}
  Child:
    Type: AWS::Serverless::Application
    Condition: ChildWanted
    Properties: {Location: child.yaml}
`,
      'child.yaml': `${HEADER}Resources:\n${functionResource('ChildFunction')}`,
    });

    expect([...loadTemplate(parent).functions.keys()]).to.deep.equal(['ParentFunction']);
    expect([
      ...loadTemplate(parent, { parameterOverrides: { WithChild: 'yes' } }).functions.keys(),
    ]).to.deep.equal(['ParentFunction', 'Child/ChildFunction']);
  });

  it('lists a nested stack in S3, at an https URL or in the Serverless Application Repository as not available locally, in one line each', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
${functionResource('ParentFunction')}
  InS3:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: 's3://bucket/child.yaml'}
  OverHttps:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: 'https://bucket.s3.amazonaws.com/child.yaml'}
  FromSar:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/app
        SemanticVersion: 1.0.0
`,
    });

    const model = loadTemplate(parent);

    expect([...model.functions.keys()]).to.deep.equal(['ParentFunction']);
    expect(model.warnings).to.have.length(3);
    expect(model.warnings[0]).to.equal(
      `${parent}:11: Resources.InS3: its template is in s3://bucket/child.yaml, which is not available locally: its functions and APIs are not served (sam local loads only nested templates on disk)`,
    );
    expect(model.warnings[1]).to.include(
      'Resources.OverHttps: its template is in https://bucket.s3.amazonaws.com/child.yaml',
    );
    expect(model.warnings[2]).to.include(
      'Resources.FromSar: its template is in the Serverless Application Repository (arn:aws:serverlessrepo:us-east-1:123456789012:applications/app)',
    );
    expect(model.ignoredResources).to.deep.equal([
      { type: 'AWS::CloudFormation::Stack', logicalIds: ['InS3', 'OverHttps'] },
      { type: 'AWS::Serverless::Application', logicalIds: ['FromSar'] },
    ]);
  });

  it('reads a file:// Location as a local path, as sam local does', () => {
    const child = join(root, 'elsewhere', 'child.yaml');
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: '${pathToFileURL(child).href}'}
`,
      'elsewhere/child.yaml': `${HEADER}Resources:\n${functionResource('ChildFunction')}`,
    });

    expect(fn(loadTemplate(parent), 'Child/ChildFunction').codeUri).to.equal(join(root, 'elsewhere'));
  });

  it('refuses a cycle of nested templates, naming the chain', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child.yaml}
`,
      'child.yaml': `${HEADER}Resources:
  Back:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: template.yaml
`,
    });

    const error = loadError(parent);

    expect(error.templatePath).to.equal(join(root, 'child.yaml'));
    expect(error.line).to.equal(7);
    expect(error.message).to.include(
      `Resources.Back.Properties.TemplateURL: nests a template already above it: ${parent} -> ${join(root, 'child.yaml')} -> ${parent}`,
    );
  });

  it("names the child template's file and line in an error inside the child", () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child/template.yaml}
`,
      'child/template.yaml': `${HEADER}Resources:
${functionResource('ChildFunction', 'Timeout: !Bogus 3')}
`,
    });

    const error = loadError(parent);

    expect(error.templatePath).to.equal(join(root, 'child/template.yaml'));
    expect(error.line).to.equal(10);
    expect(error.message).to.match(/^.*child\/template\.yaml:10: /);
  });

  it("names the child template's file and line in a warning from the child", () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child/template.yaml}
`,
      'child/template.yaml': `${HEADER}Resources:
${functionResource('ChildFunction', 'Environment:\n  Variables:\n    ID: !ImportValue shared-id')}
`,
    });

    const { warnings } = loadTemplate(parent);

    expect(warnings).to.deep.equal([
      `${join(root, 'child/template.yaml')}:12: Resources.ChildFunction.Properties.Environment.Variables.ID.Fn::ImportValue: Fn::ImportValue cannot be resolved locally; using ''`,
    ]);
  });

  it('refuses a nested template that does not exist, naming the Location in the parent', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: missing/template.yaml
`,
    });

    const error = loadError(parent);

    expect(error.templatePath).to.equal(parent);
    expect(error.line).to.equal(7);
    expect(error.message).to.include(
      `the nested template ${join(root, 'missing/template.yaml')} does not exist`,
    );
  });

  it("resolves !GetAtt Child.Outputs.Name in the parent to the child's resolved Output", () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
${functionResource(
  'ParentFunction',
  `Environment:
  Variables:
    CHILD_FUNCTION: !GetAtt Child.Outputs.FunctionArn
    CHILD_TABLE: !Sub '\${Child.Outputs.Stage}-table'
    DEPLOYED_ONLY: !GetAtt Child.Outputs.QueueUrl`,
)}
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child.yaml
      Parameters: {Stage: beta}
Outputs:
  ChildStage:
    Value: !GetAtt Child.Outputs.Stage
`,
      'child.yaml': `${HEADER}Parameters:
  Stage: {Type: String}
Resources:
${functionResource('ChildFunction')}
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  FunctionArn:
    Value: !GetAtt ChildFunction.Arn
  Stage:
    Value: !Ref Stage
  QueueUrl:
    Value: !GetAtt Queue.QueueUrl
`,
    });

    const model = loadTemplate(parent);

    expect(fn(model, 'ParentFunction').environment).to.deep.equal({
      CHILD_FUNCTION: 'arn:aws:lambda:us-east-1:123456789012:function:ChildFunction',
      CHILD_TABLE: 'beta-table',
      DEPLOYED_ONLY: '',
    });
    expect(model.outputs?.get('ChildStage')).to.equal('beta');
  });

  it('resolves !GetAtt Child.Outputs.Name to an empty string with a warning when the child is not loaded here', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
${functionResource('ParentFunction', 'Environment:\n  Variables:\n    FROM_S3: !GetAtt Remote.Outputs.Name')}
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: 's3://bucket/child.yaml'}
`,
    });

    const model = loadTemplate(parent);

    expect(fn(model, 'ParentFunction').environment.FROM_S3).to.equal('');
    expect(model.warnings).to.include(
      `${parent}:12: Resources.ParentFunction.Properties.Environment.Variables.FROM_S3.Fn::GetAtt: Fn::GetAtt Remote.Outputs.Name cannot be resolved locally; using ''`,
    );
  });

  it('finds a layer across stacks by its ARN: passed down as a parameter, or read up with !GetAtt Child.Outputs.Name', () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  ParentLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: parent-layer}
${functionResource('ParentFunction', 'Layers: [!GetAtt Child.Outputs.LayerArn]')}
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child/template.yaml
      Parameters: {SharedLayer: !Ref ParentLayer}
`,
      'child/template.yaml': `${HEADER}Parameters:
  SharedLayer: {Type: String}
Resources:
  ChildLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: child-layer}
${functionResource('ChildFunction', 'Layers: [!Ref SharedLayer]')}
Outputs:
  LayerArn:
    Value: !Ref ChildLayer
`,
    });

    const model = loadTemplate(parent);

    expect(fn(model, 'ParentFunction').layers.map((layer) => layer.contentDir)).to.deep.equal([
      join(root, 'child/child-layer'),
    ]);
    expect(fn(model, 'Child/ChildFunction').layers.map((layer) => layer.contentDir)).to.deep.equal([
      join(root, 'parent-layer'),
    ]);
    expect(model.warnings.filter((warning) => warning.includes('layer'))).to.deep.equal([]);
  });

  it("resolves Ref to a nested stack to its stack id, the child's own AWS::StackId", () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
${functionResource('ParentFunction', 'Environment:\n  Variables:\n    CHILD_ID: !Ref Child')}
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child.yaml}
`,
      'child.yaml': `${HEADER}Resources:
${functionResource('ChildFunction', 'Environment:\n  Variables:\n    SELF_ID: !Ref AWS::StackId')}
`,
    });

    const model = loadTemplate(parent, { stackName: 'shop', region: 'eu-west-1' });

    const childId = fn(model, 'ParentFunction').environment.CHILD_ID;
    expect(childId).to.match(
      /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/shop-Child-[A-Z0-9]{10}\/[0-9a-f-]{36}$/,
    );
    expect(fn(model, 'Child/ChildFunction').environment.SELF_ID).to.equal(childId);
  });

  it("warns that a child parameter without a Default needs a value in the nested resource's Parameters, and that an undeclared one is refused", () => {
    const parent = write({
      'template.yaml': `${HEADER}Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child.yaml
      Parameters: {Names: a, Extra: b}
`,
      'child.yaml': childWithParameter,
    });

    const { warnings } = loadTemplate(parent, { parameterOverrides: { Stage: 'ignored-in-child' } });

    const child = join(root, 'child.yaml');
    expect(warnings).to.deep.equal([
      `${parent}: parameter override Stage names no parameter of the template; ignored`,
      `${child}:3: Parameters: Stage has no Default and no value in Resources.Child.Properties.Parameters of ${parent}; Ref gives '' (CloudFormation refuses to create the stack without a value)`,
      `${child}:3: Parameters: Resources.Child.Properties.Parameters of ${parent} passes Extra, which this template does not declare (CloudFormation refuses it); ignored`,
    ]);
  });
});
