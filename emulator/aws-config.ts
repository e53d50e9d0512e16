/**
 * The AWS credentials, region and service endpoints the functions get, resolved once at start-up as `sam local`
 * resolves them (boto3's session with `--profile` and `--region`, samcli/commands/local/lib/local_lambda.py
 * `get_aws_creds`, then samcli/local/lambdafn/env_vars.py). Pure functions over file text and environment
 * records, and one thin reader ({@link loadAwsSettings}) that finds and reads the shared files.
 * No value of a credential ever goes into a message, a warning or {@link describeAwsSettings}.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** An environment as `process.env` holds it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The `--profile` and `--region` flags, when given. */
export interface AwsFlags {
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
}

/** One shared file: where it was looked for, and its text (`undefined` when there is no such file). */
export interface SharedFile {
  readonly path: string;
  readonly text: string | undefined;
}

export interface AwsSettings {
  readonly region: string;
  /** `undefined` when none were found, or when the profile needs a kind the emulator does not resolve. */
  readonly credentials: AwsCredentials | undefined;
  /** Where the credentials came from, for the start-up line; never a value. */
  readonly credentialsSource: string;
  /** Where the region came from: `--region`, `AWS_REGION`, `profile "dev"`… */
  readonly regionSource: string;
  /** Shell variables every function gets as they are (endpoints for local emulators of AWS services). */
  readonly passThrough: Readonly<Record<string, string>>;
  /** At most one, about a profile whose credentials are not resolved locally. */
  readonly warnings: readonly string[];
}

/** A named profile that does not exist, partial credentials, an unreadable file: exit 2, as for a bad flag. */
export class AwsConfigError extends Error {
  override readonly name = 'AwsConfigError';
}

/**
 * What SAM CLI gives functions when boto3 finds no credentials (env_vars.py `_DEFAULT_AWS_CREDS`): SDK clients
 * then still sign requests, which is all DynamoDB Local or LocalStack need.
 */
export const PLACEHOLDER_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'defaultkey',
  secretAccessKey: 'defaultsecret',
};

/** SAM CLI's region when neither the flag, the environment nor the profile names one. */
export const DEFAULT_REGION = 'us-east-1';

