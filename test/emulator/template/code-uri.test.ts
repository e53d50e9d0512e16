import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadTemplate, parseTemplate, TemplateError } from '../../../emulator/template/load.ts';

const roots: string[] = [];

/** A template with one function whose code location is `codeUri`, in a fresh folder holding `folders`. */
function project(folders: readonly string[], resource: string): string {
  const root = mkdtempSync(join(tmpdir(), 'code-uri-'));
  for (const folder of folders) mkdirSync(join(root, folder), { recursive: true });
  writeFileSync(join(root, 'template.yaml'), `Transform: AWS::Serverless-2016-10-31\n${resource}`);
  roots.push(root);
  return join(root, 'template.yaml');
}

function serverless(codeUri: string, handler = 'app.handler'): string {
  return `Resources:
  ProducerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ${codeUri}
      Handler: ${handler}
      Runtime: nodejs22.x
`;
}

function loadError(templatePath: string): TemplateError {
  try {
    loadTemplate(templatePath);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  return expect.fail('expected loadTemplate to fail');
}

describe('CodeUri: SAM runs a folder, or a .zip of one, from beside the template', () => {
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('a CodeUri folder that does not exist fails naming the function, the template line and the folder that differs only in case', () => {
    const template = project(['producerFunction'], serverless('ProducerFunction/'));

    const error = loadError(template);

    expect(error.message).to.equal(
      `${template}:6: Resources.ProducerFunction.Properties.CodeUri: ProducerFunction's code folder ` +
        `ProducerFunction/ does not exist (no ${join(template, '..', 'ProducerFunction')}); did you mean producerFunction/?`,
    );
    expect(error.message).to.not.include('\n');
  });

  it('suggests a folder one edit away, also below a folder that exists', () => {
    const template = project(['src/handlers/orders'], serverless('src/handler/orders'));

    expect(loadError(template).message).to.match(/; did you mean src\/handlers\/orders\?$/);
  });

  it('suggests nothing when no folder is near, or when two are', () => {
    const none = project(['backend'], serverless('functions/'));
    const two = project(['apis', 'apx'], serverless('api/'));

    expect(loadError(none).message).to.match(/functions\/ does not exist \(no [^)]+\)$/);
    expect(loadError(two).message).to.match(/api\/ does not exist \(no [^)]+\)$/);
  });

  it('a CodeUri that is a .js file fails saying SAM takes a folder or a .zip, and what to set instead', () => {
    const template = project(['src'], serverless('src/app.js', 'app.lambdaHandler'));
    writeFileSync(join(template, '..', 'src', 'app.js'), 'exports.lambdaHandler = async () => 1;\n');

    expect(loadError(template).message).to.equal(
      `${template}:6: Resources.ProducerFunction.Properties.CodeUri: ProducerFunction's code is src/app.js, a file: ` +
        "SAM takes a folder that holds the handler's file, or a .zip of one; set CodeUri to src/ and Handler to " +
        'app.lambdaHandler',
    );
  });

  it('names Globals.Function.CodeUri when the missing folder comes from Globals', () => {
    const template = project(
      [],
      `Globals:
  Function:
    CodeUri: build/
Resources:
  ProducerFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: nodejs22.x}
`,
    );

    expect(loadError(template).message).to.include(
      `${template}:4: Globals.Function.CodeUri: ProducerFunction's code folder build/ does not exist`,
    );
  });

  it("checks an AWS::Lambda::Function's local Code path the same way", () => {
    const template = project(
      ['lambda'],
      `Resources:
  Plain:
    Type: AWS::Lambda::Function
    Properties: {Code: Lambda, Handler: index.handler, Runtime: nodejs22.x, Role: arn:aws:iam::123456789012:role/r}
`,
    );

    expect(loadError(template).message).to.include(
      "Resources.Plain.Properties.Code: Plain's code folder Lambda does not exist",
    );
  });

  it('accepts an existing folder, the template folder by default, and inline code', () => {
    const template = project(
      ['src'],
      `Resources:
  InFolder:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs22.x}
  Default:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: nodejs22.x}
  Inline:
    Type: AWS::Serverless::Function
    Properties: {InlineCode: 'exports.handler = async () => 1', Handler: index.handler, Runtime: nodejs22.x}
`,
    );

    expect([...loadTemplate(template).functions.keys()]).to.deep.equal(['InFolder', 'Default', 'Inline']);
  });

  it('accepts a .zip CodeUri, which sam local unzips, and names a missing one an archive', () => {
    const template = project(['dist'], serverless('dist/function.zip'));
    writeFileSync(join(template, '..', 'dist', 'function.zip'), '');
    const missing = project([], serverless('function.zip'));

    expect(loadTemplate(template).functions.get('ProducerFunction')?.codeUri).to.equal(
      join(template, '..', 'dist', 'function.zip'),
    );
    expect(loadError(missing).message).to.include(
      "ProducerFunction's code archive function.zip does not exist",
    );
  });

  it('refuses a .zip CodeUri with esbuild build metadata, since esbuild bundles a folder', () => {
    const template = project(
      [],
      `${serverless('function.zip')}    Metadata:
      BuildMethod: esbuild
      BuildProperties: {EntryPoints: [app.ts]}
`,
    );
    writeFileSync(join(template, '..', 'function.zip'), '');

    expect(loadError(template).message).to.include(
      'Resources.ProducerFunction.Properties.CodeUri: function.zip is an archive, and Metadata BuildMethod esbuild',
    );
  });

  it('parseTemplate reads no file, so it leaves CodeUri unchecked', () => {
    const model = parseTemplate(serverless('nowhere/'), '/project/template.yaml');

    expect(model.functions.get('ProducerFunction')?.codeUri).to.equal('/project/nowhere');
  });
});
