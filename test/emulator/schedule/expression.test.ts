import { expect } from 'chai';
import {
  fireTimesAfter,
  InvalidScheduleExpressionError,
  nextFireTime,
  parseScheduleExpression,
  type ScheduleKind,
} from '../../../emulator/schedule/expression.ts';
import { at, iso } from './helpers.ts';

/** A Saturday, mid-morning, off the minute. */
const SATURDAY_MORNING = '2026-11-21T10:42:17Z';

function fires(
  expression: string,
  from: string,
  count: number,
  options: { timezone?: string; kind?: ScheduleKind; startedAt?: string } = {},
): string[] {
  const parsed = parseScheduleExpression(expression, options.kind ?? 'Schedule');
  const context = { timezone: options.timezone ?? 'UTC', startedAt: at(options.startedAt ?? from) };
  return fireTimesAfter(parsed, at(from), count, context).map(iso);
}

function rejection(expression: string, kind: ScheduleKind = 'Schedule'): string {
  try {
    parseScheduleExpression(expression, kind);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidScheduleExpressionError);
    return error instanceof Error ? error.message : String(error);
  }
  return expect.fail(`${expression} was accepted`);
}

describe('rate expressions', () => {
  it('rate(1 minute) fires one minute after the start, then every minute', () => {
    expect(fires('rate(1 minute)', '2026-11-21T10:40:00Z', 3)).to.deep.equal([
      '2026-11-21T10:41:00.000Z',
      '2026-11-21T10:42:00.000Z',
      '2026-11-21T10:43:00.000Z',
    ]);
  });

  it('rate(5 minutes) counts from the start instant, not from the top of the hour', () => {
    expect(fires('rate(5 minutes)', SATURDAY_MORNING, 3)).to.deep.equal([
      '2026-11-21T10:47:17.000Z',
      '2026-11-21T10:52:17.000Z',
      '2026-11-21T10:57:17.000Z',
    ]);
  });

  it('keeps the start phase when asked for the next fire after a later instant', () => {
    const rate = parseScheduleExpression('rate(5 minutes)', 'Schedule');
    const next = nextFireTime(rate, at('2026-11-21T11:00:00Z'), {
      timezone: 'UTC',
      startedAt: at(SATURDAY_MORNING),
    });
    expect(next === undefined ? undefined : iso(next)).to.equal('2026-11-21T11:02:17.000Z');
  });

  it('rate(1 hour) and rate(2 days) use hours and 24-hour days', () => {
    expect(fires('rate(1 hour)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2026-11-21T11:42:17.000Z',
      '2026-11-21T12:42:17.000Z',
    ]);
    expect(fires('rate(2 days)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2026-11-23T10:42:17.000Z',
      '2026-11-25T10:42:17.000Z',
    ]);
  });

  it('a ScheduleV2 rate(1 day) stays 24 hours apart across a DST change, whatever its time zone', () => {
    expect(
      fires('rate(1 day)', '2026-03-07T12:00:00Z', 2, { timezone: 'America/New_York', kind: 'ScheduleV2' }),
    ).to.deep.equal(['2026-03-08T12:00:00.000Z', '2026-03-09T12:00:00.000Z']);
  });

  it('rejects a value of 1 with a plural unit', () => {
    expect(rejection('rate(1 minutes)')).to.equal(
      'rate(1 minutes): a value of 1 takes the singular unit: rate(1 minute)',
    );
  });

  it('rejects a value above 1 with a singular unit', () => {
    expect(rejection('rate(5 minute)')).to.equal(
      'rate(5 minute): a value above 1 takes the plural unit: rate(5 minutes)',
    );
    expect(rejection('rate(2 hour)')).to.equal(
      'rate(2 hour): a value above 1 takes the plural unit: rate(2 hours)',
    );
  });

  it('rejects a value that is not a positive whole number', () => {
    expect(rejection('rate(0 minutes)')).to.equal(
      'rate(0 minutes): the value must be a positive whole number, not "0"',
    );
    expect(rejection('rate(-5 minutes)')).to.equal(
      'rate(-5 minutes): the value must be a positive whole number, not "-5"',
    );
    expect(rejection('rate(1.5 hours)')).to.equal(
      'rate(1.5 hours): the value must be a positive whole number, not "1.5"',
    );
  });

  it('rejects seconds: nothing runs more often than once a minute', () => {
    expect(rejection('rate(30 seconds)')).to.equal(
      'rate(30 seconds): "seconds" is not a unit: use minute(s), hour(s) or day(s); nothing runs more often than once a minute',
    );
  });

  it('rejects a rate without exactly a value and a unit', () => {
    expect(rejection('rate(5)')).to.equal('rate(5): expected a value and a unit, e.g. rate(5 minutes)');
    expect(rejection('rate(5 minutes please)')).to.equal(
      'rate(5 minutes please): expected a value and a unit, e.g. rate(5 minutes)',
    );
  });

  it('rejects what is neither rate, cron nor at', () => {
    expect(rejection('every 5 minutes')).to.equal(
      'every 5 minutes: expected rate(value unit) or cron(6 fields)',
    );
    expect(rejection('every 5 minutes', 'ScheduleV2')).to.equal(
      'every 5 minutes: expected rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)',
    );
  });
});

