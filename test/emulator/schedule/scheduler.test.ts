import { expect } from 'chai';
import sinon from 'sinon';
import type { Logger } from '../../../emulator/log.ts';
import {
  describeSchedule,
  type InvokeAsync,
  Scheduler,
  ScheduleValidationError,
  validateSchedules,
} from '../../../emulator/schedule/scheduler.ts';
import type { ScheduleModel } from '../../../emulator/template/model.ts';
import { isRecord } from '../../../emulator/template/values.ts';
import { at, FakeClock, iso, schedule } from './helpers.ts';

interface Invocation {
  readonly at: string;
  readonly functionId: string;
  readonly event: unknown;
}

const stack = { region: 'us-east-2', accountId: '123456789012', stackName: 'binance-price' };

function harness(
  schedules: readonly ScheduleModel[],
  start: string,
  invoke?: InvokeAsync,
  random?: () => number,
) {
  const clock = new FakeClock(at(start));
  const invocations: Invocation[] = [];
  const errors: string[] = [];
  const log: Logger = {
    info: () => {},
    warn: () => {},
    error: (line) => errors.push(line),
    function: () => {},
  };
  const scheduler = new Scheduler({
    app: { ...stack, schedules },
    clock,
    log,
    ...(random !== undefined && { random }),
    invokeAsync: (functionId, event) => {
      invocations.push({ at: iso(clock.now()), functionId, event });
      invoke?.(functionId, event);
    },
  });
  return { clock, scheduler, invocations, errors };
}

const timeOf = (event: unknown) => (isRecord(event) ? event.time : undefined);