/** Sections of an INI file, by name as written between the brackets; keys lower-cased. */
export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * The shared config and credentials files as the AWS CLI reads them (Python's configparser under botocore):
 * `[section]` headers, `key = value` or `key: value` with spaces around the delimiter ignored, keys
 * case-insensitive (lower-cased), section names case-sensitive, whole-line comments starting with `#` or `;`,
 * and lines indented under a key continuing its value (the nested `s3 =` settings), never keys of their own.
 * An inline comment (`#` or `;` after a space) is also dropped, as the SDKs for JavaScript and Java do: the CLI
 * would keep it in the value, where no key, token or region can contain it. A repeated section or key adds to
 * or replaces the earlier one rather than failing the whole file.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: { name: string; indent: number } | undefined;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)) {
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const indent = rawLine.length - rawLine.trimStart().length;
    const line = trimmed.replace(/\s[#;].*$/, '');
    if (section !== undefined && key !== undefined && indent > key.indent) {
      section.set(key.name, `${section.get(key.name) ?? ''}\n${line}`);
      continue;
    }
    key = undefined;
    const header = /^\[(.*)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      const name = header[1].trim();
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      continue;
    }
    const delimiter = line.search(/[=:]/);
    // Outside a section, or without a key before the delimiter, configparser refuses the line; skip it.
    if (section === undefined || delimiter <= 0) continue;
    const name = line.slice(0, delimiter).trim().toLowerCase();
    section.set(name, line.slice(delimiter + 1).trim());
    key = { name, indent };
  }
  return sections;
}

/**
 * The profiles of a config file: `[default]` and `[profile NAME]` (`[profile default]` too). Other sections
 * (`[sso-session x]`, `[services x]`, or a bare `[NAME]`, which names a profile only in the credentials file)
 * are not profiles.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html#file-format-profile
 */
export function configProfiles(sections: IniSections): IniSections {
  const profiles = new Map<string, ReadonlyMap<string, string>>();
  for (const [name, values] of sections) {
    const named = /^profile\s+(.+)$/.exec(name)?.[1]?.trim();
    const profile = name === 'default' ? 'default' : named?.replace(/^"(.*)"$/, '$1');
    if (profile !== undefined) profiles.set(profile, new Map([...(profiles.get(profile) ?? []), ...values]));
  }
  return profiles;
}

/**
 * Where the shared files are: `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` (a leading `~` is the home
 * folder), else `~/.aws/credentials` and `~/.aws/config`.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html
 */
export function sharedFilePaths(env: Environment, home: string): { credentials: string; config: string } {
  const expand = (file: string) =>
    file === '~' || /^~[/\\]/.test(file) ? path.join(home, file.slice(1)) : file;
  return {
    credentials: expand(nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? path.join(home, '.aws', 'credentials')),
    config: expand(nonEmpty(env.AWS_CONFIG_FILE) ?? path.join(home, '.aws', 'config')),
  };
}

export interface AwsSettingsInputs {
  readonly flags: AwsFlags;
  readonly env: Environment;
  readonly credentialsFile: SharedFile;
  readonly configFile: SharedFile;
}

/**
 * Credentials, region and pass-through variables from the flags, the shell and the shared files, in the order
 * boto3 (under `sam local`) and the AWS SDKs use.
 *
 * Credentials: the shell's `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, unless `--profile`
 * names a profile (botocore drops its environment provider for an explicit profile; `AWS_PROFILE` does not);
 * then the profile (`--profile`, else `AWS_PROFILE`, else `default`), looked up as botocore's chain does:
 * `role_arn`, SSO, the credentials file's keys, `credential_process`, the config file's keys. Role, SSO and
 * process profiles need AWS (or a program) to produce credentials; they are reported in one warning rather than
 * resolved. A profile named by the flag or by `AWS_PROFILE` must exist in one of the files.
 *
 * Region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, `us-east-1`, in the AWS CLI
 * v2's and the SDKs' order (boto3 reads only `AWS_DEFAULT_REGION`). One region reaches everything: `AWS::Region`,
 * the functions' variables and the ARNs, where `sam local` sets `AWS::Region` only from the flag.
 * `AWS::AccountId` stays the template loader's placeholder: `sam local` asks STS for it, which needs AWS.
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 */
export function resolveAwsSettings(inputs: AwsSettingsInputs): AwsSettings {
  const { flags, env, credentialsFile, configFile } = inputs;
  const flagProfile = nonEmpty(flags.profile);
  const envProfile = nonEmpty(env.AWS_PROFILE);
  const profileName = flagProfile ?? envProfile ?? 'default';
  const namedBy =
    flagProfile !== undefined ? '--profile' : envProfile !== undefined ? 'AWS_PROFILE' : undefined;

  const fromCredentials = parseIni(credentialsFile.text ?? '').get(profileName);
  const fromConfig = configProfiles(parseIni(configFile.text ?? '')).get(profileName);
  if (namedBy !== undefined && fromCredentials === undefined && fromConfig === undefined) {
    throw new AwsConfigError(
      `${namedBy} ${profileName}: no such profile; looked for [${profileName}] in ${describeFile(credentialsFile)} ` +
        `and [${profileName === 'default' ? 'default' : `profile ${profileName}`}] in ${describeFile(configFile)}`,
    );
  }
  // botocore reads one profile from both files, the credentials file's values winning key by key.
  const profile = new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]);

  const warnings: string[] = [];
  let credentials: AwsCredentials | undefined;
  let credentialsSource: string;
  const fromEnv = flagProfile === undefined ? environmentCredentials(env) : undefined;
  const unsupported = unsupportedKind(profile, fromCredentials);
  if (fromEnv !== undefined) {
    credentials = fromEnv;
    credentialsSource = 'the environment (AWS_ACCESS_KEY_ID)';
  } else if (unsupported !== undefined) {
    credentialsSource = `none (profile ${profileName} uses ${unsupported})`;
    warnings.push(unsupportedWarning(profileName, unsupported, flagProfile !== undefined));
  } else if (fromCredentials?.has('aws_access_key_id')) {
    credentials = fileCredentials(fromCredentials, profileName, credentialsFile.path);
    credentialsSource = `profile ${profileName} in ${credentialsFile.path}`;
  } else if (fromConfig?.has('aws_access_key_id')) {
    credentials = fileCredentials(fromConfig, profileName, configFile.path);
    credentialsSource = `profile ${profileName} in ${configFile.path}`;
  } else {
    credentialsSource = 'none found';
  }

  const { region, regionSource } = resolveRegion(flags, env, profile, profileName);
  return { region, credentials, credentialsSource, regionSource, passThrough: passThrough(env), warnings };
}

/** Reads the shared files named by `env` (or under the home folder) and resolves the settings from them. */
export function loadAwsSettings(flags: AwsFlags, env: Environment = process.env): AwsSettings {
  const home = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? homedir();
  const paths = sharedFilePaths(env, home);
  return resolveAwsSettings({
    flags,
    env,
    credentialsFile: readShared(paths.credentials),
    configFile: readShared(paths.config),
  });
}

