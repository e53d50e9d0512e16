import { fileURLToPath } from 'node:url';
import { NO_ENV_VARS, parseEnvVars } from '../../emulator/config.ts';
import type { JwtTrust } from '../../emulator/gateway/auth/keys.ts';
import type { Logger } from '../../emulator/log.ts';
import { type RunningEmulator, startEmulator } from '../../emulator/start.ts';

export const PROJECT_TEMPLATE = fileURLToPath(new URL('../../template.yaml', import.meta.url));
export const GATEWAY_TEMPLATE = fileURLToPath(new URL('../fixtures/gateway/template.yaml', import.meta.url));
export const RELIABILITY_TEMPLATE = fileURLToPath(
  new URL('../fixtures/reliability/template.yaml', import.meta.url),
);

/** Lines the emulator wrote, by stream, so that tests can assert on them instead of printing them. */
export interface CapturedLog extends Logger {
  readonly lines: {
    readonly info: string[];
    readonly warn: string[];
    readonly error: string[];
    readonly function: string[];
  };
}

export function captureLog(): CapturedLog {
  const lines = {
    info: [] as string[],
    warn: [] as string[],
    error: [] as string[],
    function: [] as string[],
  };
  return {
    lines,
    info: (line) => lines.info.push(line),
    warn: (line) => lines.warn.push(line),
    error: (line) => lines.error.push(line),
    function: (line) => lines.function.push(line),
  };
}

export interface TestApi extends RunningEmulator {
  /** The API server's base URL. */
  readonly url: string;
  readonly log: CapturedLog;
}

/** The emulator's API server on an ephemeral port of 127.0.0.1, as `start-api` runs it, minus the CLI. */
export async function startTestApi(
  templatePath: string,
  options: {
    envVars?: Record<string, unknown>;
    parameterOverrides?: Record<string, string>;
    watch?: boolean;
    /** Also serve the Lambda Invoke endpoint, on its own ephemeral port (`lambdaUrl`). */
    lambda?: boolean;
    /** What AWS_IAM routes and function URLs check signatures against. */
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /** Issuers whose JWTs are checked against a local key, as `--jwt-issuer ISSUER=local` sets. */
    jwtTrust?: JwtTrust;
  } = {},
): Promise<TestApi> {
  const log = captureLog();
  const running = await startEmulator({
    templatePath,
    parameterOverrides: options.parameterOverrides ?? {},
    envVars:
      options.envVars === undefined ? NO_ENV_VARS : parseEnvVars(JSON.stringify(options.envVars), 'env.json'),
    watch: options.watch ?? false,
    host: '127.0.0.1',
    apiPort: 0,
    ...(options.lambda ? { lambdaPort: 0 } : {}),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.jwtTrust === undefined ? {} : { jwtTrust: options.jwtTrust }),
    log,
  });
  if (running.apiUrl === undefined) throw new Error('the API server did not start');
  return { ...running, url: running.apiUrl, log };
}
