import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { listeningAddresses, run, type Serving, startServing, stopServing } from '../../support/cli.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';

const TEMPLATE = fileURLToPath(new URL('../../fixtures/function-urls/template.yaml', import.meta.url));

describe('the CLI with function URLs', function () {
  this.timeout(30_000);
  let serving: Serving | undefined;
  after(() => stopServing(serving));

  it('start-api --function-url-port 0 prints a Function URLs block whose URLs answer, bound to 127.0.0.1 only', async () => {
    serving = await startServing([
      'start-api',
      '-t',
      TEMPLATE,
      '-p',
      '0',
      '--function-url-port',
      '0',
      '--no-watch',
    ]);
    const output = () => serving?.output() ?? '';
    await eventually(() => expect(output()).to.match(/Function URLs:\n/));
    const url = /InferredFunction\s+NONE\s+BUFFERED\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output())?.[1];
    if (url === undefined) return expect.fail(`no URL for InferredFunction in:\n${output()}`);
    expect((await request(url)).json()).to.deep.equal({ hello: 'world' });
    // The socket itself, as for the API ports: a function URL listens on no other address.
    expect(listeningAddresses(Number(new URL(url).port))).to.deep.equal(['127.0.0.1']);
  });

  it('documents --function-url-port and its default in the usage text', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).to.match(/--function-url-port PORT\s+start, start-api: the first function URL's port/);
    expect(stdout).to.contain('(default: 3100)');
  });
});
