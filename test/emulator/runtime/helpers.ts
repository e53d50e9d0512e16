import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  type DebugMode,
  type ErrorPayload,
  FunctionPool,
  type InvokeOutcome,
} from '../../../emulator/runtime/pool.ts';
import type { FunctionModel } from '../../../emulator/template/model.ts';
import { isRecord } from '../../../emulator/template/values.ts';
import { functionModel as baseFunctionModel } from '../../support/models.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/functions', import.meta.url));
export const REGION = 'eu-west-1';
export const ACCOUNT_ID = '123456789012';

/** A function as the template loader would hand it over: SAM's defaults, with a 1 s timeout to keep tests fast. */
export function functionModel(overrides: Partial<FunctionModel> = {}): FunctionModel {
  return baseFunctionModel({ codeUri: FIXTURES, handler: 'runtime.echo', timeout: 1, ...overrides });
}

export interface OpenOptions {
  /** Relative to the fixtures folder; `runtime.mjs` by default. */
  readonly file?: string;
  readonly fn?: Partial<FunctionModel>;
  readonly environment?: Record<string, string>;
  readonly maxConcurrency?: number;
  /** Run as `-d` does: no timeouts (pool.ts `DebugMode`). */
  readonly debug?: DebugMode;
}

export interface Harness {
  readonly pool: FunctionPool;
  /** Every line the pool gave its log sink, in order. */
  readonly lines: string[];
}

const open: FunctionPool[] = [];

/** A pool over one fixture export; {@link closePools} stops it after the test. */
export function openPool(exportName: string, options: OpenOptions = {}): Harness {
  const file = join(FIXTURES, options.file ?? 'runtime.mjs');
  const lines: string[] = [];
  const fn = functionModel({ handler: `${basename(file, extname(file))}.${exportName}`, ...options.fn });
  const pool = new FunctionPool(
    fn,
    { dir: join(file, '..'), file, exportName },
    {
      environment: options.environment ?? {},
      region: REGION,
      accountId: ACCOUNT_ID,
      logSink: (line) => lines.push(line),
      ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
      ...(options.debug !== undefined && { debug: options.debug }),
    },
  );
  open.push(pool);
  return { pool, lines };
}

export async function closePools(): Promise<void> {
  await Promise.all(open.splice(0).map((pool) => pool.close()));
}

export function payloadOf(outcome: InvokeOutcome): unknown {
  if (outcome.kind === 'error') expect.fail(`expected a result, got ${JSON.stringify(outcome.error)}`);
  return outcome.payload;
}

export function errorOf(outcome: InvokeOutcome): ErrorPayload {
  if (outcome.kind === 'success') expect.fail(`expected an error, got ${JSON.stringify(outcome.payload)}`);
  return outcome.error;
}

/** The payload of an outcome, as an object. */
export function recordOf(outcome: InvokeOutcome): Record<string, unknown> {
  const payload = payloadOf(outcome);
  if (!isRecord(payload)) return expect.fail(`expected an object, got ${JSON.stringify(payload)}`);
  return payload;
}

/** Waits until `condition` holds, for the effects a pool reports after an invocation has resolved. */
export async function eventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) expect.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