describe('Scheduler', () => {
  it('fires a rate schedule one interval after start, then every interval, with the rule event', () => {
    const ticker = schedule({ expression: 'rate(5 minutes)', name: 'ticker', maximumRetryAttempts: 3 });
    const { clock, scheduler, invocations } = harness([ticker], '2026-11-21T10:40:00Z');
    scheduler.start();
    clock.advanceTo(at('2026-11-21T10:56:00Z'));
    expect(invocations.map((call) => call.at)).to.deep.equal([
      '2026-11-21T10:45:00.000Z',
      '2026-11-21T10:50:00.000Z',
      '2026-11-21T10:55:00.000Z',
    ]);
    const [first] = invocations;
    expect(first?.functionId).to.equal('PriceTickerFunction');
    expect(first?.event).to.deep.include({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      time: '2026-11-21T10:45:00Z',
      resources: ['arn:aws:events:us-east-2:123456789012:rule/ticker'],
      detail: {},
    });
  });

  it('fires a cron schedule at its exact times', () => {
    const mondays = schedule({ expression: 'cron(0 12 ? * 2 *)', eventId: 'Mondays' });
    const { clock, scheduler, invocations } = harness([mondays], '2026-11-21T10:42:17Z');
    scheduler.start();
    clock.advanceTo(at('2026-12-01T00:00:00Z'));
    expect(invocations.map((call) => call.at)).to.deep.equal([
      '2026-11-23T12:00:00.000Z',
      '2026-11-30T12:00:00.000Z',
    ]);
    expect(invocations.map((call) => timeOf(call.event))).to.deep.equal([
      '2026-11-23T12:00:00Z',
      '2026-11-30T12:00:00Z',
    ]);
  });

  it('puts the scheduled time in the event, not the time a late timer ran', () => {
    const { clock, scheduler, invocations } = harness(
      [schedule({ expression: 'cron(0/5 * * * ? *)' })],
      '2026-11-21T10:42:17Z',
    );
    clock.lateness = 1_500;
    scheduler.start();
    clock.advanceTo(at('2026-11-21T10:51:00Z'));
    expect(invocations.map((call) => call.at)).to.deep.equal([
      '2026-11-21T10:45:01.500Z',
      '2026-11-21T10:50:01.500Z',
    ]);
    expect(invocations.map((call) => timeOf(call.event))).to.deep.equal([
      '2026-11-21T10:45:00Z',
      '2026-11-21T10:50:00Z',
    ]);
  });

  it('sends a ScheduleV2 event with its Input filled in, on local time', () => {
    const report = schedule({
      expression: 'cron(0 9 ? * MON *)',
      kind: 'ScheduleV2',
      timezone: 'America/New_York',
      name: 'report',
      input: '{"due":"<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>"}',
    });
    const { clock, scheduler, invocations } = harness([report], '2026-11-21T10:42:17Z');
    scheduler.start();
    clock.advanceTo(at('2026-11-24T00:00:00Z'));
    expect(invocations).to.deep.equal([
      {
        at: '2026-11-23T14:00:00.000Z',
        functionId: 'PriceTickerFunction',
        event: {
          due: '2026-11-23T14:00:00Z',
          arn: 'arn:aws:scheduler:us-east-2:123456789012:schedule/default/report',
        },
      },
    ]);
  });

  describe('ScheduleV2 (EventBridge Scheduler)', () => {
    it('fires a rate at once when there is no StartDate, then every interval', () => {
      const tick = schedule({ expression: 'rate(5 minutes)', kind: 'ScheduleV2' });
      const { clock, scheduler, invocations } = harness([tick], '2026-11-21T10:42:17Z');
      scheduler.start();
      clock.advanceTo(at('2026-11-21T10:53:00Z'));
      expect(invocations.map((call) => call.at)).to.deep.equal([
        '2026-11-21T10:42:17.000Z',
        '2026-11-21T10:47:17.000Z',
        '2026-11-21T10:52:17.000Z',
      ]);
    });

    it('counts a rate from its StartDate, and stops before its EndDate', () => {
      const tick = schedule({
        expression: 'rate(10 minutes)',
        kind: 'ScheduleV2',
        startDate: at('2026-11-21T11:00:00Z'),
        endDate: at('2026-11-21T11:30:00Z'),
      });
      const { clock, scheduler, invocations } = harness([tick], '2026-11-21T10:42:17Z');
      scheduler.start();
      clock.advanceTo(at('2026-11-21T13:00:00Z'));
      expect(invocations.map((call) => call.at)).to.deep.equal([
        '2026-11-21T11:00:00.000Z',
        '2026-11-21T11:10:00.000Z',
        '2026-11-21T11:20:00.000Z',
      ]);
      expect(scheduler.nextFireTimes(tick, 3)).to.deep.equal([]);
    });

    it('fires cron times only from StartDate on, and fires a one-time at() whatever the dates say', () => {
      const hourly = schedule({
        expression: 'cron(0 * * * ? *)',
        kind: 'ScheduleV2',
        eventId: 'Hourly',
        startDate: at('2026-11-21T13:00:00Z'),
        endDate: at('2026-11-21T15:00:00Z'),
      });
      const once = schedule({
        expression: 'at(2026-11-21T12:30:00)',
        kind: 'ScheduleV2',
        eventId: 'Once',
        startDate: at('2026-11-21T13:00:00Z'),
        endDate: at('2026-11-21T12:00:00Z'),
      });
      const { clock, scheduler, invocations } = harness([hourly, once], '2026-11-21T10:42:17Z');
      scheduler.start();
      clock.advanceTo(at('2026-11-22T00:00:00Z'));
      expect(invocations.map((call) => call.at)).to.deep.equal([
        '2026-11-21T12:30:00.000Z',
        '2026-11-21T13:00:00.000Z',
        '2026-11-21T14:00:00.000Z',
      ]);
    });

    it('invokes within the FlexibleTimeWindow after each scheduled time, with the scheduled time in the event', () => {
      const flexible = schedule({
        expression: 'cron(0 12 * * ? *)',
        kind: 'ScheduleV2',
        name: 'noon',
        flexibleWindowMinutes: 10,
      });
      const draws = [0.5, 0.25];
      const { clock, scheduler, invocations } = harness(
        [flexible],
        '2026-11-21T10:42:17Z',
        undefined,
        () => draws.shift() ?? 0,
      );
      scheduler.start();
      clock.advanceTo(at('2026-11-22T13:00:00Z'));
      expect(invocations.map((call) => call.at)).to.deep.equal([
        '2026-11-21T12:05:00.000Z',
        '2026-11-22T12:02:30.000Z',
      ]);
      expect(invocations.map((call) => timeOf(call.event))).to.deep.equal([
        '2026-11-21T12:00:00Z',
        '2026-11-22T12:00:00Z',
      ]);
    });

    it('stop() also cancels an invocation still waiting in its flexible time window', () => {
      const flexible = schedule({
        expression: 'cron(0 12 * * ? *)',
        kind: 'ScheduleV2',
        flexibleWindowMinutes: 10,
      });
      const { clock, scheduler, invocations } = harness(
        [flexible],
        '2026-11-21T10:42:17Z',
        undefined,
        () => 0.9,
      );
      scheduler.start();
      clock.advanceTo(at('2026-11-21T12:01:00Z'));
      scheduler.stop();
      expect(clock.pendingTimers).to.equal(0);
      clock.advanceTo(at('2026-11-21T13:00:00Z'));
      expect(invocations).to.deep.equal([]);
    });
  });

  it('never fires a disabled schedule (Enabled: false or State: DISABLED)', () => {
    const disabled = schedule({ expression: 'rate(1 minute)', enabled: false });
    const enabled = schedule({ expression: 'rate(10 minutes)', eventId: 'Enabled' });
    const { clock, scheduler, invocations } = harness([disabled, enabled], '2026-11-21T10:40:00Z');
    scheduler.start();
    clock.advanceTo(at('2026-11-21T10:55:00Z'));
    expect(invocations.map((call) => call.at)).to.deep.equal(['2026-11-21T10:50:00.000Z']);
    expect(scheduler.nextFireTimes(disabled, 3)).to.deep.equal([]);
  });

  it('stop() clears every timer, and nothing fires after it', () => {
    const { clock, scheduler, invocations } = harness(
      [
        schedule({ expression: 'rate(1 minute)' }),
        schedule({ expression: 'cron(0 * * * ? *)', eventId: 'Hourly' }),
      ],
      '2026-11-21T10:40:00Z',
    );
    scheduler.start();
    clock.advanceTo(at('2026-11-21T10:41:30Z'));
    expect(clock.pendingTimers).to.equal(2);
    scheduler.stop();
    expect(clock.pendingTimers).to.equal(0);
    clock.advanceTo(at('2026-11-21T12:00:00Z'));
    expect(invocations.map((call) => call.at)).to.deep.equal(['2026-11-21T10:41:00.000Z']);
  });

  it('keeps firing after the invoker throws, and logs the failure', () => {
    let calls = 0;
    const { clock, scheduler, invocations, errors } = harness(
      [schedule({ expression: 'rate(1 minute)' })],
      '2026-11-21T10:40:00Z',
      () => {
        calls++;
        if (calls === 1) throw new Error('worker crashed');
      },
    );
    scheduler.start();
    clock.advanceTo(at('2026-11-21T10:42:00Z'));
    expect(invocations).to.have.lengthOf(2);
    expect(errors).to.deep.equal([
      'PriceTickerFunction (Every5Minutes): the scheduled invocation failed: worker crashed',
    ]);
  });

  it('waits in steps no longer than the 32-bit setTimeout limit and fires a far-off time exactly', () => {
    const newYear = schedule({ expression: 'cron(0 0 1 1 ? 2027)' });
    const { clock, scheduler, invocations } = harness([newYear], '2026-01-01T00:00:00Z');
    scheduler.start();
    clock.advanceTo(at('2026-12-31T23:59:59Z'));
    expect(invocations).to.deep.equal([]);
    clock.advanceTo(at('2028-01-01T00:00:00Z'));
    expect(invocations.map((call) => call.at)).to.deep.equal(['2027-01-01T00:00:00.000Z']);
    expect(Math.max(...clock.delays)).to.equal(2 ** 31 - 1);
    expect(clock.pendingTimers).to.equal(0);
  });

  it('does not fire a far-off time early on real (sinon-faked) setTimeout, which fires at once past 2^31-1 ms', () => {
    const timers = sinon.useFakeTimers({
      now: at('2026-01-01T00:00:00Z'),
      toFake: ['Date', 'setTimeout', 'clearTimeout'],
    });
    try {
      const fired: string[] = [];
      const scheduler = new Scheduler({
        app: { ...stack, schedules: [schedule({ expression: 'cron(0 0 1 1 ? 2027)' })] },
        invokeAsync: () => fired.push(new Date().toISOString()),
      });
      scheduler.start();
      timers.tick(at('2026-12-31T23:59:00Z') - Date.now());
      expect(fired).to.deep.equal([]);
      timers.tick(at('2027-01-02T00:00:00Z') - Date.now());
      expect(fired).to.deep.equal(['2027-01-01T00:00:00.000Z']);
      scheduler.stop();
    } finally {
      timers.restore();
    }
  });

  it('nextFireTimes gives the next times of a schedule from now, rates counted from the start', () => {
    const ticker = schedule({ expression: 'rate(5 minutes)' });
    const { clock, scheduler } = harness([ticker], '2026-11-21T10:42:17Z');
    scheduler.start();
    clock.advanceTo(at('2026-11-21T10:50:00Z'));
    expect(scheduler.nextFireTimes(ticker, 3).map(iso)).to.deep.equal([
      '2026-11-21T10:52:17.000Z',
      '2026-11-21T10:57:17.000Z',
      '2026-11-21T11:02:17.000Z',
    ]);
  });

  it('refuses to be built with an invalid expression', () => {
    expect(() => harness([schedule({ expression: 'rate(1 minutes)' })], '2026-11-21T10:40:00Z')).to.throw(
      ScheduleValidationError,
      'PriceTickerFunction.Events.Every5Minutes: rate(1 minutes): a value of 1 takes the singular unit: rate(1 minute)',
    );
  });
});

