/**
 * Lambda's asynchronous invocation: the event is queued, the caller is answered at once, and the function runs
 * in the background with Lambda's retries. Used by `Event` invocations of the Invoke endpoint and by schedules.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
import { randomUUID } from 'node:crypto';
import { UnknownFunctionError } from '../app.ts';
import type { Logger } from '../log.ts';
import { type ErrorPayload, TooManyRequestsError } from '../runtime/pool.ts';
import { type AsyncDestination, DESTINATION_ROLES } from '../template/model.ts';
import type { InvokeTarget } from './target.ts';

/** Retries after a function error when neither the caller nor `EventInvokeConfig` says otherwise. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
/** Six hours: how long Lambda keeps an event by default. */
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;
/** Lambda waits one minute before the first retry after a function error and two before the second. */
export const FUNCTION_ERROR_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/** After a throttle, the wait starts at one second and doubles up to five minutes. */
export const THROTTLE_FIRST_DELAY_MS = 1000;
export const THROTTLE_MAX_DELAY_MS = 300_000;

export interface AsyncInvokeOptions {
  /** Overrides the function's `EventInvokeConfig.MaximumRetryAttempts`; brought within Lambda's 0 to 2. */
  readonly maximumRetryAttempts?: number;
  /** Overrides the function's `EventInvokeConfig.MaximumEventAgeInSeconds`; brought within 60 to 21600. */
  readonly maximumEventAgeInSeconds?: number;
  /** The request id every attempt runs with (Lambda keeps it across retries); defaults to a new UUID. */
  readonly requestId?: string;
  /** `context.invokedFunctionArn`, when the caller named a qualifier. */
  readonly invokedFunctionArn?: string;
}

/**
 * How an event ended: `succeeded`; `failed` after its last retry; `expired` past its maximum age; `discarded`
 * because its function is not in the template (any more); `cancelled` because the invoker stopped.
 */
export type AsyncStatus = 'succeeded' | 'failed' | 'expired' | 'discarded' | 'cancelled';

export interface AsyncResult {
  readonly requestId: string;
  readonly functionId: string;
  readonly status: AsyncStatus;
  /** Times the function ran (throttled attempts never reached it). */
  readonly attempts: number;
  /** The last function error, if any. */
  readonly error: ErrorPayload | undefined;
}

export interface AsyncInvocation {
  readonly requestId: string;
  /** Resolves once the event has ended, however it ended; never rejects. */
  readonly settled: Promise<AsyncResult>;
}

export interface AsyncInvokerOptions {
  /** The application now; read at each attempt, so that retries run the reloaded template. */
  app(): InvokeTarget;
  readonly log: Logger;
  /**
   * Compresses Lambda's queue timeline: each wait lasts `delay × scale` (0.001 turns the one-minute retry into
   * 60 ms). An event's age still counts every wait at its full length, so `MaximumEventAgeInSeconds` keeps the
   * meaning it has on AWS. Default 1.
   */
  readonly retryDelayScale?: number;
}

interface QueuedEvent {
  readonly requestId: string;
  readonly functionId: string;
  readonly payload: unknown;
  readonly invokedFunctionArn: string | undefined;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeMs: number;
  readonly enqueuedAt: number;
  /** How much longer than the real time the event has aged: the part of each wait that the scale skipped. */
  skippedMs: number;
  attempts: number;
  throttles: number;
  error: ErrorPayload | undefined;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: (result: AsyncResult) => void;
}

/**
 * Lambda's asynchronous event queue for one emulator: retries after function errors (by default twice, one
 * then two minutes later), retries throttled events with exponential backoff, and drops events older than their
 * maximum age. Failed and expired events are logged where Lambda would send them to an on-failure destination
 * or dead-letter queue. Timers are unref'd: a pending retry alone does not keep the process alive.
 */
