import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';

const TEMPLATE = (routes: string) => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: handler.handler
      Events:
${routes}
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension:
          - .js=.mjs
        EntryPoints:
          - src/handler.ts
`;

const route = (id: string, path: string) => `        ${id}:
          Type: HttpApi
          Properties:
            Path: ${path}
            Method: get
`;

const handler = (text: string) =>
  `export const handler = async (): Promise<string> => ${JSON.stringify(text)};\n`;

describe('hot reload while the emulator serves (--watch, the default)', function () {
  this.timeout(60_000);
  let dir: string;
  let api: TestApi;
  const body = async (path: string) => (await request(`${api.url}${path}`)).text();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'reload-test-'));
    writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE(route('Hello', '/hello')));
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    const src = path.join(dir, 'src');
    await import('node:fs/promises').then((fs) => fs.mkdir(src));
    writeFileSync(path.join(src, 'handler.ts'), handler('v1'));
    api = await startTestApi(path.join(dir, 'template.yaml'), { watch: true });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the first build', async () => {
    expect(await body('/hello')).to.equal('v1');
  });

  it('rebuilds on a code change and serves the new code', async () => {
    writeFileSync(path.join(dir, 'src', 'handler.ts'), handler('v2'));

    await eventually(async () => expect(await body('/hello')).to.equal('v2'));
  });

  it('reports a failed rebuild and keeps serving the last good build', async () => {
    writeFileSync(path.join(dir, 'src', 'handler.ts'), 'export const handler = async () => {{{;\n');

    await eventually(async () =>
      expect(api.log.lines.error.join('\n')).to.include('HelloFunction: build failed'),
    );
    expect(await body('/hello')).to.equal('v2');
  });

  it('recovers when the code is fixed', async () => {
    writeFileSync(path.join(dir, 'src', 'handler.ts'), handler('v3'));

    await eventually(async () => expect(await body('/hello')).to.equal('v3'));
  });

  it('reloads the routes when the template changes', async () => {
    writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE(route('Hello', '/hello') + route('Bye', '/bye')));

    await eventually(async () => expect(await body('/bye')).to.equal('v3'));
  });

  it('keeps serving the previous template when the new one is invalid', async () => {
    writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE(route('Hello', 'no-slash')));

    await eventually(async () =>
      expect(api.log.lines.error.join('\n')).to.include('(still serving the previous template)'),
    );
    expect(await body('/hello')).to.equal('v3');
    expect(await body('/bye')).to.equal('v3');
  });
});
