import { expect } from 'chai';
import fc from 'fast-check';
import { daysSelected } from '../../emulator/schedule/cron.ts';
import {
  InvalidScheduleExpressionError,
  nextFireTime,
  parseScheduleExpression,
  type ScheduleExpression,
  type ScheduleKind,
} from '../../emulator/schedule/expression.ts';
import { describeSchedule } from '../../emulator/schedule/scheduler.ts';
import { wallClockAt } from '../../emulator/schedule/zone.ts';
import type { ScheduleModel } from '../../emulator/template/model.ts';
import { nastyText, runs } from './arbitraries.ts';

/** Any one evaluation that takes longer than this is a hang in the making. */
const SLOW_MS = 250;
const LATEST_DATE_MS = 8.64e15;

const now = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2190, 0, 1) });
const kind = fc.constantFrom<ScheduleKind>('Schedule', 'ScheduleV2');
const zone = fc.constantFrom(
  'UTC',
  'Europe/London',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
);

const rateValue = fc.oneof(
  fc.integer({ min: 1, max: 1000 }).map(String),
  fc.bigInt({ min: 1n, max: 10n ** 20n }).map(String),
  fc.constantFrom('0', '-1', '1.5', '007', '1e3', '', ' ', 'one', '9007199254740993'),
);
const rateUnit = fc.constantFrom(
  'minute',
  'minutes',
  'hour',
  'hours',
  'day',
  'days',
  'Minutes',
  'week',
  'seconds',
  's',
  '',
);
const cronField = fc.oneof(
  fc.constantFrom(
    '*',
    '?',
    'L',
    'LW',
    'W',
    '15W',
    '6#3',
    '5L',
    '#',
    '/',
    '-',
    ',',
    'JAN-MAR',
    'MON-FRI',
    'SUN',
    'FRI-MON',
  ),
  fc.integer({ min: -2, max: 2300 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 })).map(([a, b]) => `${a}-${b}`),
  fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 })).map(([a, b]) => `${a}/${b}`),
  fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 2, maxLength: 4 }).map((values) => values.join(',')),
);
const atBody = fc.oneof(
  fc
    .date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2199, 11, 31)), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 19)),
  fc.constantFrom('2027-02-29T09:30:00', '2027-13-01T00:00:00', '2027-01-01', '2027-01-01T24:00:00', ''),
);

/** A field of values from `min` to `max`: `*`, a value, a range, a start with a step, or a list. */
function numericField(min: number, max: number, step = true): fc.Arbitrary<string> {
  const value = fc.integer({ min, max });
  const forms = [
    fc.constant('*'),
    value.map(String),
    fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.array(value, { minLength: 2, maxLength: 4 }).map((values) => values.join(',')),
  ];
  if (step)
    forms.push(fc.tuple(value, fc.integer({ min: 1, max: max - min + 1 })).map(([a, b]) => `${a}/${b}`));
  return fc.oneof(...forms);
}

/** Valid AWS cron expressions: one of Day-of-month and Day-of-week is `?`. */
const validCron = fc
  .record({
    minutes: numericField(0, 59),
    hours: numericField(0, 23),
    byMonthDay: fc.boolean(),
    dayOfMonth: fc.oneof(
      numericField(1, 31),
      fc.constantFrom('L', 'LW'),
      fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`),
    ),
    dayOfWeek: fc.oneof(
      numericField(1, 7, false),
      fc.constantFrom('MON-FRI', 'SUN', 'SAT,SUN', 'L'),
      fc.integer({ min: 1, max: 7 }).map((d) => `${d}L`),
      fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d}#${n}`),
    ),
    month: fc.oneof(numericField(1, 12), fc.constantFrom('JAN-MAR', 'DEC', 'feb')),
    year: fc.oneof(fc.constant('*'), numericField(1970, 2199)),
  })
  .map(
    ({ minutes, hours, byMonthDay, dayOfMonth, dayOfWeek, month, year }) =>
      `cron(${minutes} ${hours} ${byMonthDay ? dayOfMonth : '?'} ${month} ${byMonthDay ? '?' : dayOfWeek} ${year})`,
  );

/** Valid rates, up to values far beyond any calendar. */
const validRate = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
    fc.constantFrom('minute', 'hour', 'day'),
  )
  .map(([value, unit]) => `rate(${value} ${value === 1 ? unit : `${unit}s`})`);

