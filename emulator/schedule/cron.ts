import { instantsOf, wallClockAt } from './zone.ts';

/**
 * Which days of a month a cron expression fires on: from the Day-of-month field (`days`, `last-day`,
 * `nearest-weekday`, `last-weekday`) or from the Day-of-week field (`weekdays`, `last-of-weekday`, `nth-weekday`).
 * Weekdays are numbered as AWS numbers them, 1 = Sunday to 7 = Saturday.
 */
export type DayRule =
  | { readonly kind: 'days'; readonly days: readonly number[] }
  | { readonly kind: 'last-day' }
  | { readonly kind: 'nearest-weekday'; readonly day: number }
  | { readonly kind: 'last-weekday' }
  | { readonly kind: 'weekdays'; readonly weekdays: readonly number[] }
  | { readonly kind: 'last-of-weekday'; readonly weekday: number }
  | { readonly kind: 'nth-weekday'; readonly weekday: number; readonly nth: number };

/** A parsed `cron(...)` expression: each list sorted ascending. */
export interface CronSchedule {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: DayRule;
  readonly months: readonly number[];
  readonly years: readonly number[];
}

/** Why six cron fields are not a valid AWS cron expression; the message names the field at fault. */
export class CronSyntaxError extends Error {
  override readonly name = 'CronSyntaxError';
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for the values from `min` upwards (JAN = 1, SUN = 1). */
  readonly names: readonly string[];
  readonly allowsStep: boolean;
}

const MINUTES: FieldSpec = { name: 'minutes', min: 0, max: 59, names: [], allowsStep: true };
const HOURS: FieldSpec = { name: 'hours', min: 0, max: 23, names: [], allowsStep: true };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, names: [], allowsStep: true };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  allowsStep: true,
};
// The EventBridge table lists `, - * ? L #` for Day-of-week: no `/`.
const DAY_OF_WEEK: FieldSpec = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  allowsStep: false,
};
const YEAR: FieldSpec = { name: 'year', min: 1970, max: 2199, names: [], allowsStep: true };

const FIELD_ORDER = 'Minutes Hours Day-of-month Month Day-of-week Year';

function fail(spec: FieldSpec, message: string): never {
  throw new CronSyntaxError(`${spec.name}: ${message}`);
}

function rangeText(spec: FieldSpec): string {
  const names = spec.names;
  return names.length === 0
    ? `${spec.min}-${spec.max}`
    : `${spec.min}-${spec.max} or ${names[0]}-${names[names.length - 1]}`;
}

function parseValue(text: string, spec: FieldSpec): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) fail(spec, `${text} is out of range (${rangeText(spec)})`);
    return value;
  }
  const index = spec.names.indexOf(text);
  if (index >= 0) return spec.min + index;
  if (text === '?') fail(spec, '? is only allowed in day-of-month and day-of-week');
  return fail(spec, `"${text}" is not a value (${rangeText(spec)})`);
}

function parseStep(text: string, spec: FieldSpec): number {
  const span = spec.max - spec.min + 1;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > span) {
    fail(spec, `the increment after / must be a whole number from 1 to ${span}, not "${text}"`);
  }
  return Number(text);
}

// One comma-separated item: `*`, `5`, `MON`, `1-5`, `0/5`, `10-40/10`, or `*` followed by `/` and a step.
function parseItem(item: string, spec: FieldSpec): number[] {
  if (item === '') fail(spec, 'empty item in a , list');
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) fail(spec, `"${item}" has more than one /`);
  if (step !== undefined && !spec.allowsStep) fail(spec, '/ is not allowed in this field');
  let first: number;
  let last: number;
  if (range === '*') {
    first = spec.min;
    last = spec.max;
  } else if (range.includes('-')) {
    const [from = '', to = '', more] = range.split('-');
    if (more !== undefined) fail(spec, `"${range}" is not a range`);
    first = parseValue(from, spec);
    last = parseValue(to, spec);
    // Undocumented wrap-around ranges (e.g. FRI-MON) are refused rather than guessed at.
    if (first > last) fail(spec, `the range ${range} runs backwards; write it as two ranges in a , list`);
  } else {
    first = parseValue(range, spec);
    last = step === undefined ? first : spec.max;
  }
  const increment = step === undefined ? 1 : parseStep(step, spec);
  const values: number[] = [];
  for (let value = first; value <= last; value += increment) values.push(value);
  return values;
}

function parseList(text: string, spec: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) for (const value of parseItem(item, spec)) values.add(value);
  return [...values].sort((a, b) => a - b);
}

/** `undefined` for `?`. */
function parseDayOfMonth(text: string): DayRule | undefined {
  if (text === '?') return undefined;
  if (text === 'L') return { kind: 'last-day' };
  if (text === 'LW') return { kind: 'last-weekday' };
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest?.[1] !== undefined)
    return { kind: 'nearest-weekday', day: parseValue(nearest[1], DAY_OF_MONTH) };
  if (/[LW]/.test(text)) {
    fail(
      DAY_OF_MONTH,
      `"${text}": L and W stand alone, as L, LW or a single day such as 15W (no lists or ranges)`,
    );
  }
  if (text.includes('?')) fail(DAY_OF_MONTH, '? must stand alone');
  return { kind: 'days', days: parseList(text, DAY_OF_MONTH) };
}

