import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { run, type Serving, startServing, stopServing } from '../../support/cli.ts';
import { request } from '../../support/http.ts';

const APP = fileURLToPath(new URL('../../fixtures/sam-defaults/', import.meta.url));
const TEMPLATE = `${APP}template.yaml`;
const EVENT = `${APP}events/hello.json`;

/** The JSON body HelloFunction answers with: what its environment and context held. */
function helloBody(result: unknown): Record<string, unknown> {
  if (
    typeof result !== 'object' ||
    result === null ||
    !('body' in result) ||
    typeof result.body !== 'string'
  ) {
    return expect.fail(`not a proxy result: ${JSON.stringify(result)}`);
  }
  return JSON.parse(result.body);
}

describe('a sam init-shaped app with SAM defaults, samconfig.toml parameters and CloudFormation leniencies', function () {
  this.timeout(30_000);

  describe('start-api', () => {
    let serving: Serving | undefined;
    before(async () => {
      serving = await startServing(['start-api', '-t', TEMPLATE, '-p', '0', '--no-watch']);
    });
    after(() => stopServing(serving));

    it("serves a function without CodeUri from the template's folder, with samconfig's global parameters and the deploy ones as a fallback", async () => {
      const response = await request(`${serving?.url}/hello`);

      expect(response.status).to.equal(200);
      expect(JSON.parse(response.text())).to.deep.equal({
        function: 'HelloFunction',
        timeout: 4,
        stage: 'beta',
        greeting: 'hello from global',
        table: 'orders-table',
        missing: '',
        empty: '',
        stageName: 'Prod',
        path: '/hello',
      });
    });

    it('runs InlineCode written out as index.js, with its !Sub resolved', async () => {
      const response = await request(`${serving?.url}/inline`);

      expect(response.status).to.equal(200);
      expect(response.text()).to.equal('inline in us-east-1');
    });

    it('says once which parameters have no value, where the fallbacks came from, and what it read leniently', () => {
      const output = serving?.output() ?? '';
      expect(output).to.include(
        `Missing has no Default and no value given; Ref gives '' as in sam local (pass --parameter-overrides "Missing=..." or set parameter_overrides in samconfig.toml)`,
      );
      expect(output).to.include(
        'TableName takes its value from samconfig.toml [default.deploy.parameters], which sam local does not read',
      );
      expect(output).to.include(
        'Resources.HelloFunction.Properties.Timeout: written twice (lines 29 and 30)',
      );
      expect(output).to.include('Resources.HelloFunction.Properties.Environment.Variables.EMPTY: is null');
      expect(output).to.include(
        'Not emulated (1 resource lives only in AWS):\n  AWS::ApiGateway::UsagePlan UsagePlan',
      );
      expect(output.match(/Missing has no Default/g)).to.have.length(1);
    });
  });

  describe('invoke', () => {
    it("reads the local_invoke section's parameter_overrides, a list whose quoted values lose their quotes", async () => {
      const { code, stdout, stderr } = await run(['invoke', '-t', TEMPLATE, 'HelloFunction', '-e', EVENT]);

      expect(code, stderr).to.equal(0);
      expect(helloBody(JSON.parse(stdout))).to.include({ stage: 'invoked', greeting: 'hi there' });
    });

    it('lets --parameter-overrides win key by key over samconfig, and --config-env pick another environment', async () => {
      const { code, stdout, stderr } = await run([
        'invoke',
        '-t',
        TEMPLATE,
        'HelloFunction',
        '-e',
        EVENT,
        '--config-env',
        'other',
        '--parameter-overrides',
        'Greeting=from-cli',
      ]);

      expect(code, stderr).to.equal(0);
      expect(helloBody(JSON.parse(stdout))).to.include({
        stage: 'other-env',
        greeting: 'from-cli',
        table: '',
      });
    });

    it('refuses a --config-file that does not exist, naming it', async () => {
      const { code, stderr } = await run([
        'invoke',
        '-t',
        TEMPLATE,
        'HelloFunction',
        '-e',
        EVENT,
        '--config-file',
        'nowhere.toml',
      ]);

      expect(code).to.not.equal(0);
      expect(stderr).to.include('--config-file nowhere.toml: no such file');
    });
  });
});
