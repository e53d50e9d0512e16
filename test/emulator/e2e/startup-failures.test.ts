import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import { listeningAddresses, run } from '../../support/cli.ts';
import { GATEWAY_TEMPLATE } from '../../support/emulator.ts';

const FUNCTION_URL_TEMPLATE = 'test/fixtures/function-urls/template.yaml';

/** A port bound on 127.0.0.1 by another process's stand-in, to be found busy. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  return { server, port: address.port };
}

/** Ports that were free a moment ago: bound and released, so that the emulator can bind them by number. */
async function freePorts(count: number): Promise<number[]> {
  const taken = await Promise.all(Array.from({ length: count }, occupy));
  await Promise.all(taken.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  return taken.map(({ port }) => port);
}

describe('a start-up failure is one line naming what to do, a distinct exit status, and nothing left listening', function () {
  this.timeout(30_000);

  // The web page is served only for the project's own template; function URLs need a template that has some.
  const cases = [
    { role: 'APIs', flag: '--port', what: 'the APIs', template: FUNCTION_URL_TEMPLATE },
    {
      role: 'Lambda endpoint',
      flag: '--lambda-port',
      what: 'the Lambda Invoke endpoint',
      template: FUNCTION_URL_TEMPLATE,
    },
    { role: 'web page', flag: '--web-port', what: 'the web page', template: 'template.yaml' },
    {
      role: 'function URLs',
      flag: '--function-url-port',
      what: 'a function URL',
      template: FUNCTION_URL_TEMPLATE,
    },
  ];
  for (const { role, flag, what, template } of cases) {
    it(`start with the port for ${role} busy: exit 3, "port N (${what}) is in use: pass ${flag} N…", the other ports released`, async () => {
      const busy = await occupy();
      try {
        const [api, lambda, web, urls] = await freePorts(4);
        const ports: Record<string, number | undefined> = {
          '--port': api,
          '--lambda-port': lambda,
          '--web-port': web,
          '--function-url-port': urls,
          [flag]: busy.port,
        };

        const finished = await run([
          'start',
          '-t',
          template,
          '--no-watch',
          '--no-schedules',
          ...Object.entries(ports).flatMap(([name, port]) => [name, String(port)]),
        ]);

        expect(finished.code, finished.stderr).to.equal(3);
        const errors = finished.stderr.split('\n').filter((line) => line.startsWith('error'));
        expect(errors).to.deep.equal([
          `error: port ${busy.port} (${what}) is in use: pass ${flag} N or stop the other process`,
        ]);
        expect(finished.stderr).not.to.match(/^\s+at /m);
        expect(finished.stdout).not.to.include('Serving on');
        for (const [name, port] of Object.entries(ports)) {
          if (name !== flag) expect(listeningAddresses(Number(port)), name).to.deep.equal([]);
        }
      } finally {
        busy.server.close();
      }
    });
  }

  it('start-lambda names -p/--port for its own busy port', async () => {
    const busy = await occupy();
    try {
      const finished = await run(['start-lambda', '-t', GATEWAY_TEMPLATE, '-p', String(busy.port)]);

      expect(finished.code).to.equal(3);
      expect(finished.stderr).to.include(
        `error: port ${busy.port} (the Lambda Invoke endpoint) is in use: pass --port N or stop the other process`,
      );
    } finally {
      busy.server.close();
    }
  });

  it('a --host that is not an address of this machine: exit 3 with one line saying so', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a machine.
    const finished = await run(['start-api', '-t', GATEWAY_TEMPLATE, '--host', '192.0.2.1', '-p', '0']);

    expect(finished.code).to.equal(3);
    expect(finished.stderr).to.include(
      'error: --host 192.0.2.1 is not an address of this machine: pass --host 127.0.0.1, or one of its own',
    );
    expect(finished.stderr).not.to.match(/^\s+at /m);
  });
});
