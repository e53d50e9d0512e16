import type { SchedulerClock } from '../../../emulator/schedule/scheduler.ts';
import type { ScheduleModel } from '../../../emulator/template/model.ts';

/** A ScheduleModel with the fields a test does not care about filled in. */
export function schedule(
  overrides: Partial<ScheduleModel> & Pick<ScheduleModel, 'expression'>,
): ScheduleModel {
  return {
    functionId: 'PriceTickerFunction',
    eventId: 'Every5Minutes',
    kind: 'Schedule',
    timezone: 'UTC',
    enabled: true,
    input: undefined,
    name: undefined,
    maximumRetryAttempts: undefined,
    ...overrides,
  };
}

export const at = (iso: string): number => Date.parse(iso);
export const iso = (time: number | Date): string => new Date(time).toISOString();

interface PendingTimer {
  readonly due: number;
  readonly fire: () => void;
}

/**
 * A clock whose time moves only when the test says; timers run in due order. `lateness` makes every timer run
 * that many ms after it was due, as a busy event loop does.
 */
export class FakeClock implements SchedulerClock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, PendingTimer>();
  /** Every delay passed to setTimer, in order. */
  readonly delays: number[] = [];
  lateness = 0;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fire: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.#now + ms + this.lateness, fire });
    this.delays.push(ms);
    return id;
  }

  clearTimer(timer: unknown): void {
    if (typeof timer === 'number') this.#timers.delete(timer);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Runs every timer due up to `time`, earliest first, then leaves the clock at `time`. */
  advanceTo(time: number): void {
    for (;;) {
      let nextId: number | undefined;
      let next: PendingTimer | undefined;
      for (const [id, timer] of this.#timers) {
        if (timer.due <= time && (next === undefined || timer.due < next.due)) {
          nextId = id;
          next = timer;
        }
      }
      if (next === undefined || nextId === undefined) break;
      this.#timers.delete(nextId);
      this.#now = next.due;
      next.fire();
    }
    this.#now = time;
  }
}
