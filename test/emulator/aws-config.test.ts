import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  AwsConfigError,
  type AwsSettingsInputs,
  configProfiles,
  describeAwsSettings,
  type Environment,
  functionAwsVariables,
  loadAwsSettings,
  PLACEHOLDER_CREDENTIALS,
  parseIni,
  resolveAwsSettings,
  sharedFilePaths,
} from '../../emulator/aws-config.ts';
import { functionEnvironment } from '../../emulator/runtime/environment.ts';
import { functionModel } from '../support/models.ts';

const CREDENTIALS_PATH = '/home/dev/.aws/credentials';
const CONFIG_PATH = '/home/dev/.aws/config';
/** Values a test may set as credentials: none of them may appear in a message. */
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE-session-token';

function resolve(
  options: {
    env?: Environment;
    profile?: string;
    region?: string;
    credentials?: string;
    config?: string;
  } = {},
) {
  const inputs: AwsSettingsInputs = {
    flags: { profile: options.profile, region: options.region },
    env: options.env ?? {},
    credentialsFile: { path: CREDENTIALS_PATH, text: options.credentials },
    configFile: { path: CONFIG_PATH, text: options.config },
  };
  return resolveAwsSettings(inputs);
}

function errorOf(act: () => unknown): AwsConfigError {
  try {
    act();
  } catch (error) {
    if (error instanceof AwsConfigError) return error;
    throw error;
  }
  return expect.fail('expected an AwsConfigError');
}

const asObject = (sections: ReturnType<typeof parseIni>) =>
  Object.fromEntries([...sections].map(([name, values]) => [name, Object.fromEntries(values)]));

