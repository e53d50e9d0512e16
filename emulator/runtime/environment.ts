import { randomBytes } from 'node:crypto';
import type { FunctionModel } from '../template/model.ts';

export interface EnvironmentInputs {
  /** The function's code folder (`LAMBDA_TASK_ROOT`). */
  readonly codeDir: string;
  /** Caller overrides (env.json), applied over the template's variables. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly region: string;
  /**
   * Variables beneath the template's (credentials, `AWS_SAM_LOCAL`, endpoints: aws-config.ts
   * `functionAwsVariables`), which template variables and env.json may override, as with `sam local`.
   */
  readonly aws?: Readonly<Record<string, string>>;
  /** The emulator's own `PATH`, so that functions can still spawn local programs. */
  readonly hostPath: string | undefined;
  /** Local stand-ins for Lambda's NODE_PATH folders (layers, the runtime's SDK); a template's NODE_PATH wins. */
  readonly nodePath?: readonly string[];
}

/**
 * The `process.env` a function sees, except `AWS_LAMBDA_LOG_STREAM_NAME` (one per execution environment, see
 * {@link logStreamName}). Built from nothing, so the emulator's own environment never leaks in: Lambda's
 * unreserved defaults, then the AWS variables `sam local` sets beneath the template's (credentials), then the
 * template's variables, then the overrides, then the reserved variables, which a template cannot set on AWS
 * either.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export function functionEnvironment(fn: FunctionModel, inputs: EnvironmentInputs): Record<string, string> {
  const env: Record<string, string> = { LANG: 'en_US.UTF-8' };
  if (inputs.hostPath !== undefined) env.PATH = inputs.hostPath;
  // NODE_PATH is not reserved: Lambda sets it and a function's own value replaces it.
  if (inputs.nodePath !== undefined && inputs.nodePath.length > 0) env.NODE_PATH = inputs.nodePath.join(':');
  Object.assign(env, inputs.aws, fn.environment, inputs.overrides);
  Object.assign(env, {
    _HANDLER: fn.handler,
    AWS_REGION: inputs.region,
    AWS_DEFAULT_REGION: inputs.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    LAMBDA_TASK_ROOT: inputs.codeDir,
    TZ: ':UTC',
  });
  if (fn.logFormat === 'JSON') {
    // Lambda only tells the runtime about log levels when the format is JSON; the runtime reads them here.
    env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    env.AWS_LAMBDA_LOG_LEVEL = (fn.applicationLogLevel ?? 'INFO').toUpperCase();
  }
  return env;
}

/** A log stream name in Lambda's shape, `2024/05/01/[$LATEST]<32 hex digits>`, for one execution environment. */
export function logStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** V8 flag values in MB from a NODE_OPTIONS string; V8 spells its flags with dashes or underscores. */
function flagMb(nodeOptions: string | undefined, name: string): number | undefined {
  const pattern = new RegExp(`--${name.replaceAll('-', '[-_]')}[= ](\\d+(?:\\.\\d+)?)(?!\\S)`);
  const value = nodeOptions?.match(pattern)?.[1];
  return value === undefined ? undefined : Number(value);
}

export interface HeapLimits {
  readonly maxOldGenerationSizeMb: number;
  readonly maxYoungGenerationSizeMb: number;
}

/**
 * A worker's V8 heap, sized as in an execution environment with `MemorySize` of memory. Workers ignore the heap
 * flags of NODE_OPTIONS, so `--max-old-space-size` and `--max-semi-space-size` are applied here instead.
 *
 * Old space: `MemorySize`, or less if NODE_OPTIONS asks. Young generation: V8 sizes it from the memory it
 * sees (old generation = half of it on 64-bit; semi-space = old generation / 256 up to 256 MB of it, / 128
 * above, within 1–16 MB; young generation = 3 semi-spaces), which is 3 MB for 128 to 512 MB functions. A
 * worker otherwise inherits the emulator's own 48 MB, sized from the whole machine: ten warm environments
 * under load then hold ~75 MB more than they would on Lambda.
 */
export function heapLimits(memorySize: number, nodeOptions: string | undefined): HeapLimits {
  const oldSpace = flagMb(nodeOptions, 'max-old-space-size');
  const maxOldGenerationSizeMb = Math.max(1, Math.min(memorySize, oldSpace ?? Number.POSITIVE_INFINITY));
  const sizedOldGeneration = memorySize / 2;
  const ratio = sizedOldGeneration <= 256 ? 256 : 128;
  const semiSpace =
    flagMb(nodeOptions, 'max-semi-space-size') ?? Math.min(16, Math.max(1, sizedOldGeneration / ratio));
  return { maxOldGenerationSizeMb, maxYoungGenerationSizeMb: 3 * Math.max(semiSpace, 1) };
}
