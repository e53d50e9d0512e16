import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadTemplate, TemplateError } from '../../../emulator/template/load.ts';
import { functionTemplate, load, loadError, onlyFunction } from './helpers.ts';

describe('template loading', () => {
  it('rejects a template without Resources', () => {
    const error = loadError('Description: nothing to run\n');
    expect(error).to.be.instanceOf(TemplateError);
    expect(error.message).to.equal(
      '/project/template.yaml: the template has no Resources section; CloudFormation requires one',
    );
    expect(error.line).to.equal(undefined);
  });

  it('rejects an empty template', () => {
    expect(loadError('').message).to.include('the template is empty');
  });

  it('rejects a top-level section CloudFormation does not have, such as a misspelt Resources', () => {
    const error = loadError(`${functionTemplate()}Output:\n  Url:\n    Value: x\n`);
    expect(error.path).to.equal('Output');
    expect(error.message).to.include('Output is not a template section');
  });

  it('rejects a template format version other than 2010-09-09', () => {
    const error = loadError(`AWSTemplateFormatVersion: '2020-01-01'\n${functionTemplate()}`);
    expect(error.path).to.equal('AWSTemplateFormatVersion');
  });

  it('rejects a resource without a Type', () => {
    const error = loadError('Resources:\n  Thing:\n    Properties: {}\n');
    expect(error.message).to.equal('/project/template.yaml:2: Resources.Thing: has no Type');
  });

  it('warns when the SAM transform is missing, since CloudFormation then rejects AWS::Serverless resources', () => {
    const model = load(functionTemplate().replace('Transform: AWS::Serverless-2016-10-31', ''));
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml: Transform: add "Transform: AWS::Serverless-2016-10-31": CloudFormation rejects AWS::Serverless resources without it',
    ]);
  });

  it('lists each distinct warning once, such as one from Globals met by every function', () => {
    const model = load(`
      Globals:
        Function:
          CodeUri: src/
          Runtime: nodejs22.x
          Environment:
            Variables:
              SHARED: !ImportValue shared-bucket
      Resources:
        First:
          Type: AWS::Serverless::Function
          Properties: {Handler: first.handler}
        Second:
          Type: AWS::Serverless::Function
          Properties: {Handler: second.handler}
    `);
    expect(model.functions.size).to.equal(2);
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml: Transform: add "Transform: AWS::Serverless-2016-10-31": CloudFormation rejects AWS::Serverless resources without it',
      "/project/template.yaml:7: Globals.Function.Environment.Variables.SHARED.Fn::ImportValue: Fn::ImportValue cannot be resolved locally; using ''",
    ]);
  });

  it('loads a key written twice with its last value, as sam local reads it, warning with both lines', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Timeout: 5
            Timeout: 9
    `);
    expect(onlyFunction(model).timeout).to.equal(9);
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:10: Resources.Fn.Properties.Timeout: written twice (lines 9 and 10); the last one is used, as sam local reads it',
    ]);
  });

  it("treats a null property as absent and a null environment variable as '', as sam local does, warning that CloudFormation refuses nulls", () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Timeout:
            Environment:
              Variables:
                TABLE_NAME:
                STAGE: dev
            Events:
    `);
    const fn = onlyFunction(model);
    expect(fn.timeout).to.equal(3);
    expect(fn.environment).to.deep.equal({ TABLE_NAME: '', STAGE: 'dev' });
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:9: Resources.Fn.Properties.Timeout: is null, which CloudFormation refuses at deploy; treated as absent here, as sam local does',
      "/project/template.yaml:12: Resources.Fn.Properties.Environment.Variables.TABLE_NAME: is null, which CloudFormation refuses at deploy; set to '' here, as sam local does",
      '/project/template.yaml:14: Resources.Fn.Properties.Events: is null, which CloudFormation refuses at deploy; treated as absent here, as sam local does',
    ]);
  });

  it('fills in the stack identity: us-east-1, account 123456789012, stack local and the absolute template path', () => {
    const model = load(functionTemplate());
    expect(model).to.include({
      templatePath: '/project/template.yaml',
      region: 'us-east-1',
      accountId: '123456789012',
      stackName: 'local',
    });
  });

  it('loadTemplate reads the file and resolves CodeUri from its folder', () => {
    const folder = mkdtempSync(join(tmpdir(), 'template-'));
    try {
      const path = join(folder, 'template.yaml');
      writeFileSync(path, functionTemplate());
      mkdirSync(join(folder, 'src'));
      const model = loadTemplate(path);
      expect(model.templatePath).to.equal(path);
      expect(model.functions.get('Fn')?.codeUri).to.equal(join(folder, 'src'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('loadTemplate reports a missing file as a TemplateError', () => {
    const missing = join(tmpdir(), 'no-such-folder-for-template-tests', 'template.yaml');
    expect(() => loadTemplate(missing))
      .to.throw(TemplateError)
      .with.property('message')
      .that.includes(`${missing}: cannot read the template`);
  });
});