/** `undefined` for `?`. */
function parseDayOfWeek(text: string): DayRule | undefined {
  if (text === '?') return undefined;
  // `L` alone is the last day of the week, Saturday, every week.
  if (text === 'L') return { kind: 'weekdays', weekdays: [7] };
  const last = /^([0-9A-Z]+)L$/.exec(text);
  if (last?.[1] !== undefined) return { kind: 'last-of-weekday', weekday: parseValue(last[1], DAY_OF_WEEK) };
  const nth = /^([0-9A-Z]+)#(\d+)$/.exec(text);
  if (nth?.[1] !== undefined && nth[2] !== undefined) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(DAY_OF_WEEK, `"${text}": the number after # is the week of the month, 1-5`);
    return { kind: 'nth-weekday', weekday: parseValue(nth[1], DAY_OF_WEEK), nth: n };
  }
  if (text.includes('#')) {
    fail(DAY_OF_WEEK, `"${text}": # takes one weekday and one week number (e.g. 6#3), and only one # item`);
  }
  if (text.includes('L')) fail(DAY_OF_WEEK, `"${text}": L stands alone or after one weekday (e.g. 5L)`);
  if (text.includes('?')) fail(DAY_OF_WEEK, '? must stand alone');
  return { kind: 'weekdays', weekdays: parseList(text, DAY_OF_WEEK) };
}

/**
 * Parses the inside of `cron(...)`: six fields, AWS's wildcards and rules.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */
export function parseCron(body: string): CronSchedule {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6 || fields[0] === '') {
    throw new CronSyntaxError(
      `expected 6 fields (${FIELD_ORDER}), got ${fields[0] === '' ? 0 : fields.length}`,
    );
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  const byMonthDay = parseDayOfMonth(dayOfMonth);
  const byWeekDay = parseDayOfWeek(dayOfWeek);
  if (byMonthDay !== undefined && byWeekDay !== undefined) {
    throw new CronSyntaxError('day-of-month and day-of-week cannot both be set; use ? in one of them');
  }
  const days = byMonthDay ?? byWeekDay;
  if (days === undefined) {
    throw new CronSyntaxError(
      'day-of-month and day-of-week cannot both be ?; set one of them (* for every day)',
    );
  }
  return {
    minutes: parseList(minutes, MINUTES),
    hours: parseList(hours, HOURS),
    days,
    months: parseList(month, MONTH),
    years: parseList(year, YEAR),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

const SUNDAY = 1;
const SATURDAY = 7;

/**
 * The days of `month` (1-12) in `year` that `rule` selects, ascending. `W` never leaves the month: `1W` on a
 * Saturday is Monday the 3rd, and the last day on a Sunday moves back to Friday.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */
export function daysSelected(rule: DayRule, year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  switch (rule.kind) {
    case 'days':
      return rule.days.filter((day) => day <= length);
    case 'last-day':
      return [length];
    case 'last-weekday':
      return [nearestWeekday(year, month, length, length)];
    case 'nearest-weekday':
      // A day the month does not have (31W in April) has no nearest weekday in that month.
      return rule.day > length ? [] : [nearestWeekday(year, month, rule.day, length)];
    case 'weekdays': {
      const days: number[] = [];
      for (let day = 1; day <= length; day++) {
        if (rule.weekdays.includes(weekdayOf(year, month, day))) days.push(day);
      }
      return days;
    }
    case 'last-of-weekday': {
      const back = (weekdayOf(year, month, length) - rule.weekday + 7) % 7;
      return [length - back];
    }
    case 'nth-weekday': {
      const first = 1 + ((rule.weekday - weekdayOf(year, month, 1) + 7) % 7);
      const day = first + 7 * (rule.nth - 1);
      return day <= length ? [day] : [];
    }
  }
}

function nearestWeekday(year: number, month: number, day: number, length: number): number {
  const weekday = weekdayOf(year, month, day);
  if (weekday === SATURDAY) return day === 1 ? 3 : day - 1;
  if (weekday === SUNDAY) return day === length ? day - 2 : day + 1;
  return day;
}

/**
 * The first instant after `after` (ms) at which `cron` fires, read on the wall clock of `zone`; `undefined`
 * when it never fires again. A local time that a DST change skips does not fire; one it repeats fires once, at
 * its first occurrence.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time
 */
export function nextCronTime(cron: CronSchedule, after: number, zone: string): number | undefined {
  const start = wallClockAt(after, zone);
  // Walking the fields in order visits local times in order; since the first occurrence of each local time
  // grows with it, the first candidate later than `after` is the answer. The year list ends at 2199.
  for (const year of cron.years) {
    if (year < start.year) continue;
    for (const month of cron.months) {
      if (year === start.year && month < start.month) continue;
      const sameMonth = year === start.year && month === start.month;
      for (const day of daysSelected(cron.days, year, month)) {
        if (sameMonth && day < start.day) continue;
        const sameDay = sameMonth && day === start.day;
        for (const hour of cron.hours) {
          if (sameDay && hour < start.hour) continue;
          const sameHour = sameDay && hour === start.hour;
          for (const minute of cron.minutes) {
            if (sameHour && minute < start.minute) continue;
            const [first] = instantsOf({ year, month, day, hour, minute, second: 0 }, zone);
            if (first !== undefined && first > after) return first;
          }
        }
      }
    }
  }
  return undefined;
}
