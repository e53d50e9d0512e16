import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { ROOT } from '../../support/cli.ts';
import { request } from '../../support/http.ts';

const INVOKE = ['invoke', 'MultiplyFunction', '-e', 'events/multiply.json'];

function runSync(args: readonly string[]) {
  const finished = spawnSync(process.execPath, [...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: finished.status, stdout: finished.stdout, stderr: finished.stderr };
}

describe('the CLI run from its cached bundle (node emulator/launch.mjs)', function () {
  this.timeout(30_000);

  it('invokes a function exactly as the CLI under tsx does', () => {
    const bundled = runSync(['emulator/launch.mjs', ...INVOKE]);
    const underTsx = runSync(['--import', 'tsx', 'emulator/cli.ts', ...INVOKE]);

    expect(bundled.code, bundled.stderr).to.equal(0);
    expect(bundled.stdout).to.equal(underTsx.stdout);
    expect(bundled.stderr).to.match(/platform\.report/);
  });

  it('serves the APIs and the web page, whose files it finds beside the sources, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['emulator/launch.mjs', 'start', '-p', '0', '--lambda-port', '0', '--web-port', '0', '--no-watch'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      let output = '';
      const urls = await new Promise<{ api: string; web: string }>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk;
          const api = /Serving on (http:\/\/\S+)/.exec(output)?.[1];
          const web = /Web page on (http:\/\/\S+?)\/?$/m.exec(output)?.[1];
          if (api !== undefined && web !== undefined) resolve({ api, web });
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));

      const multiplied = await request(`${urls.api}/multiply`, { method: 'POST', body: '{"a": 12, "b": 3}' });
      expect([multiplied.status, multiplied.text()]).to.deep.equal([200, '{"result":36}']);
      expect((await request(`${urls.web}/`)).status).to.equal(200);

      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
