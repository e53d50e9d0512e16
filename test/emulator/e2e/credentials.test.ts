import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { isRecord } from '../../../emulator/template/values.ts';
import { type Finished, run, type Serving, startServing, stopServing } from '../../support/cli.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';

const TEMPLATE = fileURLToPath(new URL('../../fixtures/credentials/template.yaml', import.meta.url));
const ENV_KEY = 'AKIAENVEXAMPLE7Q3Z';
const ENV_SECRET = 'env-secret-5d41402abc4b2a76b9719d911017c592';
const ENV_TOKEN = 'env-token-7d793037a0760186574b0282f2f435e7';
const PROFILE_KEY = 'AKIAPROFILEEXAMPLE9';
const PROFILE_SECRET = 'profile-secret-e4da3b7fbbce2345d7772b0674a318d5';

/** What the fixture reports for a credential: a fingerprint, never the value. */
const fingerprint = (value: string) => ({
  sha256: createHash('sha256').update(value).digest('hex'),
  length: value.length,
});

interface Report {
  readonly variables: Record<string, unknown>;
  readonly templateRegion: unknown;
  readonly arnRegion: unknown;
}

function reportOf(text: string): Report {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || !isRecord(parsed.variables)) return expect.fail(`not a report: ${text}`);
  return { variables: parsed.variables, templateRegion: parsed.templateRegion, arnRegion: parsed.arnRegion };
}

function expectNoSecret(output: string): void {
  for (const secret of [ENV_SECRET, ENV_TOKEN, PROFILE_SECRET]) {
    for (let start = 0; start + 8 <= secret.length; start++) {
      const piece = secret.slice(start, start + 8);
      expect(output.includes(piece), `the output shows "${piece}":\n${output}`).to.equal(false);
    }
  }
}

