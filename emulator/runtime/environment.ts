import { randomBytes } from 'node:crypto';
import type { FunctionModel } from '../template/model.ts';

export interface EnvironmentInputs {
  /** The function's code folder (`LAMBDA_TASK_ROOT`). */
  readonly codeDir: string;
  /** Caller overrides (env.json), applied over the template's variables. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly region: string;
  /** The emulator's own `PATH`, so that functions can still spawn local programs. */
  readonly hostPath: string | undefined;
}

/**
 * The `process.env` a function sees, except `AWS_LAMBDA_LOG_STREAM_NAME` (one per execution environment, see
 * {@link logStreamName}). Built from nothing, so the emulator's own environment never leaks in: Lambda's
 * unreserved defaults, then the template's variables, then the overrides, then the reserved variables, which
 * a template cannot set on AWS either.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export function functionEnvironment(fn: FunctionModel, inputs: EnvironmentInputs): Record<string, string> {
  const env: Record<string, string> = { LANG: 'en_US.UTF-8' };
  if (inputs.hostPath !== undefined) env.PATH = inputs.hostPath;
  Object.assign(env, fn.environment, inputs.overrides);
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

/**
 * The V8 old-space limit for a function's worker: its `MemorySize`, or a smaller `--max-old-space-size` from
 * its `NODE_OPTIONS` (workers ignore that flag, so it is applied through `resourceLimits` instead).
 */
export function heapLimitMb(memorySize: number, nodeOptions: string | undefined): number {
  const flag = nodeOptions?.match(/--max-old-space-size[= ](\d+)/);
  const requested = flag?.[1] === undefined ? Number.POSITIVE_INFINITY : Number(flag[1]);
  return Math.max(1, Math.min(memorySize, requested));
}
