import { expect } from 'chai';
import { nextFireTime, parseScheduleExpression } from '../../../emulator/schedule/expression.ts';
import { wallClockAt } from '../../../emulator/schedule/zone.ts';

/** mulberry32: a small seeded PRNG, so that a failure reproduces. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const integer = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

/** A field's text and the values it stands for, worked out here independently of the parser. */
interface Field {
  readonly text: string;
  readonly has: (value: number) => boolean;
}

function numericField(random: Random, min: number, max: number, allowStep: boolean): Field {
  const form = integer(random, 0, allowStep ? 5 : 3);
  const a = integer(random, min, max);
  const b = integer(random, a, max);
  const step = integer(random, 1, Math.max(1, Math.floor((max - min) / 2)));
  switch (form) {
    case 0:
      return { text: '*', has: () => true };
    case 1:
      return { text: String(a), has: (v) => v === a };
    case 2:
      return { text: `${a}-${b}`, has: (v) => v >= a && v <= b };
    case 3: {
      const c = integer(random, min, max);
      return { text: `${a},${c}`, has: (v) => v === a || v === c };
    }
    case 4:
      return { text: `${a}/${step}`, has: (v) => v >= a && (v - a) % step === 0 };
    default:
      return { text: `${a}-${b}/${step}`, has: (v) => v >= a && v <= b && (v - a) % step === 0 };
  }
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekday = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWorkday = (year: number, month: number, day: number) => {
  const w = weekday(year, month, day);
  return w >= 2 && w <= 6;
};

type DayTest = (year: number, month: number, day: number) => boolean;

/** Day-of-month and Day-of-week texts, one of them `?`, and the days they select. */
function dayFields(random: Random): { dayOfMonth: string; dayOfWeek: string; has: DayTest } {
  if (random() < 0.5) {
    const form = integer(random, 0, 3);
    if (form === 0) return { dayOfMonth: 'L', dayOfWeek: '?', has: (y, m, d) => d === daysIn(y, m) };
    if (form === 1) {
      const has: DayTest = (y, m, d) => {
        for (let last = daysIn(y, m); last >= 1; last--) if (isWorkday(y, m, last)) return d === last;
        return false;
      };
      return { dayOfMonth: 'LW', dayOfWeek: '?', has };
    }
    if (form === 2) {
      const target = integer(random, 1, 31);
      // The nearest weekday inside the month, by distance: no tie is possible around a weekend.
      const has: DayTest = (y, m, d) => {
        if (target > daysIn(y, m) || !isWorkday(y, m, d)) return false;
        for (let other = 1; other <= daysIn(y, m); other++) {
          if (isWorkday(y, m, other) && Math.abs(other - target) < Math.abs(d - target)) return false;
        }
        return true;
      };
      return { dayOfMonth: `${target}W`, dayOfWeek: '?', has };
    }
    const field = numericField(random, 1, 31, true);
    return { dayOfMonth: field.text, dayOfWeek: '?', has: (_y, _m, d) => field.has(d) };
  }
  const form = integer(random, 0, 3);
  const day = integer(random, 1, 7);
  if (form === 0) {
    return {
      dayOfMonth: '?',
      dayOfWeek: `${day}L`,
      has: (y, m, d) => weekday(y, m, d) === day && d + 7 > daysIn(y, m),
    };
  }
  if (form === 1) {
    const nth = integer(random, 1, 5);
    return {
      dayOfMonth: '?',
      dayOfWeek: `${pick(random, [String(day), DAY_NAMES[day - 1] ?? ''])}#${nth}`,
      has: (y, m, d) => weekday(y, m, d) === day && Math.ceil(d / 7) === nth,
    };
  }
  if (form === 2) {
    const last = integer(random, day, 7);
    return {
      dayOfMonth: '?',
      dayOfWeek: `${DAY_NAMES[day - 1]}-${DAY_NAMES[last - 1]}`,
      has: (y, m, d) => weekday(y, m, d) >= day && weekday(y, m, d) <= last,
    };
  }
  const field = numericField(random, 1, 7, false);
  return { dayOfMonth: '?', dayOfWeek: field.text, has: (y, m, d) => field.has(weekday(y, m, d)) };
}

interface Case {
  readonly expression: string;
  readonly minute: Field;
  readonly hour: Field;
  readonly month: Field;
  readonly year: Field;
  readonly day: DayTest;
}

function randomCase(random: Random): Case {
  const minute = numericField(random, 0, 59, true);
  const hour = numericField(random, 0, 23, true);
  const month = numericField(random, 1, 12, true);
  const { dayOfMonth, dayOfWeek, has } = dayFields(random);
  const from = integer(random, 2024, 2032);
  const to = integer(random, from, from + 8);
  const year: Field = pick(random, [
    { text: '*', has: () => true },
    { text: `${from}-${to}`, has: (v: number) => v >= from && v <= to },
  ]);
  const expression = `cron(${minute.text} ${hour.text} ${dayOfMonth} ${month.text} ${dayOfWeek} ${year.text})`;
  return { expression, minute, hour, month, year, day: has };
}

const DAY_MS = 86_400_000;

function matchesDay(c: Case, dayStart: number): boolean {
  const date = new Date(dayStart);
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  return c.year.has(y) && c.month.has(m) && c.day(y, m, d);
}

describe('cron evaluation over random expressions (seeded)', () => {
  it('fires strictly after the start, on a time every field allows, with no allowed time skipped before it', () => {
    const random = prng(20261121);
    let checked = 0;
    for (let run = 0; run < 300; run++) {
      const c = randomCase(random);
      const start = Date.UTC(2026, 0, 1) + Math.floor(random() * 4 * 365 * DAY_MS);
      const next = nextFireTime(parseScheduleExpression(c.expression, 'Schedule'), start, {
        timezone: 'UTC',
        startedAt: start,
      });
      const timesOfDay: number[] = [];
      for (let h = 0; h < 24; h++) {
        for (let m = 0; m < 60; m++)
          if (c.hour.has(h) && c.minute.has(m)) timesOfDay.push((h * 60 + m) * 60_000);
      }
      const firstDay = start - (start % DAY_MS);
      const lastDay = next === undefined ? Date.UTC(2200, 0, 1) : next - (next % DAY_MS);
      const context = `${c.expression} from ${new Date(start).toISOString()}`;
      if (next !== undefined) {
        expect(next, context).to.be.greaterThan(start);
        expect(next % 60_000, context).to.equal(0);
        expect(matchesDay(c, lastDay), context).to.equal(true);
        expect(timesOfDay, context).to.include(next - lastDay);
        checked++;
      }
      for (let day = firstDay; day <= lastDay; day += DAY_MS) {
        if (!matchesDay(c, day)) continue;
        const skipped = timesOfDay.find((t) => day + t > start && (next === undefined || day + t < next));
        if (skipped !== undefined)
          expect.fail(`${context}: skipped ${new Date(day + skipped).toISOString()}`);
      }
    }
    // Most random cases fire again; a generator that made none would prove nothing.
    expect(checked).to.be.greaterThan(250);
  });

  it('fires on a local time every field allows in a time zone with DST', () => {
    const random = prng(314159);
    for (let run = 0; run < 100; run++) {
      const c = randomCase(random);
      const start = Date.UTC(2026, 0, 1) + Math.floor(random() * 2 * 365 * DAY_MS);
      const expression = parseScheduleExpression(c.expression, 'ScheduleV2');
      const next = nextFireTime(expression, start, { timezone: 'Europe/London', startedAt: start });
      if (next === undefined) continue;
      const local = wallClockAt(next, 'Europe/London');
      const context = `${c.expression} from ${new Date(start).toISOString()}`;
      expect(next, context).to.be.greaterThan(start);
      expect(local.second, context).to.equal(0);
      expect(c.minute.has(local.minute) && c.hour.has(local.hour), context).to.equal(true);
      expect(matchesDay(c, Date.UTC(local.year, local.month - 1, local.day)), context).to.equal(true);
    }
  });

  it('answers "never again" quickly for expressions whose fire times are all past or impossible', () => {
    const never = [
      'cron(* * * * ? 1970-2020)',
      'cron(0/1 * ? * MON-FRI 2001,2003,2025)',
      'cron(0 0 31 2 ? *)',
      'cron(0 0 30 FEB ? *)',
      'cron(0 0 31 4,6,9,11 ? *)',
      'cron(0 0 31W 2 ? *)',
    ];
    const start = Date.UTC(2026, 10, 21);
    const began = performance.now();
    for (const text of never) {
      const next = nextFireTime(parseScheduleExpression(text, 'Schedule'), start, {
        timezone: 'UTC',
        startedAt: start,
      });
      expect(next, text).to.equal(undefined);
      const zoned = nextFireTime(parseScheduleExpression(text, 'ScheduleV2'), start, {
        timezone: 'America/New_York',
        startedAt: start,
      });
      expect(zoned, text).to.equal(undefined);
    }
    expect(performance.now() - began).to.be.lessThan(500);
  });
});
