/** A reading of a wall clock in some time zone; `month` is 1-12. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC';
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** An ISO 8601 date, or date and time, on the calendar; UTC unless it gives an offset. */
export function parseTimestamp(text: string): number | undefined {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hours = '00', minutes = '00', seconds = '00', zone] = match;
  const date = `${year}-${month}-${day}`;
  const midnight = Date.parse(`${date}T00:00:00Z`);
  // Date rolls 2027-02-30 over into March: a day that does not come back unchanged is not on the calendar.
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) return undefined;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const time = Date.parse(zone === undefined && text.includes('T') ? `${text}Z` : text);
  return Number.isNaN(time) ? undefined : time;
}

/** Whether `zone` is an IANA time zone name that `Intl` knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** What a clock in `zone` shows at `instant` (ms since the epoch). */
export function wallClockAt(instant: number, zone: string): WallClock {
  if (isUtc(zone)) {
    const date = new Date(instant);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const { type, value } of formatterFor(zone).formatToParts(instant)) {
    if (
      type === 'year' ||
      type === 'month' ||
      type === 'day' ||
      type === 'hour' ||
      type === 'minute' ||
      type === 'second'
    ) {
      fields[type] = Number(value);
    }
  }
  return fields;
}

function asUtc(wall: WallClock): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

function sameWallClock(a: WallClock, b: WallClock): boolean {
  return asUtc(a) === asUtc(b);
}

/** The zone's offset from UTC (ms, east positive) in effect at `instant`. */
function offsetAt(instant: number, zone: string): number {
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return asUtc(wallClockAt(wholeSeconds, zone)) - wholeSeconds;
}

/**
 * Every instant at which a clock in `zone` shows `wall`, earliest first: none when a DST change skips it,
 * two when a DST change repeats it.
 */
export function instantsOf(wall: WallClock, zone: string): number[] {
  const naive = asUtc(wall);
  if (isUtc(zone)) return [naive];
  // Real zones change offset at most once within a day, so the offsets a day either side cover every reading.
  const offsets = new Set([
    offsetAt(naive - DAY_MS, zone),
    offsetAt(naive, zone),
    offsetAt(naive + DAY_MS, zone),
  ]);
  const instants = new Set<number>();
  for (const offset of offsets) {
    const candidate = naive - offset;
    if (sameWallClock(wallClockAt(candidate, zone), wall)) instants.add(candidate);
  }
  return [...instants].sort((a, b) => a - b);
}
