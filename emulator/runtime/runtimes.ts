/**
 * The Node.js runtimes Lambda has shipped, and what the emulator needs to know of each: the Node major it runs,
 * when Lambda deprecated it, whether it still calls callback-style handlers and which AWS SDK it includes.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */

export interface NodeRuntime {
  readonly id: string;
  /** The Node.js major version Lambda runs the runtime on. */
  readonly nodeMajor: number;
  /** ISO date from which Lambda lists the runtime as deprecated (no more security patches). */
  readonly deprecation: string;
  /**
   * `(event, context, callback)` handlers and `context.done/succeed/fail`: removed from nodejs24.x, whose runtime
   * client fails such a handler at init with `Runtime.CallbackHandlerDeprecated`.
   * https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137
   */
  readonly callbacks: boolean;
  /** `v3`: `@aws-sdk/*` in /var/runtime/node_modules (nodejs18.x and later); `v2`: `aws-sdk` (nodejs16.x and earlier). */
  readonly sdk: 'v2' | 'v3';
  /** Not in Lambda's own table: a `nodejsNN.x` newer than this emulator knows, run as its Node major. */
  readonly unknown?: true;
}

const RUNTIMES: readonly NodeRuntime[] = [
  { id: 'nodejs24.x', nodeMajor: 24, deprecation: '2028-04-30', callbacks: false, sdk: 'v3' },
  { id: 'nodejs22.x', nodeMajor: 22, deprecation: '2027-04-30', callbacks: true, sdk: 'v3' },
  { id: 'nodejs20.x', nodeMajor: 20, deprecation: '2026-04-30', callbacks: true, sdk: 'v3' },
  { id: 'nodejs18.x', nodeMajor: 18, deprecation: '2025-09-01', callbacks: true, sdk: 'v3' },
  { id: 'nodejs16.x', nodeMajor: 16, deprecation: '2024-06-12', callbacks: true, sdk: 'v2' },
  { id: 'nodejs14.x', nodeMajor: 14, deprecation: '2023-12-04', callbacks: true, sdk: 'v2' },
  { id: 'nodejs12.x', nodeMajor: 12, deprecation: '2023-03-31', callbacks: true, sdk: 'v2' },
  { id: 'nodejs10.x', nodeMajor: 10, deprecation: '2021-07-30', callbacks: true, sdk: 'v2' },
  { id: 'nodejs8.10', nodeMajor: 8, deprecation: '2020-03-06', callbacks: true, sdk: 'v2' },
  { id: 'nodejs6.10', nodeMajor: 6, deprecation: '2019-08-12', callbacks: true, sdk: 'v2' },
  { id: 'nodejs4.3', nodeMajor: 4, deprecation: '2020-03-06', callbacks: true, sdk: 'v2' },
];

const NEWEST = RUNTIMES[0];
const FUTURE_RUNTIME = /^nodejs(\d+)\.x$/;

/**
 * The Node.js runtime a `Runtime` value names; `undefined` for a value Lambda does not accept. A `nodejsNN.x`
 * newer than the newest known one is taken as a runtime released after this table was written, and behaves as
 * the newest one does.
 */
export function nodeRuntime(id: string): NodeRuntime | undefined {
  const known = RUNTIMES.find((runtime) => runtime.id === id);
  if (known !== undefined) return known;
  const major = Number(FUTURE_RUNTIME.exec(id)?.[1]);
  if (NEWEST === undefined || !Number.isInteger(major) || major <= NEWEST.nodeMajor) return undefined;
  return { ...NEWEST, id, nodeMajor: major, deprecation: '9999-12-31', unknown: true };
}

/** The Node.js runtime identifiers Lambda currently supports, newest first, for error messages. */
export function supportedRuntimeIds(today: Date = new Date()): string[] {
  return RUNTIMES.filter((runtime) => !isDeprecated(runtime, today)).map((runtime) => runtime.id);
}

export function isDeprecated(runtime: NodeRuntime, today: Date = new Date()): boolean {
  return today.toISOString().slice(0, 10) >= runtime.deprecation;
}

/**
 * One line for the start screen when the functions of a runtime run on another Node major than AWS runs them
 * on: worker threads run on the emulator's own Node. `undefined` when the majors agree.
 */
export function runtimeNotice(runtime: NodeRuntime, hostVersion: string): string | undefined {
  const hostMajor = Number(hostVersion.split('.')[0]);
  if (hostMajor === runtime.nodeMajor) return undefined;
  const difference =
    hostMajor < runtime.nodeMajor
      ? `syntax and APIs added after Node ${hostMajor} fail here`
      : `APIs added after Node ${runtime.nodeMajor} work here but not on AWS`;
  return (
    `${runtime.id} functions run here on this machine's Node ${hostVersion}, not Node ${runtime.nodeMajor}: ` +
    `${difference}; AWS runs them on Node ${runtime.nodeMajor}`
  );
}

/** Scopes of the packages nodejs18.x and later ship in /var/runtime/node_modules: the AWS SDK v3 and its parts. */
export const SDK_V3_SCOPES: readonly string[] = ['@aws-sdk', '@smithy', '@aws-crypto'];