/**
 * The variables every function gets beneath the template's own, as SAM CLI's env_vars.py puts them: template
 * variables (and env.json over them) may override these, while the region stays among Lambda's reserved
 * variables. `AWS_SAM_LOCAL=true`, the credentials (or SAM CLI's placeholders; a session token only when there
 * is one), and the shell's endpoint variables. SAM CLI passes no endpoint variable (its containers see only
 * declared ones); they are passed here because the SDKs read them, which is how a function reaches DynamoDB
 * Local or LocalStack unchanged. SAM CLI also sets `AWS_ACCOUNT_ID=123456789012`, left out here: the SDKs read
 * it as the credentials' account, and DynamoDB clients would then send real credentials to the account-based
 * endpoint of an account that is not theirs (Lambda does not set it either).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function functionAwsVariables(settings: AwsSettings | undefined): Record<string, string> {
  const credentials = settings?.credentials ?? PLACEHOLDER_CREDENTIALS;
  return {
    AWS_SAM_LOCAL: 'true',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
    ...settings?.passThrough,
  };
}

/** The start-up line: where credentials and region came from, and which endpoint variables pass; no value. */
export function describeAwsSettings(settings: AwsSettings): string {
  const credentials =
    settings.credentials === undefined
      ? `credentials ${settings.credentialsSource}, so functions get SAM CLI's placeholders (calls to AWS will be refused)`
      : `credentials from ${settings.credentialsSource}`;
  const passed = Object.keys(settings.passThrough);
  const endpoints = passed.length === 0 ? '' : `; passed through: ${passed.join(', ')}`;
  return `AWS: ${credentials}; region ${settings.region} (${settings.regionSource})${endpoints}`;
}

/**
 * `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>` (`_DYNAMODB`, `_S3`, `_SECRETS_MANAGER`…) and the switch that
 * makes SDKs ignore them.
 */
const PASS_THROUGH = /^(?:AWS_ENDPOINT_URL(?:_[A-Z0-9_]+)?|AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)$/;

function passThrough(env: Environment): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (PASS_THROUGH.test(name) && value !== undefined && value !== '') passed[name] = value;
  }
  return passed;
}

/** botocore's EnvProvider: an empty variable is an absent one; a key without its secret is an error. */
function environmentCredentials(env: Environment): AwsCredentials | undefined {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  if (accessKeyId === undefined) return undefined;
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (secretAccessKey === undefined) {
    throw new AwsConfigError(
      'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset AWS_ACCESS_KEY_ID',
    );
  }
  // AWS_SECURITY_TOKEN is the older name botocore still reads.
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN) ?? nonEmpty(env.AWS_SECURITY_TOKEN);
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

function fileCredentials(values: ReadonlyMap<string, string>, profile: string, file: string): AwsCredentials {
  const accessKeyId = nonEmpty(values.get('aws_access_key_id'));
  const secretAccessKey = nonEmpty(values.get('aws_secret_access_key'));
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new AwsConfigError(
      `profile ${profile} in ${file}: aws_access_key_id needs aws_secret_access_key (and neither may be empty)`,
    );
  }
  const sessionToken =
    nonEmpty(values.get('aws_session_token')) ?? nonEmpty(values.get('aws_security_token'));
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

/**
 * The kind of a profile whose credentials another service or program produces, in botocore's order: assume
 * role (and web identity) and SSO come before the credentials file's keys, `credential_process` after them.
 */
function unsupportedKind(
  profile: ReadonlyMap<string, string>,
  fromCredentials: ReadonlyMap<string, string> | undefined,
): string | undefined {
  if (profile.has('role_arn')) {
    return profile.has('web_identity_token_file')
      ? 'role_arn with web_identity_token_file (web identity)'
      : 'role_arn (assume role)';
  }
  if (profile.has('sso_session') || profile.has('sso_start_url')) return 'SSO (sso_session / sso_start_url)';
  if (fromCredentials?.has('aws_access_key_id')) return undefined;
  if (profile.has('credential_process')) return 'credential_process';
  return undefined;
}

function unsupportedWarning(profile: string, kind: string, byFlag: boolean): string {
  const instead = byFlag ? `, and name the profile with AWS_PROFILE=${profile} instead of --profile` : '';
  return (
    `profile ${profile} gets its credentials from ${kind}, which the emulator does not resolve: functions get ` +
    "SAM CLI's placeholder credentials. To use real ones, export them first: " +
    `eval "$(aws configure export-credentials --profile ${profile} --format env)"${instead} ` +
    '(credentials in the environment win over a profile named by AWS_PROFILE)'
  );
}

/** botocore's check on a region name, which also keeps ARNs and URLs built from it well formed. */
const REGION_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

function resolveRegion(
  flags: AwsFlags,
  env: Environment,
  profile: ReadonlyMap<string, string>,
  profileName: string,
): { region: string; regionSource: string } {
  const candidates: [string | undefined, string][] = [
    [flags.region, '--region'],
    [env.AWS_REGION, 'AWS_REGION'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
    [profile.get('region'), `profile ${profileName}`],
  ];
  for (const [value, source] of candidates) {
    const region = nonEmpty(value);
    if (region === undefined) continue;
    if (!REGION_NAME.test(region))
      throw new AwsConfigError(`${source}: ${JSON.stringify(region)} is not a region name such as eu-west-1`);
    return { region, regionSource: source };
  }
  return { region: DEFAULT_REGION, regionSource: 'default' };
}

function readShared(file: string): SharedFile {
  try {
    return { path: file, text: readFileSync(file, 'utf8') };
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: file, text: undefined };
    throw new AwsConfigError(`${file}: cannot read it (${typeof code === 'string' ? code : String(error)})`);
  }
}

function describeFile(file: SharedFile): string {
  return file.text === undefined ? `${file.path} (no such file)` : file.path;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