export class AsyncInvoker {
  readonly #app: () => InvokeTarget;
  readonly #log: Logger;
  readonly #scale: number;
  readonly #events = new Set<QueuedEvent>();
  readonly #running = new Set<Promise<void>>();
  readonly #listeners = new Set<(result: AsyncResult) => void>();
  #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(options: AsyncInvokerOptions) {
    const scale = options.retryDelayScale ?? 1;
    if (!Number.isFinite(scale) || scale < 0)
      throw new RangeError(`retryDelayScale must be a number ≥ 0, got ${scale}`);
    this.#app = options.app;
    this.#log = options.log;
    this.#scale = scale;
  }

  /** Events queued, waiting for a retry or running. */
  get pending(): number {
    return this.#events.size;
  }

  /**
   * Queues an event for `functionId` (a logical id) and starts its first attempt; retries follow Lambda's rules
   * with the function's `EventInvokeConfig` unless `options` override it.
   */
  invokeAsync(functionId: string, payload: unknown, options: AsyncInvokeOptions = {}): AsyncInvocation {
    const requestId = options.requestId ?? randomUUID();
    let resolve: (result: AsyncResult) => void = () => {};
    const settled = new Promise<AsyncResult>((done) => {
      resolve = done;
    });
    const fn = this.#app().model.functions.get(functionId);
    const where = `${functionId} (async ${requestId})`;
    const retries = this.#withinRange(where, 'maximumRetryAttempts', options.maximumRetryAttempts, 0, 2);
    const maximumAge = this.#withinRange(
      where,
      'maximumEventAgeInSeconds',
      options.maximumEventAgeInSeconds,
      60,
      DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    );
    const event: QueuedEvent = {
      requestId,
      functionId,
      payload,
      invokedFunctionArn: options.invokedFunctionArn,
      maximumRetryAttempts: retries ?? fn?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeMs:
        (maximumAge ?? fn?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000,
      enqueuedAt: performance.now(),
      skippedMs: 0,
      attempts: 0,
      throttles: 0,
      error: undefined,
      timer: undefined,
      resolve,
    };
    this.#events.add(event);
    if (this.#stopped) {
      this.#log.warn(`${label(event)}: not queued, the Lambda service is stopping`);
      this.#settle(event, 'cancelled');
    } else if (fn === undefined) {
      this.#log.error(`${label(event)}: discarded, the template has no function ${functionId}`);
      this.#settle(event, 'discarded');
    } else {
      this.#run(event);
    }
    return { requestId, settled };
  }

  /** Calls `listener` with the result of every event that ends from now on; returns the unsubscribe. */
  onSettled(listener: (result: AsyncResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when no event is queued, waiting or running. */
  idle(): Promise<void> {
    if (this.#events.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Refuses new events and cancels the retries that are waiting (one log line each, as their events are lost
   * the way an unprocessed queue is); attempts already running are awaited, each bounded by its function's
   * timeout, and not retried.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const event of [...this.#events]) {
      if (event.timer === undefined) continue;
      clearTimeout(event.timer);
      event.timer = undefined;
      this.#log.warn(`${label(event)}: pending retry cancelled, the Lambda service is stopping`);
      this.#settle(event, 'cancelled');
    }
    await Promise.all(this.#running);
  }

  /** An override within the range `EventInvokeConfig` allows; one outside it is brought in, with a warning. */
  #withinRange(
    where: string,
    name: string,
    value: number | undefined,
    min: number,
    max: number,
  ): number | undefined {
    if (value === undefined || (value >= min && value <= max)) return value;
    const bounded = Math.min(max, Math.max(min, Number.isFinite(value) ? value : max));
    this.#log.warn(`${where}: ${name} ${value} is outside Lambda's range ${min}–${max}; using ${bounded}`);
    return bounded;
  }

  #run(event: QueuedEvent): void {
    event.timer = undefined;
    const attempt = this.#attempt(event).catch((error: unknown) => {
      // #attempt handles every rejection of invoke; this is a bug in the invoker itself.
      this.#log.error(`${label(event)}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      this.#settle(event, 'discarded');
    });
    this.#running.add(attempt);
    void attempt.finally(() => this.#running.delete(attempt));
  }

  async #attempt(event: QueuedEvent): Promise<void> {
    let outcome: Awaited<ReturnType<InvokeTarget['invoke']>>;
    try {
      outcome = await this.#app().invoke(event.functionId, {
        payload: event.payload,
        requestId: event.requestId,
        invokedFunctionArn: event.invokedFunctionArn,
      });
    } catch (error) {
      if (error instanceof UnknownFunctionError) {
        this.#log.error(`${label(event)}: discarded, ${event.functionId} is no longer in the template`);
        this.#settle(event, 'discarded');
        return;
      }
      // Throttles and service-side failures (a pool closing during a reload, say) go back to the queue.
      const delay = Math.min(THROTTLE_FIRST_DELAY_MS * 2 ** event.throttles, THROTTLE_MAX_DELAY_MS);
      event.throttles++;
      const reason =
        error instanceof TooManyRequestsError
          ? `throttled (${error.message})`
          : `not invoked (${error instanceof Error ? error.message : String(error)})`;
      this.#retryLater(event, delay, reason);
      return;
    }
    event.attempts++;
    if (outcome.kind === 'success') {
      const retried = event.attempts > 1 ? ` on attempt ${event.attempts}` : '';
      const onSuccess = this.#app().model.functions.get(event.functionId)?.destinations?.onSuccess;
      const sent =
        onSuccess === undefined
          ? ''
          : `; Lambda would now send its record to ${describeDestination(onSuccess, DESTINATION_ROLES.onSuccess)}, not sent locally`;
      this.#log.info(`${label(event)}: succeeded${retried}${sent}`);
      event.error = undefined;
      this.#settle(event, 'succeeded');
      return;
    }
    event.error = outcome.error;
    const failure = `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
    const total = event.maximumRetryAttempts + 1;
    if (event.attempts >= total) {
      this.#log.error(
        `${label(event)}: failed after ${plural(event.attempts, 'attempt')} (${failure}); ` +
          this.#failureDestinations(event),
      );
      this.#settle(event, 'failed');
      return;
    }
    const delay =
      FUNCTION_ERROR_RETRY_DELAYS_MS[event.attempts - 1] ?? FUNCTION_ERROR_RETRY_DELAYS_MS.at(-1) ?? 0;
    this.#retryLater(event, delay, `attempt ${event.attempts} of ${total} failed (${failure})`);
  }

  /** Waits `delayMs` on Lambda's timeline, or drops the event when it would then be past its maximum age. */
  #retryLater(event: QueuedEvent, delayMs: number, reason: string): void {
    if (this.#stopped) {
      this.#log.warn(`${label(event)}: ${reason}; not retried, the Lambda service is stopping`);
      this.#settle(event, 'cancelled');
      return;
    }
    const ageAtRetry = performance.now() - event.enqueuedAt + event.skippedMs + delayMs;
    if (ageAtRetry > event.maximumEventAgeMs) {
      this.#log.error(
        `${label(event)}: ${reason}; dropped, it would be ${formatSeconds(ageAtRetry)} old at its next attempt, ` +
          `past its maximum event age of ${formatSeconds(event.maximumEventAgeMs)}; ` +
          this.#failureDestinations(event),
      );
      this.#settle(event, 'expired');
      return;
    }
    const realMs = delayMs * this.#scale;
    event.skippedMs += delayMs - realMs;
    const scaled = this.#scale === 1 ? '' : ` (${formatMs(realMs)} at retry delay scale ${this.#scale})`;
    this.#log.warn(`${label(event)}: ${reason}; retrying in ${formatSeconds(delayMs)}${scaled}`);
    event.timer = setTimeout(() => this.#run(event), realMs);
    event.timer.unref();
  }

  /**
   * Where Lambda sends the record of an event it gives up on: the on-failure destination and the dead-letter
   * queue (both, when both are set), else nowhere.
   * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
   */
  #failureDestinations(event: QueuedEvent): string {
    const destinations = this.#app().model.functions.get(event.functionId)?.destinations;
    const targets = [
      destinations?.onFailure === undefined
        ? undefined
        : describeDestination(destinations.onFailure, DESTINATION_ROLES.onFailure),
      destinations?.deadLetterQueue === undefined
        ? undefined
        : describeDestination(destinations.deadLetterQueue, DESTINATION_ROLES.deadLetterQueue),
    ].filter((target) => target !== undefined);
    if (targets.length === 0) {
      return 'the function has no on-failure destination or dead-letter queue, so Lambda would discard it';
    }
    return `Lambda would now send its record to ${targets.join(' and ')}, not sent locally`;
  }

  #settle(event: QueuedEvent, status: AsyncStatus): void {
    if (!this.#events.delete(event)) return;
    const result: AsyncResult = {
      requestId: event.requestId,
      functionId: event.functionId,
      status,
      attempts: event.attempts,
      error: event.error,
    };
    event.resolve(result);
    for (const listener of this.#listeners) {
      try {
        listener(result);
      } catch (error) {
        this.#log.error(`async result listener: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.#events.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}

function label(event: QueuedEvent): string {
  return `${event.functionId} (async ${event.requestId})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

function formatMs(ms: number): string {
  return `${Number.isInteger(ms) ? ms : ms.toFixed(1)} ms`;
}

/** `PriceTickerFailureQueue (SQS, on-failure destination)`. */
export function describeDestination(destination: AsyncDestination, role: string): string {
  const name =
    destination.resourceId ??
    destination.arn ??
    `the ${destination.type === 'SNS' ? 'topic' : 'queue'} SAM generates for it`;
  return `${name} (${destination.type}, ${role})`;
}
