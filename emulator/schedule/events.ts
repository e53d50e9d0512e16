import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { ScheduleModel } from '../template/model.ts';
import { partitionOf } from '../template/parameters.ts';

/** The EventBridge rule event: `detail` is an empty object. */
export type RuleScheduledEvent = ScheduledEvent<Record<string, never>>;
/** The EventBridge Scheduler default event: `detail` is the string `"{}"`. */
export type SchedulerScheduledEvent = ScheduledEvent<string>;

/** Where the stack runs, to fill ARNs and the envelope. */
export interface StackIdentity {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
}

export interface ScheduledEventOptions extends StackIdentity {
  /** The time the schedule was due (not when the timer happened to run). */
  readonly fireTime: Date;
  /** Scheduler's attempt counter for `<aws.scheduler.attempt-number>`; 1 unless Scheduler itself retried. */
  readonly attempt?: number;
  /** The event `id`; a random UUID when omitted. */
  readonly id?: string;
  /** `<aws.scheduler.execution-id>`; random when omitted. */
  readonly executionId?: string;
}

/** `2019-03-01T01:23:45Z`: UTC, seconds precision, as both services write `time`. */
export function eventTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

const NAME_MAX_LENGTH = 64;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The rule or schedule name: the event's `Name`, else the CloudFormation-style `<stack>-<FunctionId><EventId>-<SUFFIX>`
 * (the logical id SAM gives the generated resource), with a suffix derived from those ids so that it is the
 * same on every start.
 */
export function scheduleName(schedule: ScheduleModel, stackName: string): string {
  if (schedule.name !== undefined) return schedule.name;
  const logicalId = `${schedule.functionId}${schedule.eventId}`;
  const digest = createHash('sha256').update(`${stackName}/${logicalId}`).digest();
  let suffix = '';
  for (const byte of digest.subarray(0, 12)) suffix += SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length];
  const prefix = `${stackName}-${logicalId}`.slice(0, NAME_MAX_LENGTH - suffix.length - 1);
  return `${prefix}-${suffix}`;
}

/** `arn:aws:events:<region>:<account>:rule/<name>`. */
export function ruleArn(region: string, accountId: string, ruleName: string): string {
  return `arn:${partitionOf(region).partition}:events:${region}:${accountId}:rule/${ruleName}`;
}

/** `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`. */
export function schedulerScheduleArn(
  region: string,
  accountId: string,
  scheduleName: string,
  groupName = 'default',
): string {
  return `arn:${partitionOf(region).partition}:scheduler:${region}:${accountId}:schedule/${groupName}/${scheduleName}`;
}

/**
 * The event an EventBridge rule sends on schedule (`source` `aws.events`, `detail` `{}`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchevents.html
 */
export function scheduledEventEnvelope(options: {
  readonly region: string;
  readonly accountId: string;
  readonly ruleName: string;
  readonly time: Date;
  readonly id?: string;
}): RuleScheduledEvent {
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: options.accountId,
    time: eventTime(options.time),
    region: options.region,
    resources: [ruleArn(options.region, options.accountId, options.ruleName)],
    detail: {},
  };
}

/**
 * The event EventBridge Scheduler sends when the target has no `Input`: the rule envelope with `source`
 * `aws.scheduler`, the schedule's ARN, and `detail` the string `"{}"` (as captured from AWS, SPEC §7.2).
 */
export function schedulerEventEnvelope(options: {
  readonly region: string;
  readonly accountId: string;
  readonly scheduleName: string;
  readonly groupName?: string;
  readonly time: Date;
  readonly id?: string;
}): SchedulerScheduledEvent {
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: options.accountId,
    time: eventTime(options.time),
    region: options.region,
    resources: [
      schedulerScheduleArn(options.region, options.accountId, options.scheduleName, options.groupName),
    ],
    detail: '{}',
  };
}

/**
 * What `schedule` sends to its function when due at `fireTime`: the `Input` JSON when set (for ScheduleV2 with
 * its context placeholders filled in), else the service's envelope.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-schedule.html
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 */
export function scheduledEvent(schedule: ScheduleModel, options: ScheduledEventOptions): unknown {
  const name = scheduleName(schedule, options.stackName);
  const { region, accountId, fireTime, id } = options;
  if (schedule.kind === 'Schedule') {
    if (schedule.input !== undefined) return JSON.parse(schedule.input);
    return scheduledEventEnvelope({ region, accountId, ruleName: name, time: fireTime, id });
  }
  if (schedule.input === undefined) {
    return schedulerEventEnvelope({ region, accountId, scheduleName: name, time: fireTime, id });
  }
  const context = new Map([
    ['<aws.scheduler.schedule-arn>', schedulerScheduleArn(region, accountId, name)],
    ['<aws.scheduler.scheduled-time>', eventTime(fireTime)],
    ['<aws.scheduler.execution-id>', options.executionId ?? randomBytes(8).toString('hex')],
    ['<aws.scheduler.attempt-number>', String(options.attempt ?? 1)],
  ]);
  // The values hold no JSON metacharacters, so replacing in the text keeps it valid JSON.
  const filled = schedule.input.replace(
    /<aws\.scheduler\.[a-z-]+>/g,
    (keyword) => context.get(keyword) ?? keyword,
  );
  return JSON.parse(filled);
}
