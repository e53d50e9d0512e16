import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYamlText } from 'yaml';
import { ConfigError, parseParameterOverrides } from './config.ts';
import { isRecord } from './template/values.ts';

/**
 * The `sam` command whose section of the config file a command of ours reads: `start-api` reads
 * `[default.local_start_api.parameters]`, as `sam local start-api` does.
 */
export type SamCommand = 'local_start_api' | 'local_start_lambda' | 'local_invoke' | 'build';

export interface SamConfigRequest {
  /** The template being run: the config file is looked for beside it, as SAM CLI does. */
  readonly templatePath: string;
  /** `--config-file`: relative to the template's folder unless absolute. */
  readonly configFile: string | undefined;
  /** `--config-env`, default `default`. */
  readonly configEnv: string | undefined;
  readonly command: SamCommand;
}

export interface SamConfigValues {
  /** The file read, or `undefined` when there is none. */
  readonly file: string | undefined;
  /** `parameter_overrides` of the command's section, else of `global`. */
  readonly parameterOverrides: Readonly<Record<string, string>>;
  /**
   * `parameter_overrides` of `deploy`: what the deployed stack is given. `sam local` does not read them; the
   * emulator uses them only for parameters that would otherwise have no value at all.
   */
  readonly deployParameterOverrides: Readonly<Record<string, string>>;
}

const DEFAULT_FILES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'];
const NO_VALUES = { parameterOverrides: {}, deployParameterOverrides: {} };

/** The files that may hold the SAM config, in the order they are looked for (one when `--config-file` names it). */
export function samConfigCandidates(
  request: Pick<SamConfigRequest, 'templatePath' | 'configFile'>,
): string[] {
  const folder = path.dirname(path.resolve(request.templatePath));
  if (request.configFile !== undefined) return [path.resolve(folder, request.configFile)];
  return DEFAULT_FILES.map((name) => path.join(folder, name));
}

/**
 * The values a SAM config file holds for one command, found and read as SAM CLI does: `samconfig.toml` (then
 * `.yaml`, `.yml`) in the template's folder unless `--config-file` names one (which must then exist), the
 * `--config-env` environment (`default`), its `global` parameters overridden key by key by the command's own.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
 */
export function readSamConfig(request: SamConfigRequest): SamConfigValues {
  const folder = path.dirname(path.resolve(request.templatePath));
  let file: string | undefined;
  if (request.configFile !== undefined) {
    file = samConfigCandidates(request)[0] ?? request.configFile;
    if (!existsSync(file)) {
      throw new ConfigError(`--config-file ${request.configFile}: no such file (looked in ${folder})`);
    }
  } else {
    file = samConfigCandidates(request).find((candidate) => existsSync(candidate));
    if (file === undefined) return { file: undefined, ...NO_VALUES };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { file, ...samConfigValues(text, file, request.configEnv ?? 'default', request.command) };
}

/** The parameter values of one environment and command in a config file's text (TOML, or YAML by extension). */
export function samConfigValues(
  text: string,
  file: string,
  environment: string,
  command: SamCommand,
): Omit<SamConfigValues, 'file'> {
  let document: unknown;
  try {
    document = /\.ya?ml$/i.test(file) ? parseYamlText(text) : parseToml(text);
  } catch (error) {
    throw new ConfigError(
      `${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'TOML'}: ${firstLine(error)}`,
    );
  }
  const sections = isRecord(document) && isRecord(document[environment]) ? document[environment] : {};
  const parametersOf = (name: string): Record<string, unknown> => {
    const section = sections[name];
    return isRecord(section) && isRecord(section.parameters) ? section.parameters : {};
  };
  const merged = { ...parametersOf('global'), ...parametersOf(command) };
  const where = `${file}: [${environment}.${command}.parameters]`;
  return {
    parameterOverrides: overridesOf(merged.parameter_overrides, where),
    deployParameterOverrides: overridesOf(
      parametersOf('deploy').parameter_overrides,
      `${file}: [${environment}.deploy.parameters]`,
    ),
  };
}

/** `parameter_overrides` is one string of `Key=Value` pairs or a list of them, as on SAM's command line. */
function overridesOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (items === undefined || !items.every((item) => typeof item === 'string')) {
    throw new ConfigError(
      `${where} parameter_overrides: expected "Key=Value Key2=Value2" or a list of such strings`,
    );
  }
  try {
    return parseParameterOverrides(items);
  } catch (error) {
    throw new ConfigError(`${where} ${error instanceof Error ? error.message : String(error)}`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
