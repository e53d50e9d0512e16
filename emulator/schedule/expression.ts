import { type CronSchedule, CronSyntaxError, nextCronTime, parseCron } from './cron.ts';
import { instantsOf, parseTimestamp, type WallClock, wallClockAt } from './zone.ts';

/** A parsed schedule expression. */
export type ScheduleExpression =
  | { readonly type: 'rate'; readonly text: string; readonly intervalMs: number }
  | { readonly type: 'cron'; readonly text: string; readonly cron: CronSchedule }
  | { readonly type: 'at'; readonly text: string; readonly wallClock: WallClock };

/** Which service evaluates the expression: `Schedule` (EventBridge rule) or `ScheduleV2` (EventBridge Scheduler). */
export type ScheduleKind = 'Schedule' | 'ScheduleV2';

/** The expression AWS would reject; the message starts with the expression and says what is wrong. */
export class InvalidScheduleExpressionError extends Error {
  override readonly name = 'InvalidScheduleExpressionError';
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`${expression}: ${reason}`);
  }
}

/** What evaluating an expression needs besides the expression. */
export interface EvaluationContext {
  /** IANA zone that cron and at expressions are read in (`UTC` for `Schedule`). */
  readonly timezone: string;
  /** When the schedule started (ms): rate expressions count their intervals from it. */
  readonly startedAt: number;
  /**
   * EventBridge Scheduler (ScheduleV2) fires a rate at its start, then every interval; an EventBridge rule
   * (Schedule) first fires one interval after it.
   */
  readonly rateFiresAtStart?: boolean;
  /**
   * ScheduleV2 `StartDate` and `EndDate` (ms): a rate counts from the start date instead of `startedAt`, and
   * recurring fire times fall on or after the start date and before the end date; one-time at() ignores both.
   */
  readonly startDate?: number;
  readonly endDate?: number;
}

const MINUTE_MS = 60_000;
/** ECMAScript's last representable time (ms since the epoch, year 275760). */
const LATEST_INSTANT_MS = 8.64e15;
const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['minute', MINUTE_MS],
  ['hour', 60 * MINUTE_MS],
  ['day', 24 * 60 * MINUTE_MS],
]);

/**
 * Parses `rate(value unit)` and `cron(...)`, and for ScheduleV2 also `at(yyyy-mm-ddThh:mm:ss)`; throws
 * InvalidScheduleExpressionError for anything AWS would reject.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
export function parseScheduleExpression(text: string, kind: ScheduleKind): ScheduleExpression {
  const match = /^(rate|cron|at)\((.*)\)$/s.exec(text);
  const [, type, body = ''] = match ?? [];
  const invalid = (reason: string) => new InvalidScheduleExpressionError(text, reason);
  if (type === 'rate') return { type, text, intervalMs: parseRate(body, invalid) };
  if (type === 'cron') {
    try {
      return { type, text, cron: parseCron(body) };
    } catch (error) {
      if (error instanceof CronSyntaxError) throw invalid(error.message);
      throw error;
    }
  }
  if (type === 'at') {
    if (kind !== 'ScheduleV2') {
      throw invalid('one-time at() schedules exist only in EventBridge Scheduler (Type: ScheduleV2)');
    }
    return { type, text, wallClock: parseAt(body, invalid) };
  }
  throw invalid(
    kind === 'ScheduleV2'
      ? 'expected rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)'
      : 'expected rate(value unit) or cron(6 fields)',
  );
}

/**
 * `value` a positive integer; `unit` minute(s), hour(s) or day(s), singular exactly when the value is 1.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 */
function parseRate(body: string, invalid: (reason: string) => Error): number {
  const parts = body.trim().split(/\s+/);
  const [valueText = '', unit = '', extra] = parts;
  if (parts.length < 2 || extra !== undefined)
    throw invalid('expected a value and a unit, e.g. rate(5 minutes)');
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1 || !Number.isSafeInteger(Number(valueText))) {
    throw invalid(`the value must be a positive whole number, not "${valueText}"`);
  }
  const value = Number(valueText);
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  const unitMs = UNIT_MS.get(singular);
  if (unitMs === undefined) {
    throw invalid(
      `"${unit}" is not a unit: use minute(s), hour(s) or day(s); nothing runs more often than once a minute`,
    );
  }
  if (value === 1 && unit !== singular)
    throw invalid(`a value of 1 takes the singular unit: rate(1 ${singular})`);
  if (value > 1 && unit === singular) {
    throw invalid(`a value above 1 takes the plural unit: rate(${value} ${singular}s)`);
  }
  return value * unitMs;
}

/** `yyyy-mm-ddThh:mm:ss`, a local time that exists on the calendar. */
function parseAt(body: string, invalid: (reason: string) => Error): WallClock {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body)) {
    throw invalid('expected at(yyyy-mm-ddThh:mm:ss), e.g. at(2027-01-01T09:30:00)');
  }
  const asIfUtc = parseTimestamp(body);
  if (asIfUtc === undefined) throw invalid(`${body} is not a date and time on the calendar`);
  return wallClockAt(asIfUtc, 'UTC');
}

/**
 * The first fire time (ms) strictly after `after`, or `undefined` when the expression never fires again.
 * A rate fires at `anchor + k × interval`, the anchor being the start date or `startedAt`, from k = 0 on
 * Scheduler and k = 1 on an EventBridge rule; cron and at are read on the clock of `context.timezone`.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
export function nextFireTime(
  expression: ScheduleExpression,
  after: number,
  context: EvaluationContext,
): number | undefined {
  if (expression.type === 'at') {
    // A local time skipped by a DST change never fires, as Scheduler skips such cron times.
    const [first] = instantsOf(expression.wallClock, context.timezone);
    return first !== undefined && first > after ? first : undefined;
  }
  const { startDate, endDate } = context;
  let next: number | undefined;
  if (expression.type === 'rate') {
    const { intervalMs } = expression;
    const anchor = startDate ?? context.startedAt;
    const intervals = Math.max(
      context.rateFiresAtStart ? 0 : 1,
      Math.floor((after - anchor) / intervalMs) + 1,
    );
    next = anchor + intervals * intervalMs;
    // rate(100000000 days) would next fire past the last instant a Date can hold: it never fires again.
    if (next > LATEST_INSTANT_MS) return undefined;
  } else {
    next = nextCronTime(
      expression.cron,
      startDate === undefined ? after : Math.max(after, startDate - 1),
      context.timezone,
    );
  }
  return next !== undefined && (endDate === undefined || next < endDate) ? next : undefined;
}

/** Up to `count` successive fire times (ms) after `after`; fewer when the expression stops firing. */
export function fireTimesAfter(
  expression: ScheduleExpression,
  after: number,
  count: number,
  context: EvaluationContext,
): number[] {
  const times: number[] = [];
  let previous = after;
  while (times.length < count) {
    const next = nextFireTime(expression, previous, context);
    if (next === undefined) break;
    times.push(next);
    previous = next;
  }
  return times;
}