describe('validateSchedules', () => {
  it('names the function and event of each invalid expression, one line each', () => {
    const schedules = [
      schedule({ expression: 'rate(1 minutes)' }),
      schedule({ expression: 'rate(5 minutes)', eventId: 'Fine' }),
      schedule({ expression: 'cron(0 12 * * 2 *)', functionId: 'ReportFunction', eventId: 'Weekly' }),
      schedule({ expression: 'at(2027-01-01T00:00:00)', eventId: 'Once' }),
    ];
    try {
      validateSchedules(schedules);
      expect.fail('accepted');
    } catch (error) {
      expect(error).to.be.instanceOf(ScheduleValidationError);
      expect(error instanceof ScheduleValidationError ? error.problems : []).to.deep.equal([
        'PriceTickerFunction.Events.Every5Minutes: rate(1 minutes): a value of 1 takes the singular unit: rate(1 minute)',
        'ReportFunction.Events.Weekly: cron(0 12 * * 2 *): day-of-month and day-of-week cannot both be set; use ? in one of them',
        'PriceTickerFunction.Events.Once: at(2027-01-01T00:00:00): one-time at() schedules exist only in EventBridge Scheduler (Type: ScheduleV2)',
      ]);
    }
  });

  it('rejects a ScheduleV2 time zone that is not an IANA name', () => {
    expect(() =>
      validateSchedules([
        schedule({ expression: 'rate(5 minutes)', kind: 'ScheduleV2', timezone: 'Mars/Olympus' }),
      ]),
    ).to.throw(
      ScheduleValidationError,
      'PriceTickerFunction.Events.Every5Minutes: rate(5 minutes): ScheduleExpressionTimezone "Mars/Olympus" is not an IANA time zone',
    );
  });

  it('accepts valid rate, cron and ScheduleV2 at expressions', () => {
    expect(() =>
      validateSchedules([
        schedule({ expression: 'rate(5 minutes)' }),
        schedule({ expression: 'cron(0/5 8-17 ? * MON-FRI *)' }),
        schedule({ expression: 'at(2027-01-01T00:00:00)', kind: 'ScheduleV2', timezone: 'Europe/Paris' }),
      ]),
    ).to.not.throw();
  });
});