describe('cron expressions in UTC', () => {
  it('cron(0 12 ? * 2 *) fires on Mondays at 12:00, day-of-week 1 being Sunday', () => {
    expect(fires('cron(0 12 ? * 2 *)', SATURDAY_MORNING, 3)).to.deep.equal([
      '2026-11-23T12:00:00.000Z',
      '2026-11-30T12:00:00.000Z',
      '2026-12-07T12:00:00.000Z',
    ]);
  });

  it('cron(0 10 L * ? *) fires on the last day of each month, February included', () => {
    expect(fires('cron(0 10 L * ? *)', SATURDAY_MORNING, 4)).to.deep.equal([
      '2026-11-30T10:00:00.000Z',
      '2026-12-31T10:00:00.000Z',
      '2027-01-31T10:00:00.000Z',
      '2027-02-28T10:00:00.000Z',
    ]);
  });

  it('cron(0 8 ? * 6#3 *) fires on the third Friday of each month', () => {
    // November's third Friday (the 20th) is already past on the 21st.
    expect(fires('cron(0 8 ? * 6#3 *)', SATURDAY_MORNING, 3)).to.deep.equal([
      '2026-12-18T08:00:00.000Z',
      '2027-01-15T08:00:00.000Z',
      '2027-02-19T08:00:00.000Z',
    ]);
  });

  it('cron(0 9 ? * 2#1 *) fires on the first Monday of each month', () => {
    expect(fires('cron(0 9 ? * 2#1 *)', SATURDAY_MORNING, 3)).to.deep.equal([
      '2026-12-07T09:00:00.000Z',
      '2027-01-04T09:00:00.000Z',
      '2027-02-01T09:00:00.000Z',
    ]);
  });

  it('skips months that have no fifth occurrence of a # weekday', () => {
    // Fifth Sundays: 2026-11-29, then none until 2027-01-31 and none again until 2027-05-30.
    expect(fires('cron(0 9 ? * 1#5 *)', SATURDAY_MORNING, 3)).to.deep.equal([
      '2026-11-29T09:00:00.000Z',
      '2027-01-31T09:00:00.000Z',
      '2027-05-30T09:00:00.000Z',
    ]);
  });

  it('cron(0 0 1 1 ? 2027) fires once, on 2027-01-01, and never after', () => {
    expect(fires('cron(0 0 1 1 ? 2027)', SATURDAY_MORNING, 3)).to.deep.equal(['2027-01-01T00:00:00.000Z']);
    expect(fires('cron(0 0 1 1 ? 2027)', '2027-01-01T00:00:00Z', 1)).to.deep.equal([]);
  });

  it('cron(15 10 * * ? *) fires daily at 10:15, later the same day when the start is before it', () => {
    expect(fires('cron(15 10 * * ? *)', '2026-11-21T10:00:00Z', 2)).to.deep.equal([
      '2026-11-21T10:15:00.000Z',
      '2026-11-22T10:15:00.000Z',
    ]);
    expect(fires('cron(15 10 * * ? *)', SATURDAY_MORNING, 1)).to.deep.equal(['2026-11-22T10:15:00.000Z']);
  });

  it('does not fire at the start instant itself: the next fire is strictly later', () => {
    expect(fires('cron(15 10 * * ? *)', '2026-11-21T10:15:00Z', 1)).to.deep.equal([
      '2026-11-22T10:15:00.000Z',
    ]);
  });

  it('cron(0 18 ? * MON-FRI *) fires on weekdays only, with day names', () => {
    expect(fires('cron(0 18 ? * MON-FRI *)', SATURDAY_MORNING, 6)).to.deep.equal([
      '2026-11-23T18:00:00.000Z',
      '2026-11-24T18:00:00.000Z',
      '2026-11-25T18:00:00.000Z',
      '2026-11-26T18:00:00.000Z',
      '2026-11-27T18:00:00.000Z',
      '2026-11-30T18:00:00.000Z',
    ]);
  });

  it('cron(0/5 8-17 ? * MON-FRI *) fires every 5 minutes from 08:00 to 17:55 on weekdays', () => {
    expect(fires('cron(0/5 8-17 ? * MON-FRI *)', '2026-11-20T17:52:00Z', 3)).to.deep.equal([
      '2026-11-20T17:55:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-23T08:05:00.000Z',
    ]);
  });

  it('a start value with / counts up from it: 10/20 in minutes is 10, 30, 50', () => {
    expect(fires('cron(10/20 * * * ? *)', '2026-11-21T10:00:00Z', 4)).to.deep.equal([
      '2026-11-21T10:10:00.000Z',
      '2026-11-21T10:30:00.000Z',
      '2026-11-21T10:50:00.000Z',
      '2026-11-21T11:10:00.000Z',
    ]);
  });

  it('month names, lists and steps select months; year steps select years', () => {
    expect(fires('cron(30 6 1 JAN,JUL ? *)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2027-01-01T06:30:00.000Z',
      '2027-07-01T06:30:00.000Z',
    ]);
    expect(fires('cron(0 0 1 */4 ? *)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2027-01-01T00:00:00.000Z',
      '2027-05-01T00:00:00.000Z',
    ]);
    expect(fires('cron(0 0 1 1 ? 2028/5)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2028-01-01T00:00:00.000Z',
      '2033-01-01T00:00:00.000Z',
    ]);
  });

  it('names are read without regard to case', () => {
    expect(fires('cron(0 18 ? * mon-fri *)', SATURDAY_MORNING, 1)).to.deep.equal([
      '2026-11-23T18:00:00.000Z',
    ]);
  });

  it('1W on a Saturday the 1st moves forward to Monday the 3rd, not back into the previous month', () => {
    // 2026-08-01 is a Saturday; 2026-09-01 a Tuesday.
    expect(fires('cron(0 9 1W * ? *)', '2026-07-15T00:00:00Z', 2)).to.deep.equal([
      '2026-08-03T09:00:00.000Z',
      '2026-09-01T09:00:00.000Z',
    ]);
  });

  it('W on a Sunday the last day of the month moves back to Friday, and skips months without that day', () => {
    // 2026-05-31 is a Sunday; June has no 31st; 2026-07-31 is a Friday.
    expect(fires('cron(0 9 31W * ? *)', '2026-05-01T00:00:00Z', 2)).to.deep.equal([
      '2026-05-29T09:00:00.000Z',
      '2026-07-31T09:00:00.000Z',
    ]);
  });

  it('15W is the 15th on a weekday, Friday the 14th for a Saturday, Monday the 16th for a Sunday', () => {
    // 2026-08-15 is a Saturday, 2026-09-15 a Tuesday, 2026-11-15 a Sunday.
    expect(fires('cron(0 9 15W * ? *)', '2026-08-01T00:00:00Z', 4)).to.deep.equal([
      '2026-08-14T09:00:00.000Z',
      '2026-09-15T09:00:00.000Z',
      '2026-10-15T09:00:00.000Z',
      '2026-11-16T09:00:00.000Z',
    ]);
  });

  it('LW is the last weekday of the month', () => {
    // 2026-05-31 is a Sunday, 2026-06-30 a Tuesday, 2026-01-31 a Saturday.
    expect(fires('cron(0 9 LW * ? *)', '2026-05-01T00:00:00Z', 2)).to.deep.equal([
      '2026-05-29T09:00:00.000Z',
      '2026-06-30T09:00:00.000Z',
    ]);
    expect(fires('cron(0 9 LW * ? *)', '2026-01-01T00:00:00Z', 1)).to.deep.equal([
      '2026-01-30T09:00:00.000Z',
    ]);
  });

  it('5L is the last Thursday of the month', () => {
    expect(fires('cron(0 9 ? * 5L *)', SATURDAY_MORNING, 3)).to.deep.equal([
      '2026-11-26T09:00:00.000Z',
      '2026-12-31T09:00:00.000Z',
      '2027-01-28T09:00:00.000Z',
    ]);
  });

  it('L alone in day-of-week is the last day of the week: every Saturday', () => {
    expect(fires('cron(0 9 ? * L *)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2026-11-28T09:00:00.000Z',
      '2026-12-05T09:00:00.000Z',
    ]);
  });

  it('cron(0 0 29 2 ? *) fires only in leap years, and 2100 is not one', () => {
    expect(fires('cron(0 0 29 2 ? *)', SATURDAY_MORNING, 2)).to.deep.equal([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
    expect(fires('cron(0 0 29 2 ? *)', '2097-01-01T00:00:00Z', 1)).to.deep.equal([
      '2104-02-29T00:00:00.000Z',
    ]);
  });

  it('an expression whose years are all past, or whose day never comes, never fires again', () => {
    expect(fires('cron(* * * * ? 1970-2020)', SATURDAY_MORNING, 1)).to.deep.equal([]);
    expect(fires('cron(0 0 30 2 ? *)', SATURDAY_MORNING, 1)).to.deep.equal([]);
  });
});

describe('cron syntax rules', () => {
  it('requires exactly six fields', () => {
    expect(rejection('cron(0 12 * * ?)')).to.equal(
      'cron(0 12 * * ?): expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got 5',
    );
    expect(rejection('cron(0 0 12 * * ? *)')).to.equal(
      'cron(0 0 12 * * ? *): expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got 7',
    );
    expect(rejection('cron()')).to.equal(
      'cron(): expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got 0',
    );
  });

  it('day-of-month and day-of-week cannot both be set', () => {
    expect(rejection('cron(0 12 * * 2 *)')).to.equal(
      'cron(0 12 * * 2 *): day-of-month and day-of-week cannot both be set; use ? in one of them',
    );
    expect(rejection('cron(0 12 * * * *)')).to.equal(
      'cron(0 12 * * * *): day-of-month and day-of-week cannot both be set; use ? in one of them',
    );
  });

  it('day-of-month and day-of-week cannot both be ?', () => {
    expect(rejection('cron(0 12 ? * ? *)')).to.equal(
      'cron(0 12 ? * ? *): day-of-month and day-of-week cannot both be ?; set one of them (* for every day)',
    );
  });

  it('rejects values out of each field range', () => {
    expect(rejection('cron(60 * * * ? *)')).to.equal(
      'cron(60 * * * ? *): minutes: 60 is out of range (0-59)',
    );
    expect(rejection('cron(0 24 * * ? *)')).to.equal('cron(0 24 * * ? *): hours: 24 is out of range (0-23)');
    expect(rejection('cron(0 0 32 * ? *)')).to.equal(
      'cron(0 0 32 * ? *): day-of-month: 32 is out of range (1-31)',
    );
    expect(rejection('cron(0 0 0 * ? *)')).to.equal(
      'cron(0 0 0 * ? *): day-of-month: 0 is out of range (1-31)',
    );
    expect(rejection('cron(0 0 1 13 ? *)')).to.equal(
      'cron(0 0 1 13 ? *): month: 13 is out of range (1-12 or JAN-DEC)',
    );
    expect(rejection('cron(0 0 ? * 0 *)')).to.equal(
      'cron(0 0 ? * 0 *): day-of-week: 0 is out of range (1-7 or SUN-SAT)',
    );
    expect(rejection('cron(0 0 ? * 8 *)')).to.equal(
      'cron(0 0 ? * 8 *): day-of-week: 8 is out of range (1-7 or SUN-SAT)',
    );
    expect(rejection('cron(0 0 1 1 ? 1969)')).to.equal(
      'cron(0 0 1 1 ? 1969): year: 1969 is out of range (1970-2199)',
    );
    expect(rejection('cron(0 0 1 1 ? 2200)')).to.equal(
      'cron(0 0 1 1 ? 2200): year: 2200 is out of range (1970-2199)',
    );
  });

  it('rejects names that are not month or day names, and names in the wrong field', () => {
    expect(rejection('cron(0 0 ? * FOO *)')).to.equal(
      'cron(0 0 ? * FOO *): day-of-week: "FOO" is not a value (1-7 or SUN-SAT)',
    );
    expect(rejection('cron(0 0 1 MON ? *)')).to.equal(
      'cron(0 0 1 MON ? *): month: "MON" is not a value (1-12 or JAN-DEC)',
    );
  });

  it('allows / in every field but day-of-week', () => {
    expect(rejection('cron(0 0 ? * 2/2 *)')).to.equal(
      'cron(0 0 ? * 2/2 *): day-of-week: / is not allowed in this field',
    );
  });

  it('rejects an increment of 0 or one larger than the field', () => {
    expect(rejection('cron(0/0 * * * ? *)')).to.equal(
      'cron(0/0 * * * ? *): minutes: the increment after / must be a whole number from 1 to 60, not "0"',
    );
    expect(rejection('cron(0 0/25 * * ? *)')).to.equal(
      'cron(0 0/25 * * ? *): hours: the increment after / must be a whole number from 1 to 24, not "25"',
    );
  });

  it('allows only one # item in day-of-week, with a week number from 1 to 5', () => {
    expect(rejection('cron(0 0 ? * 3#1,6#3 *)')).to.equal(
      'cron(0 0 ? * 3#1,6#3 *): day-of-week: "3#1,6#3": # takes one weekday and one week number (e.g. 6#3), and only one # item',
    );
    expect(rejection('cron(0 0 ? * 6#6 *)')).to.equal(
      'cron(0 0 ? * 6#6 *): day-of-week: "6#6": the number after # is the week of the month, 1-5',
    );
  });

  it('allows L and W only alone in day-of-month (L, LW, 15W)', () => {
    expect(rejection('cron(0 0 1-5W * ? *)')).to.equal(
      'cron(0 0 1-5W * ? *): day-of-month: "1-5W": L and W stand alone, as L, LW or a single day such as 15W (no lists or ranges)',
    );
    expect(rejection('cron(0 0 L,15 * ? *)')).to.equal(
      'cron(0 0 L,15 * ? *): day-of-month: "L,15": L and W stand alone, as L, LW or a single day such as 15W (no lists or ranges)',
    );
  });

  it('allows L in day-of-week only alone or after one weekday', () => {
    expect(rejection('cron(0 0 ? * 2,5L *)')).to.equal(
      'cron(0 0 ? * 2,5L *): day-of-week: "2,5L": L stands alone or after one weekday (e.g. 5L)',
    );
  });

  it('allows ? only in day-of-month and day-of-week', () => {
    expect(rejection('cron(? 0 * * ? *)')).to.equal(
      'cron(? 0 * * ? *): minutes: ? is only allowed in day-of-month and day-of-week',
    );
  });

  it('rejects ranges that run backwards', () => {
    expect(rejection('cron(0 0 ? * FRI-MON *)')).to.equal(
      'cron(0 0 ? * FRI-MON *): day-of-week: the range FRI-MON runs backwards; write it as two ranges in a , list',
    );
  });
});

describe('at expressions (ScheduleV2 one-time schedules)', () => {
  it('fire once at the local time of the schedule time zone', () => {
    expect(
      fires('at(2027-01-01T09:30:00)', SATURDAY_MORNING, 2, { kind: 'ScheduleV2', timezone: 'Asia/Tokyo' }),
    ).to.deep.equal(['2027-01-01T00:30:00.000Z']);
  });

  it('never fire when the time is already past', () => {
    expect(fires('at(2026-01-01T00:00:00)', SATURDAY_MORNING, 1, { kind: 'ScheduleV2' })).to.deep.equal([]);
  });

  it('are refused for an EventBridge rule (Type: Schedule)', () => {
    expect(rejection('at(2027-01-01T09:30:00)')).to.equal(
      'at(2027-01-01T09:30:00): one-time at() schedules exist only in EventBridge Scheduler (Type: ScheduleV2)',
    );
  });

  it('must be yyyy-mm-ddThh:mm:ss and a real date', () => {
    expect(rejection('at(2027-01-01 09:30)', 'ScheduleV2')).to.equal(
      'at(2027-01-01 09:30): expected at(yyyy-mm-ddThh:mm:ss), e.g. at(2027-01-01T09:30:00)',
    );
    expect(rejection('at(2027-02-29T09:30:00)', 'ScheduleV2')).to.equal(
      'at(2027-02-29T09:30:00): 2027-02-29T09:30:00 is not a date and time on the calendar',
    );
  });
});

describe('ScheduleV2 cron in a time zone (America/New_York)', () => {
  const newYork = { kind: 'ScheduleV2', timezone: 'America/New_York' } as const;

  it('fires at the same local time on both sides of a DST change', () => {
    // 09:00 EST is 14:00Z; after 2026-03-08, 09:00 EDT is 13:00Z.
    expect(fires('cron(0 9 ? * MON *)', '2026-02-24T00:00:00Z', 2, newYork)).to.deep.equal([
      '2026-03-02T14:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('skips a local time that the spring-forward change skips', () => {
    // 2026-03-08 goes from 01:59 EST to 03:00 EDT: there is no 02:30 that day.
    expect(fires('cron(30 2 * * ? *)', '2026-03-06T00:00:00Z', 3, newYork)).to.deep.equal([
      '2026-03-06T07:30:00.000Z',
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('fires a local time that the fall-back change repeats only once, at its first occurrence', () => {
    // 2026-11-01 runs 01:00-01:59 twice, first EDT (05:xxZ) then EST (06:xxZ).
    expect(fires('cron(30 1 * * ? *)', '2026-10-31T00:00:00Z', 3, newYork)).to.deep.equal([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(fires('cron(0/30 1 1 11 ? 2026)', '2026-11-01T00:00:00Z', 4, newYork)).to.deep.equal([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
    ]);
  });

  it('does not fire the repeated hour again when started during its second pass', () => {
    // 06:10Z is 01:10 EST, after 01:30 EDT (05:30Z) already came.
    expect(fires('cron(0/30 1 1 11 ? 2026)', '2026-11-01T06:10:00Z', 1, newYork)).to.deep.equal([]);
    expect(fires('cron(0/30 1-2 1 11 ? 2026)', '2026-11-01T06:10:00Z', 1, newYork)).to.deep.equal([
      '2026-11-01T07:00:00.000Z',
    ]);
  });
});
