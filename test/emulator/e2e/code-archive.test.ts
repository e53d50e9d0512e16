import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { run } from '../../support/cli.ts';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';
import { zipArchive } from '../../support/zip.ts';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  ZippedFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dist/function.zip
      Handler: src/app.handler
      Runtime: nodejs22.x
      Events:
        Hello:
          Type: HttpApi
          Properties: {Path: /hello, Method: get}
`;

function handlerArchive(greeting: string): Buffer {
  return zipArchive([
    {
      name: 'src/app.js',
      content: `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(greeting)} });\n`,
    },
  ]);
}

describe('a CodeUri .zip runs unzipped, as sam local unzips it', function () {
  this.timeout(30_000);
  let root: string;
  let api: TestApi | undefined;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'code-archive-'));
    writeFileSync(join(root, 'template.yaml'), TEMPLATE);
    mkdirSync(join(root, 'dist'));
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  function placeArchive(greeting: string): void {
    // Written beside, then renamed over: how build tools replace an archive.
    const next = join(root, 'dist', 'function.zip.tmp');
    writeFileSync(next, handlerArchive(greeting));
    renameSync(next, join(root, 'dist', 'function.zip'));
  }

  it('invoke runs the handler from inside the archive', async () => {
    placeArchive('from the archive');

    const { code, stdout, stderr } = await run(
      ['invoke', 'ZippedFunction', '-t', join(root, 'template.yaml')],
      '{}',
    );

    expect(code, stderr).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({ statusCode: 200, body: 'from the archive' });
  });

  it('start-api serves the archive, and its new code once the archive is replaced', async () => {
    placeArchive('first');
    api = await startTestApi(join(root, 'template.yaml'), { watch: true });
    expect((await request(`${api.url}/hello`)).text()).to.equal('first');

    placeArchive('second');

    await eventually(
      async () => expect((await request(`${api?.url}/hello`)).text()).to.equal('second'),
      5000,
    );
    expect(api.log.lines.info).to.include('ZippedFunction: function.zip changed, unzipped again');
  });
});
