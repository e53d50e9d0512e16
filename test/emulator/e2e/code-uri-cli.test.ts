import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Finished, run } from '../../support/cli.ts';

describe('the CLI on a CodeUri that is not a folder: one line on stderr, no stack, a failing exit status', function () {
  this.timeout(30_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'code-uri-cli-'));
    mkdirSync(join(root, 'producerFunction'));
    writeFileSync(join(root, 'producerFunction', 'app.js'), 'exports.handler = async () => ({});\n');
    writeFileSync(join(root, 'single.js'), 'exports.handler = async () => ({});\n');
    for (const [name, codeUri] of [
      ['missing.yaml', 'ProducerFunction/'],
      ['file.yaml', 'single.js'],
    ]) {
      writeFileSync(
        join(root, name ?? ''),
        `Transform: AWS::Serverless-2016-10-31
Resources:
  ProducerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ${codeUri}
      Handler: app.handler
      Runtime: nodejs22.x
      Events:
        Api:
          Type: Api
          Properties: {Path: /p, Method: get}
`,
      );
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function expectOneErrorLine(finished: Finished, pattern: RegExp): void {
    expect(finished.code, finished.stderr).to.not.equal(0);
    expect(finished.code).to.not.equal(null);
    expect(finished.stderr).to.not.match(/^\s+at /m);
    const errors = finished.stderr.split('\n').filter((line) => /error/i.test(line));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(pattern);
  }

  const missing =
    /^error: .*missing\.yaml:6: .*ProducerFunction's code folder ProducerFunction\/ does not exist .*; did you mean producerFunction\/\?$/;
  const file =
    /^error: .*file\.yaml:6: .*ProducerFunction's code is single\.js, a file: SAM takes a folder .*, or a \.zip of one; set CodeUri to \.\/ and Handler to single\.handler$/;

  it('invoke names the missing folder and the near one', async () => {
    expectOneErrorLine(
      await run(['invoke', 'ProducerFunction', '-t', join(root, 'missing.yaml')], '{}'),
      missing,
    );
  });

  it('start-api names the missing folder and the near one', async () => {
    expectOneErrorLine(
      await run(['start-api', '-t', join(root, 'missing.yaml'), '-p', '0', '--no-watch']),
      missing,
    );
  });

  it('invoke and start-api say that a file CodeUri must be a folder or a .zip', async () => {
    expectOneErrorLine(await run(['invoke', 'ProducerFunction', '-t', join(root, 'file.yaml')], '{}'), file);
    expectOneErrorLine(
      await run(['start-api', '-t', join(root, 'file.yaml'), '-p', '0', '--no-watch']),
      file,
    );
  });
});