describe('e2e: AWS credentials, region and endpoints reach the functions as with sam local', function () {
  this.timeout(60_000);
  let home: string;
  /** This process's environment without any AWS variable, and a HOME of its own: the runner's ~/.aws stays out. */
  let baseEnv: NodeJS.ProcessEnv;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), 'credentials-e2e-'));
    mkdirSync(path.join(home, '.aws'));
    writeFileSync(
      path.join(home, '.aws', 'credentials'),
      `# written by the test\n[dev]\naws_access_key_id = ${PROFILE_KEY}\naws_secret_access_key = ${PROFILE_SECRET}\n`,
    );
    writeFileSync(
      path.join(home, '.aws', 'config'),
      '[profile dev]\nregion = eu-west-3\n\n[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n',
    );
    baseEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
      HOME: home,
    };
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const invoke = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> =>
    run(['invoke', '-t', TEMPLATE, ...args], '{}', { env: { ...baseEnv, ...env } });

  it('invoke: the shell’s credentials and endpoint variables reach the function, and no value is printed', async () => {
    const finished = await invoke([], {
      AWS_ACCESS_KEY_ID: ENV_KEY,
      AWS_SECRET_ACCESS_KEY: ENV_SECRET,
      AWS_SESSION_TOKEN: ENV_TOKEN,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_REGION: 'ap-southeast-2',
    });

    expect(finished.code, finished.stderr).to.equal(0);
    expect(reportOf(finished.stdout)).to.deep.equal({
      variables: {
        AWS_ACCESS_KEY_ID: fingerprint(ENV_KEY),
        AWS_SECRET_ACCESS_KEY: fingerprint(ENV_SECRET),
        AWS_SESSION_TOKEN: fingerprint(ENV_TOKEN),
        AWS_DEFAULT_REGION: 'ap-southeast-2',
        AWS_REGION: 'ap-southeast-2',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_SAM_LOCAL: 'true',
      },
      templateRegion: 'ap-southeast-2',
      arnRegion: 'ap-southeast-2',
    });
    expect(finished.stderr).to.include('AWS: credentials from the environment (AWS_ACCESS_KEY_ID)');
    expectNoSecret(finished.stdout + finished.stderr);
  });

  it('invoke --profile: the profile’s keys and region from the files under HOME, and --region wins over that region', async () => {
    const fromProfile = await invoke(['--profile', 'dev']);

    expect(fromProfile.code, fromProfile.stderr).to.equal(0);
    const report = reportOf(fromProfile.stdout);
    expect(report.variables).to.include.keys('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY');
    expect(report.variables.AWS_ACCESS_KEY_ID).to.deep.equal(fingerprint(PROFILE_KEY));
    expect(report.variables.AWS_SECRET_ACCESS_KEY).to.deep.equal(fingerprint(PROFILE_SECRET));
    expect(report.variables).not.to.have.property('AWS_SESSION_TOKEN');
    expect(report).to.deep.include({ templateRegion: 'eu-west-3', arnRegion: 'eu-west-3' });
    expect(report.variables).to.include({ AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-west-3' });

    const withRegion = await invoke(['--profile', 'dev', '--region', 'eu-central-1']);
    expect(withRegion.code, withRegion.stderr).to.equal(0);
    const regional = reportOf(withRegion.stdout);
    expect(regional).to.deep.include({ templateRegion: 'eu-central-1', arnRegion: 'eu-central-1' });
    expect(regional.variables).to.include({ AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-central-1' });
    expectNoSecret(fromProfile.stdout + fromProfile.stderr + withRegion.stdout + withRegion.stderr);
  });

  it('invoke: a credentials file named by AWS_SHARED_CREDENTIALS_FILE, the profile by AWS_PROFILE', async () => {
    const elsewhere = path.join(home, 'elsewhere');
    writeFileSync(
      elsewhere,
      `[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = ${PROFILE_SECRET}\n`,
    );
    const finished = await invoke([], { AWS_SHARED_CREDENTIALS_FILE: elsewhere, AWS_PROFILE: 'ops' });

    expect(finished.code, finished.stderr).to.equal(0);
    expect(reportOf(finished.stdout).variables.AWS_ACCESS_KEY_ID).to.deep.equal(fingerprint('AKIAOPS'));
    expect(reportOf(finished.stdout).variables.AWS_REGION).to.equal('us-east-1');
  });

  it('invoke without any credentials: SAM CLI’s placeholders, and us-east-1', async () => {
    const finished = await invoke([]);

    expect(finished.code, finished.stderr).to.equal(0);
    const report = reportOf(finished.stdout);
    expect(report.variables).to.deep.include({
      AWS_ACCESS_KEY_ID: fingerprint('defaultkey'),
      AWS_SECRET_ACCESS_KEY: fingerprint('defaultsecret'),
      AWS_REGION: 'us-east-1',
      AWS_SAM_LOCAL: 'true',
    });
    expect(report.templateRegion).to.equal('us-east-1');
  });

  it('a profile that does not exist is a configuration error (exit 2) naming the files read', async () => {
    const finished = await invoke(['--profile', 'prod']);

    expect(finished.code).to.equal(2);
    expect(finished.stdout).to.equal('');
    expect(finished.stderr).to.include(
      `error: --profile prod: no such profile; looked for [prod] in ${path.join(home, '.aws', 'credentials')} ` +
        `and [profile prod] in ${path.join(home, '.aws', 'config')}`,
    );
  });

  it('an SSO profile gets one warning saying how to export its credentials, and the function still runs', async () => {
    const finished = await invoke(['--profile', 'sso']);

    expect(finished.code, finished.stderr).to.equal(0);
    const warnings = finished.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('aws configure export-credentials --profile sso --format env');
    expect(reportOf(finished.stdout).variables.AWS_ACCESS_KEY_ID).to.deep.equal(fingerprint('defaultkey'));
  });

  describe('start-api', () => {
    let serving: Serving | undefined;
    after(() => stopServing(serving));

    it('serves functions with the profile’s credentials, --region and the endpoint variables, printing no value', async () => {
      serving = await startServing(
        ['start-api', '-t', TEMPLATE, '-p', '0', '--no-watch', '--profile', 'dev', '--region', 'us-west-2'],
        {
          env: {
            ...baseEnv,
            AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
            // Ignored: an explicit --profile wins over the shell's credentials, as with boto3.
            AWS_ACCESS_KEY_ID: ENV_KEY,
            AWS_SECRET_ACCESS_KEY: ENV_SECRET,
          },
        },
      );
      const response = await request(`${serving.url}/aws`);

      expect(response.status).to.equal(200);
      const report = reportOf(response.body.toString());
      expect(report).to.deep.include({ templateRegion: 'us-west-2', arnRegion: 'us-west-2' });
      expect(report.variables).to.deep.include({
        AWS_ACCESS_KEY_ID: fingerprint(PROFILE_KEY),
        AWS_SECRET_ACCESS_KEY: fingerprint(PROFILE_SECRET),
        AWS_REGION: 'us-west-2',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_SAM_LOCAL: 'true',
      });
      await stopServing(serving);
      expect(serving.output()).to.include('region us-west-2 (--region)');
      expectNoSecret(serving.output());
    });
  });

  describe('start', () => {
    let serving: Serving | undefined;
    after(() => stopServing(serving));

    it('the Invoke endpoint builds the invoked ARN in the region of AWS_DEFAULT_REGION', async () => {
      serving = await startServing(
        [
          'start',
          '-t',
          TEMPLATE,
          '-p',
          '0',
          '--lambda-port',
          '0',
          '--web-port',
          '0',
          '--no-watch',
          '--no-schedules',
        ],
        { env: { ...baseEnv, AWS_DEFAULT_REGION: 'ca-central-1' } },
      );
      let lambdaUrl: string | undefined;
      await eventually(() => {
        lambdaUrl = /Lambda Invoke endpoint on (http:\/\/\S+)/.exec(serving?.output() ?? '')?.[1];
        expect(lambdaUrl).to.be.a('string');
      });
      const response = await request(
        `${lambdaUrl}/2015-03-31/functions/AwsReportFunction/invocations?Qualifier=%24LATEST`,
        { method: 'POST', body: '{}' },
      );

      expect(response.status, response.body.toString()).to.equal(200);
      expect(reportOf(response.body.toString())).to.deep.include({
        templateRegion: 'ca-central-1',
        arnRegion: 'ca-central-1',
      });
    });
  });
});
