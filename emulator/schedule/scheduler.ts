import type { Logger } from '../log.ts';
import type { ScheduleModel } from '../template/model.ts';
import { eventTime, type StackIdentity, scheduledEvent } from './events.ts';
import {
  type EvaluationContext,
  fireTimesAfter,
  InvalidScheduleExpressionError,
  nextFireTime,
  parseScheduleExpression,
  type ScheduleExpression,
} from './expression.ts';
import { isTimeZone } from './zone.ts';

/** Time as the scheduler sees it; tests pass a fake one. */
export interface SchedulerClock {
  now(): number;
  setTimer(fire: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

/**
 * Hands an event to the asynchronous invoker, which applies Lambda's retries of function errors from the
 * function's `EventInvokeConfig`. The schedule's own `RetryPolicy` is EventBridge's retry of a failed
 * delivery (Lambda unreachable), which cannot happen locally, so it is not passed on.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export type InvokeAsync = (functionId: string, event: unknown) => void;

export interface SchedulerOptions {
  /** The application's schedules and identity; an AppModel fits. */
  readonly app: StackIdentity & { readonly schedules: readonly ScheduleModel[] };
  readonly invokeAsync: InvokeAsync;
  readonly clock?: SchedulerClock;
  /** Where in a flexible time window each invocation falls, in [0, 1); tests pass a fixed one. */
  readonly random?: () => number;
  readonly log?: Logger;
}

/** A schedule whose expression AWS would reject; one line per problem, each naming the event. */
export class ScheduleValidationError extends Error {
  override readonly name = 'ScheduleValidationError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

// setTimeout fires at once when given more than 2^31 - 1 ms, so longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

const systemClock = {
  now: () => Date.now(),
  setTimer(fire: () => void, ms: number): NodeJS.Timeout {
    return setTimeout(fire, ms).unref();
  },
  clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
  },
};

function eventLabel(schedule: ScheduleModel): string {
  return `${schedule.functionId}.Events.${schedule.eventId}`;
}

function contextOf(schedule: ScheduleModel, startedAt: number): EvaluationContext {
  if (schedule.kind === 'Schedule') return { timezone: 'UTC', startedAt };
  return {
    timezone: schedule.timezone,
    startedAt,
    rateFiresAtStart: true,
    ...(schedule.startDate !== undefined && { startDate: schedule.startDate }),
    ...(schedule.endDate !== undefined && { endDate: schedule.endDate }),
  };
}

function parse(schedule: ScheduleModel): ScheduleExpression {
  if (schedule.kind === 'ScheduleV2' && !isTimeZone(schedule.timezone)) {
    throw new InvalidScheduleExpressionError(
      schedule.expression,
      `ScheduleExpressionTimezone "${schedule.timezone}" is not an IANA time zone`,
    );
  }
  return parseScheduleExpression(schedule.expression, schedule.kind);
}

/**
 * Checks every schedule's expression (and ScheduleV2 time zone) before anything starts; throws a
 * ScheduleValidationError naming each event at fault, e.g. `Fn.Events.Tick: rate(1 minutes): …`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */
export function validateSchedules(schedules: readonly ScheduleModel[]): void {
  const problems: string[] = [];
  for (const schedule of schedules) {
    try {
      parse(schedule);
    } catch (error) {
      if (!(error instanceof InvalidScheduleExpressionError)) throw error;
      problems.push(`${eventLabel(schedule)}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ScheduleValidationError(problems);
}

function formatFireTimes(times: readonly number[]): string {
  return times
    .map((time, index) => {
      const text = eventTime(new Date(time));
      const previous = times[index - 1];
      const sameDay =
        previous !== undefined && eventTime(new Date(previous)).slice(0, 10) === text.slice(0, 10);
      return sameDay ? text.slice(11) : text;
    })
    .join(', ');
}

/**
 * One start-up line: `PriceTickerFunction (Every5Minutes)  rate(5 minutes)  next: 2026-11-21T10:45:00Z, 10:50:00Z,
 * 10:55:00Z`, times in UTC, rates counted from `now`. Assumes a valid expression (see validateSchedules).
 */
export function describeSchedule(schedule: ScheduleModel, now: Date, count = 3): string {
  const zone = schedule.kind === 'ScheduleV2' && schedule.timezone !== 'UTC' ? ` [${schedule.timezone}]` : '';
  const head = `${schedule.functionId} (${schedule.eventId})  ${schedule.expression}${zone}`;
  if (!schedule.enabled) return `${head}  disabled`;
  // From just before now: a Scheduler rate fires at its start.
  const from = now.getTime() - 1;
  const times = fireTimesAfter(parse(schedule), from, count, contextOf(schedule, now.getTime()));
  const window =
    schedule.flexibleWindowMinutes === undefined
      ? ''
      : `  (each up to ${schedule.flexibleWindowMinutes} min later: FlexibleTimeWindow)`;
  return times.length === 0
    ? `${head}  next: never (no fire time left)`
    : `${head}  next: ${formatFireTimes(times)}${window}`;
}

interface Entry {
  readonly schedule: ScheduleModel;
  readonly expression: ScheduleExpression;
}

/**
 * Fires each enabled schedule at its times by handing its event to `invokeAsync`. Times missed while the process
 * was suspended are not replayed; an invoker that throws is logged and the schedule keeps going.
 */
export class Scheduler {
  readonly #entries: readonly Entry[];
  readonly #app: SchedulerOptions['app'];
  readonly #invokeAsync: InvokeAsync;
  readonly #clock: SchedulerClock;
  readonly #random: () => number;
  readonly #log: Logger | undefined;
  readonly #timers = new Map<Entry, unknown>();
  /** Invocations waiting out their place in a flexible time window. */
  readonly #delayed = new Set<unknown>();
  #startedAt: number | undefined;

  /** Throws ScheduleValidationError when an expression is invalid. */
  constructor(options: SchedulerOptions) {
    validateSchedules(options.app.schedules);
    this.#entries = options.app.schedules.map((schedule) => ({ schedule, expression: parse(schedule) }));
    this.#app = options.app;
    this.#invokeAsync = options.invokeAsync;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.log;
  }

  /** Arms every enabled schedule; rates count from now. Calling it again while running does nothing. */
  start(): void {
    if (this.#startedAt !== undefined) return;
    const startedAt = this.#clock.now();
    this.#startedAt = startedAt;
    for (const entry of this.#entries) {
      // From just before the start: a Scheduler rate without a StartDate fires at once.
      if (entry.schedule.enabled) this.#armNext(entry, startedAt - 1);
    }
  }

  /** Clears every timer; nothing fires afterwards until `start()` is called again. */
  stop(): void {
    for (const timer of [...this.#timers.values(), ...this.#delayed]) this.#clock.clearTimer(timer);
    this.#timers.clear();
    this.#delayed.clear();
    this.#startedAt = undefined;
  }

  /** The next `count` fire times of an enabled schedule (none for a disabled one), from now. */
  nextFireTimes(schedule: ScheduleModel, count: number): Date[] {
    const entry = this.#entries.find(
      (candidate) =>
        candidate.schedule.functionId === schedule.functionId &&
        candidate.schedule.eventId === schedule.eventId,
    );
    if (entry === undefined)
      throw new Error(`${eventLabel(schedule)} is not one of this scheduler's schedules`);
    if (!entry.schedule.enabled) return [];
    const now = this.#clock.now();
    return fireTimesAfter(
      entry.expression,
      now,
      count,
      contextOf(entry.schedule, this.#startedAt ?? now),
    ).map((time) => new Date(time));
  }

  #armNext(entry: Entry, after: number): void {
    if (this.#startedAt === undefined) return;
    const fireAt = nextFireTime(entry.expression, after, contextOf(entry.schedule, this.#startedAt));
    if (fireAt === undefined) {
      this.#timers.delete(entry);
      return;
    }
    this.#arm(entry, fireAt);
  }

  #arm(entry: Entry, fireAt: number): void {
    const delay = Math.min(Math.max(fireAt - this.#clock.now(), 0), MAX_TIMER_MS);
    this.#timers.set(
      entry,
      this.#clock.setTimer(() => this.#onTimer(entry, fireAt), delay),
    );
  }

  #onTimer(entry: Entry, fireAt: number): void {
    if (this.#startedAt === undefined) return;
    const now = this.#clock.now();
    // A chained long wait, or a timer that ran a little early: wait for the rest.
    if (now < fireAt) {
      this.#arm(entry, fireAt);
      return;
    }
    this.#armNext(entry, Math.max(fireAt, now));
    const windowMinutes = entry.schedule.flexibleWindowMinutes;
    if (windowMinutes === undefined) {
      this.#fire(entry, fireAt);
      return;
    }
    // Scheduler invokes the target somewhere within the window after the scheduled time; the event still
    // carries the scheduled time.
    const delay = Math.floor(this.#random() * windowMinutes * 60_000);
    const timer = this.#clock.setTimer(() => {
      this.#delayed.delete(timer);
      this.#fire(entry, fireAt);
    }, delay);
    this.#delayed.add(timer);
  }

  #fire({ schedule }: Entry, fireAt: number): void {
    const { region, accountId, stackName } = this.#app;
    const time = new Date(fireAt);
    const window =
      schedule.flexibleWindowMinutes === undefined
        ? ''
        : `, ${Math.round((this.#clock.now() - fireAt) / 1000)} s into its flexible time window`;
    this.#log?.info(
      `${schedule.functionId} (${schedule.eventId}): scheduled event for ${eventTime(time)}${window}`,
    );
    try {
      const event = scheduledEvent(schedule, { region, accountId, stackName, fireTime: time });
      const result: unknown = this.#invokeAsync(schedule.functionId, event);
      // The invoker's type says void, but an async one returns a promise whose rejection must not go unheard.
      if (result instanceof Promise) result.catch((error: unknown) => this.#reportFailure(schedule, error));
    } catch (error) {
      this.#reportFailure(schedule, error);
    }
  }

  #reportFailure(schedule: ScheduleModel, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.#log?.error(
      `${schedule.functionId} (${schedule.eventId}): the scheduled invocation failed: ${reason}`,
    );
  }
}