describe('AWS config: credentials, region and endpoints for the functions', () => {
  describe('INI parsing as the AWS CLI reads the shared files', () => {
    it('reads sections and keys, ignoring spaces around = (or :) and lower-casing keys but not section names', () => {
      const sections = parseIni(
        '[default]\naws_access_key_id=AKIADEFAULT\n  \n[Dev]\nAWS_Secret_Access_Key   =   s3cr3t\nregion: eu-west-1\n',
      );
      expect(asObject(sections)).to.deep.equal({
        default: { aws_access_key_id: 'AKIADEFAULT' },
        Dev: { aws_secret_access_key: 's3cr3t', region: 'eu-west-1' },
      });
    });

    it('drops whole-line # and ; comments, and inline ones after a space, but not # or ; inside a value', () => {
      const sections = parseIni(
        '# my keys\n; more\n[default] # the usual\n  # indented comment\nregion = us-west-2 ; Oregon\n' +
          'credential_process = /bin/creds#1\n',
      );
      expect(asObject(sections)).to.deep.equal({
        default: { region: 'us-west-2', credential_process: '/bin/creds#1' },
      });
    });

    it('keeps lines indented under a key in its value (nested settings), never as keys of their own', () => {
      const sections = parseIni(
        '[default]\ns3 =\n  region = nested\n  addressing_style = path\nregion = top\n',
      );
      expect(asObject(sections)).to.deep.equal({
        default: { s3: '\nregion = nested\naddressing_style = path', region: 'top' },
      });
    });

    it('reads CRLF files with a byte order mark, and skips lines outside any section or without a key', () => {
      const sections = parseIni(
        '\uFEFFstray = 1\r\n[default]\r\nregion = eu-north-1\r\n= nothing\r\njunk\r\n',
      );
      expect(asObject(sections)).to.deep.equal({ default: { region: 'eu-north-1' } });
    });

    it('in the config file, profiles are [default] and [profile NAME]; a bare [NAME] or [sso-session x] is not one', () => {
      const profiles = configProfiles(
        parseIni(
          '[default]\nregion = a\n[profile dev]\nregion = b\n[profile   "with space"]\nregion = c\n' +
            '[ops]\nregion = d\n[sso-session corp]\nsso_region = e\n[profilex]\nregion = f\n',
        ),
      );
      expect(asObject(profiles)).to.deep.equal({
        default: { region: 'a' },
        dev: { region: 'b' },
        'with space': { region: 'c' },
      });
    });
  });

  describe('where the shared files are', () => {
    it('~/.aws/credentials and ~/.aws/config, unless AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE say otherwise', () => {
      expect(sharedFilePaths({}, '/home/dev')).to.deep.equal({
        credentials: '/home/dev/.aws/credentials',
        config: '/home/dev/.aws/config',
      });
      expect(
        sharedFilePaths(
          { AWS_SHARED_CREDENTIALS_FILE: '~/keys/creds', AWS_CONFIG_FILE: '/etc/aws/config' },
          '/home/dev',
        ),
      ).to.deep.equal({ credentials: '/home/dev/keys/creds', config: '/etc/aws/config' });
    });
  });

  describe('credentials: the shell, then the profile, as botocore resolves them', () => {
    const CREDENTIALS = `[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = ${SECRET}\n\n[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = ${SECRET}-dev\naws_session_token = ${TOKEN}\n`;

    it('uses the [default] profile of the credentials file when nothing names a profile', () => {
      const settings = resolve({ credentials: CREDENTIALS });
      expect(settings.credentials).to.deep.equal({ accessKeyId: 'AKIADEFAULT', secretAccessKey: SECRET });
      expect(settings.credentialsSource).to.equal(`profile default in ${CREDENTIALS_PATH}`);
    });

    it('uses the profile --profile names, with its session token', () => {
      expect(resolve({ credentials: CREDENTIALS, profile: 'dev' }).credentials).to.deep.equal({
        accessKeyId: 'AKIADEV',
        secretAccessKey: `${SECRET}-dev`,
        sessionToken: TOKEN,
      });
    });

    it('uses the profile AWS_PROFILE names', () => {
      const settings = resolve({ credentials: CREDENTIALS, env: { AWS_PROFILE: 'dev' } });
      expect(settings.credentials?.accessKeyId).to.equal('AKIADEV');
    });

    it('reads keys from the config file’s [profile NAME] when the credentials file has none for it', () => {
      const settings = resolve({
        config: `[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = ${SECRET}\n`,
        profile: 'cfg',
      });
      expect(settings.credentials).to.deep.equal({ accessKeyId: 'AKIACFG', secretAccessKey: SECRET });
      expect(settings.credentialsSource).to.equal(`profile cfg in ${CONFIG_PATH}`);
    });

    it('takes the profile prefix in the config file only: [profile dev] in the credentials file is not profile dev', () => {
      const error = errorOf(() =>
        resolve({
          credentials: `[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = ${SECRET}\n`,
          config: '[dev]\nregion = eu-west-1\n',
          profile: 'dev',
        }),
      );
      expect(error.message).to.include('--profile dev: no such profile');
    });

    it('the shell’s AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN win over the files and AWS_PROFILE', () => {
      const settings = resolve({
        credentials: CREDENTIALS,
        env: {
          AWS_PROFILE: 'dev',
          AWS_ACCESS_KEY_ID: 'AKIAENV',
          AWS_SECRET_ACCESS_KEY: `${SECRET}-env`,
          AWS_SESSION_TOKEN: TOKEN,
        },
      });
      expect(settings.credentials).to.deep.equal({
        accessKeyId: 'AKIAENV',
        secretAccessKey: `${SECRET}-env`,
        sessionToken: TOKEN,
      });
      expect(settings.credentialsSource).to.equal('the environment (AWS_ACCESS_KEY_ID)');
    });

    it('an explicit --profile wins over the shell’s credentials, as botocore drops its environment provider for it', () => {
      const settings = resolve({
        credentials: CREDENTIALS,
        profile: 'dev',
        env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: `${SECRET}-env` },
      });
      expect(settings.credentials?.accessKeyId).to.equal('AKIADEV');
    });

    it('a profile named by --profile or AWS_PROFILE that neither file has is an error naming both files', () => {
      const byFlag = errorOf(() => resolve({ credentials: CREDENTIALS, profile: 'prod' }));
      expect(byFlag.message).to.equal(
        `--profile prod: no such profile; looked for [prod] in ${CREDENTIALS_PATH} and [profile prod] in ${CONFIG_PATH} (no such file)`,
      );
      const byEnv = errorOf(() => resolve({ env: { AWS_PROFILE: 'prod' } }));
      expect(byEnv.message).to.include('AWS_PROFILE prod: no such profile');
      expect(byEnv.message).to.include(`${CREDENTIALS_PATH} (no such file)`);
    });

    it('without a named profile, missing files are no error: there are simply no credentials', () => {
      const settings = resolve();
      expect(settings.credentials).to.equal(undefined);
      expect(settings.warnings).to.deep.equal([]);
    });

    it('partial credentials are an error that names what is missing, never a value', () => {
      const fromEnv = errorOf(() => resolve({ env: { AWS_ACCESS_KEY_ID: SECRET } }));
      expect(fromEnv.message).to.include('AWS_SECRET_ACCESS_KEY is not');
      const fromFile = errorOf(() => resolve({ credentials: `[default]\naws_access_key_id = ${SECRET}\n` }));
      expect(fromFile.message).to.include(`profile default in ${CREDENTIALS_PATH}`);
      for (const error of [fromEnv, fromFile]) expect(error.message).not.to.include(SECRET);
    });

    for (const [kind, profile, expected] of [
      ['role_arn', 'role_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = default', 'role_arn'],
      ['SSO', 'sso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev', 'SSO'],
      ['credential_process', 'credential_process = /usr/local/bin/creds --json', 'credential_process'],
    ] as const) {
      it(`a profile that needs ${kind} is not resolved locally: one warning says what to do, and functions get placeholders`, () => {
        const settings = resolve({ config: `[profile dev]\n${profile}\n`, profile: 'dev' });
        expect(settings.credentials).to.equal(undefined);
        expect(settings.warnings).to.have.length(1);
        expect(settings.warnings[0]).to.include(`profile dev gets its credentials from ${expected}`);
        expect(settings.warnings[0]).to.include(
          'eval "$(aws configure export-credentials --profile dev --format env)"',
        );
        expect(functionAwsVariables(settings)).to.include({ AWS_ACCESS_KEY_ID: 'defaultkey' });
      });
    }

    it('keys in the credentials file come before a credential_process, as in botocore’s chain', () => {
      const settings = resolve({
        credentials: `[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = ${SECRET}\n`,
        config: '[profile dev]\ncredential_process = /usr/local/bin/creds\n',
        profile: 'dev',
      });
      expect(settings.credentials?.accessKeyId).to.equal('AKIADEV');
      expect(settings.warnings).to.deep.equal([]);
    });
  });

  describe('region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1', () => {
    const config = '[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n';
    const env = { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' };
    const regionOf = (options: Parameters<typeof resolve>[0]) => {
      const { region, regionSource } = resolve(options);
      return { region, regionSource };
    };

    it('takes each source only when the ones before it are not set', () => {
      expect(regionOf({ config, env, region: 'sa-east-1' })).to.deep.equal({
        region: 'sa-east-1',
        regionSource: '--region',
      });
      expect(regionOf({ config, env })).to.deep.equal({ region: 'eu-central-1', regionSource: 'AWS_REGION' });
      expect(regionOf({ config, env: { AWS_DEFAULT_REGION: 'us-west-2', AWS_REGION: '' } })).to.deep.equal({
        region: 'us-west-2',
        regionSource: 'AWS_DEFAULT_REGION',
      });
      expect(regionOf({ config })).to.deep.equal({ region: 'eu-west-1', regionSource: 'profile default' });
      expect(regionOf({ config, profile: 'dev' })).to.deep.equal({
        region: 'ap-south-1',
        regionSource: 'profile dev',
      });
      expect(regionOf({})).to.deep.equal({ region: 'us-east-1', regionSource: 'default' });
    });

    it('reads the profile’s region from the credentials file too, which wins key by key, as botocore merges them', () => {
      expect(
        regionOf({
          config: '[profile dev]\nregion = eu-west-1\n',
          credentials: '[dev]\nregion = eu-west-3\n',
          profile: 'dev',
        }),
      ).to.deep.equal({ region: 'eu-west-3', regionSource: 'profile dev' });
    });

    it('refuses a region that is not a region name, naming where it came from', () => {
      expect(errorOf(() => resolve({ region: 'us east 1' })).message).to.equal(
        '--region: "us east 1" is not a region name such as eu-west-1',
      );
      expect(errorOf(() => resolve({ env: { AWS_REGION: 'eu-west-1/../x' } })).message).to.include(
        'AWS_REGION',
      );
    });
  });

  describe('what the functions get', () => {
    it('AWS_SAM_LOCAL=true and the credentials; a session token only when there is one', () => {
      const settings = resolve({
        env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: SECRET },
      });
      expect(functionAwsVariables(settings)).to.deep.equal({
        AWS_SAM_LOCAL: 'true',
        AWS_ACCESS_KEY_ID: 'AKIAENV',
        AWS_SECRET_ACCESS_KEY: SECRET,
      });
    });

    it('SAM CLI’s placeholder credentials when there are none, so that SDK clients still sign requests', () => {
      expect(functionAwsVariables(resolve())).to.deep.equal({
        AWS_SAM_LOCAL: 'true',
        AWS_ACCESS_KEY_ID: PLACEHOLDER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: PLACEHOLDER_CREDENTIALS.secretAccessKey,
      });
      expect(PLACEHOLDER_CREDENTIALS).to.deep.equal({
        accessKeyId: 'defaultkey',
        secretAccessKey: 'defaultsecret',
      });
    });

    it('passes AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> through from the shell, and no other variable', () => {
      const settings = resolve({
        env: {
          AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
          AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:4566',
          AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
          AWS_ENDPOINT_URL_S3: '',
          AWS_PROFILE: '',
          AWS_CA_BUNDLE: '/etc/ca.pem',
          HTTPS_PROXY: 'http://proxy:3128',
          HOME: '/home/dev',
        },
      });
      expect(settings.passThrough).to.deep.equal({
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:4566',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
      });
      expect(functionAwsVariables(settings)).to.include({
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      });
    });

    it('as sam local, credentials lie beneath the template’s variables and env.json, while the region stays reserved', () => {
      const fn = functionModel({
        environment: { AWS_SESSION_TOKEN: '', AWS_SAM_LOCAL: 'from-template', TABLE: 'template' },
      });
      const aws = functionAwsVariables(
        resolve({
          env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'eu-west-1' },
        }),
      );
      const env = functionEnvironment(fn, {
        codeDir: '/code',
        overrides: { AWS_SESSION_TOKEN: TOKEN, AWS_SAM_LOCAL: 'from-template', TABLE: 'env.json' },
        region: 'eu-west-1',
        aws,
        hostPath: undefined,
      });
      expect(env).to.include({
        AWS_ACCESS_KEY_ID: 'AKIAENV',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: TOKEN,
        AWS_SAM_LOCAL: 'from-template',
        TABLE: 'env.json',
        AWS_REGION: 'eu-west-1',
      });
    });
  });

  describe('never a credential in a message', () => {
    it('the start-up line names sources and variables, not values', () => {
      const line = describeAwsSettings(
        resolve({
          env: {
            AWS_ACCESS_KEY_ID: SECRET,
            AWS_SECRET_ACCESS_KEY: SECRET,
            AWS_SESSION_TOKEN: TOKEN,
            AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
          },
          region: 'eu-west-1',
        }),
      );
      expect(line).to.equal(
        'AWS: credentials from the environment (AWS_ACCESS_KEY_ID); region eu-west-1 (--region); passed through: AWS_ENDPOINT_URL_DYNAMODB',
      );
      expect(describeAwsSettings(resolve())).to.equal(
        "AWS: credentials none found, so functions get SAM CLI's placeholders (calls to AWS will be refused); region us-east-1 (default)",
      );
    });
  });

  describe('the reader', () => {
    let home: string;
    beforeEach(() => {
      home = mkdtempSync(path.join(tmpdir(), 'aws-config-'));
      mkdirSync(path.join(home, '.aws'));
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('reads ~/.aws under HOME, or the files the environment names', () => {
      writeFileSync(
        path.join(home, '.aws', 'credentials'),
        `[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = ${SECRET}\n`,
      );
      writeFileSync(path.join(home, '.aws', 'config'), '[profile dev]\nregion = eu-west-3\n');
      const settings = loadAwsSettings({ profile: 'dev' }, { HOME: home });
      expect(settings.credentials?.accessKeyId).to.equal('AKIADEV');
      expect(settings.region).to.equal('eu-west-3');

      const elsewhere = path.join(home, 'other-credentials');
      writeFileSync(elsewhere, `[dev]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = ${SECRET}\n`);
      const overridden = loadAwsSettings(
        { profile: 'dev' },
        { HOME: home, AWS_SHARED_CREDENTIALS_FILE: elsewhere },
      );
      expect(overridden.credentials?.accessKeyId).to.equal('AKIAOTHER');
    });
  });
});