/** Expressions near the grammar (most valid, many not) and arbitrary text. */
const expressionText = fc.oneof(
  { weight: 3, arbitrary: validRate },
  { weight: 3, arbitrary: validCron },
  { weight: 3, arbitrary: fc.tuple(rateValue, rateUnit).map(([value, unit]) => `rate(${value} ${unit})`) },
  {
    weight: 4,
    arbitrary: fc
      .array(cronField, { minLength: 5, maxLength: 7 })
      .map((fields) => `cron(${fields.join(' ')})`),
  },
  { weight: 1, arbitrary: atBody.map((body) => `at(${body})`) },
  { weight: 2, arbitrary: nastyText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => `cron(${text})`) },
);

function timed<T>(run: () => T): T {
  const started = performance.now();
  const result = run();
  expect(performance.now() - started, 'evaluation time (ms)').to.be.below(SLOW_MS);
  return result;
}

/** Parses, or says why not with AWS's kind of message; anything else thrown is a crash. */
function parseOrReject(text: string, as: ScheduleKind): ScheduleExpression | undefined {
  try {
    return timed(() => parseScheduleExpression(text, as));
  } catch (error) {
    if (!(error instanceof InvalidScheduleExpressionError)) throw error;
    expect(error.message.startsWith(`${text}: `)).to.equal(true);
    expect(error.reason).to.be.a('string').and.not.be.empty;
    return undefined;
  }
}

function scheduleModel(expression: string, as: ScheduleKind, timezone: string): ScheduleModel {
  return {
    functionId: 'TickerFunction',
    eventId: 'Tick',
    kind: as,
    expression,
    timezone: as === 'ScheduleV2' ? timezone : 'UTC',
    enabled: true,
    input: undefined,
    name: undefined,
    maximumRetryAttempts: undefined,
  };
}

describe('schedule expressions under arbitrary input (property-based, fast-check)', () => {
  it('rejects any string that is not an expression with a message naming it, and never crashes or hangs', () => {
    fc.assert(
      fc.property(expressionText, kind, (text, as) => {
        parseOrReject(text, as);
      }),
      runs(2000),
    );
  });

  it('gives every valid expression a next fire time later than now, on a real date, or none; and the start-up line never throws', () => {
    let fired = 0;
    const options = runs(1500);
    fc.assert(
      fc.property(expressionText, kind, zone, now, (text, as, timezone, after) => {
        const expression = parseOrReject(text, as);
        if (expression === undefined) return;
        const context = { timezone: as === 'ScheduleV2' ? timezone : 'UTC', startedAt: after };
        const next = timed(() => nextFireTime(expression, after, context));
        if (next !== undefined) {
          fired++;
          expect(next).to.be.above(after);
          expect(next).to.be.at.most(LATEST_DATE_MS);
          expect(new Date(next).toISOString()).to.be.a('string');
        }
        timed(() => describeSchedule(scheduleModel(text, as, timezone), new Date(after)));
      }),
      options,
    );
    expect(fired).to.be.at.least(options.numRuns / 10);
  });

  it('fires a rate one whole interval after the start, then every interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom('minute', 'hour', 'day'),
        now,
        fc.integer({ min: 0, max: 10 ** 12 }),
        (value, unit, startedAt, elapsed) => {
          const expression = parseScheduleExpression(
            `rate(${value} ${value === 1 ? unit : `${unit}s`})`,
            'Schedule',
          );
          if (expression.type !== 'rate') return expect.fail('not a rate');
          const after = startedAt + elapsed;
          const next = nextFireTime(expression, after, { timezone: 'UTC', startedAt });
          if (next === undefined) return expect.fail('a rate always fires again');
          expect(next).to.be.above(after);
          expect(next - after).to.be.at.most(expression.intervalMs);
          expect((next - startedAt) % expression.intervalMs).to.equal(0);
        },
      ),
      runs(500),
    );
  });

  it('fires a cron expression, in any time zone, on a whole minute of a local time every field allows', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          validCron,
          fc.array(cronField, { minLength: 6, maxLength: 6 }).map((fields) => `cron(${fields.join(' ')})`),
        ),
        zone,
        now,
        (text, timezone, after) => {
          const expression = parseOrReject(text, 'ScheduleV2');
          if (expression === undefined || expression.type !== 'cron') return;
          const next = timed(() => nextFireTime(expression, after, { timezone, startedAt: after }));
          if (next === undefined) return;
          const { cron } = expression;
          const local = wallClockAt(next, timezone);
          expect(next).to.be.above(after);
          expect(local.second).to.equal(0);
          expect(cron.minutes).to.include(local.minute);
          expect(cron.hours).to.include(local.hour);
          expect(cron.months).to.include(local.month);
          expect(cron.years).to.include(local.year);
          expect(daysSelected(cron.days, local.year, local.month)).to.include(local.day);
        },
      ),
      runs(1500),
    );
  });
});