describe('describeSchedule', () => {
  const now = new Date('2026-11-21T10:40:00Z');

  it('lists the next three fire times in UTC, repeating the date only when it changes', () => {
    expect(describeSchedule(schedule({ expression: 'rate(5 minutes)' }), now)).to.equal(
      'PriceTickerFunction (Every5Minutes)  rate(5 minutes)  next: 2026-11-21T10:45:00Z, 10:50:00Z, 10:55:00Z',
    );
    expect(
      describeSchedule(schedule({ expression: 'cron(0 12 ? * 2 *)', eventId: 'Mondays' }), now),
    ).to.equal(
      'PriceTickerFunction (Mondays)  cron(0 12 ? * 2 *)  next: 2026-11-23T12:00:00Z, 2026-11-30T12:00:00Z, 2026-12-07T12:00:00Z',
    );
  });

  it('shows a ScheduleV2 time zone and gives the times in UTC', () => {
    const report = schedule({
      expression: 'cron(0 9 ? * MON *)',
      kind: 'ScheduleV2',
      timezone: 'America/New_York',
    });
    expect(describeSchedule(report, now, 1)).to.equal(
      'PriceTickerFunction (Every5Minutes)  cron(0 9 ? * MON *) [America/New_York]  next: 2026-11-23T14:00:00Z',
    );
  });

  it('reads a Schedule (EventBridge rule) in UTC whatever its time zone field says', () => {
    const rule = schedule({ expression: 'cron(0 9 ? * MON *)', timezone: 'America/New_York' });
    expect(describeSchedule(rule, now, 1)).to.equal(
      'PriceTickerFunction (Every5Minutes)  cron(0 9 ? * MON *)  next: 2026-11-23T09:00:00Z',
    );
  });

  it('lists a Scheduler rate from now, since it fires at once, and names a flexible time window', () => {
    const tick = schedule({ expression: 'rate(5 minutes)', kind: 'ScheduleV2', flexibleWindowMinutes: 15 });
    expect(describeSchedule(tick, now)).to.equal(
      'PriceTickerFunction (Every5Minutes)  rate(5 minutes)  next: 2026-11-21T10:40:00Z, 10:45:00Z, 10:50:00Z  (each up to 15 min later: FlexibleTimeWindow)',
    );
  });

  it('says when a schedule is disabled or will not fire again', () => {
    expect(describeSchedule(schedule({ expression: 'rate(5 minutes)', enabled: false }), now)).to.equal(
      'PriceTickerFunction (Every5Minutes)  rate(5 minutes)  disabled',
    );
    expect(describeSchedule(schedule({ expression: 'cron(0 0 1 1 ? 2020)' }), now)).to.equal(
      'PriceTickerFunction (Every5Minutes)  cron(0 0 1 1 ? 2020)  next: never (no fire time left)',
    );
  });
});
