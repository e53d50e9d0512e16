import { readFileSync } from 'node:fs';
import { isRecord, type UnknownRecord } from '../../functions/shared/guards.ts';

const EVENTS_DIR = new URL('../../events/', import.meta.url);

/** A copy of one of the project's `events/*.json` files, fresh for each call so tests can change it. */
export function loadEvent(name: string): UnknownRecord {
  const event: unknown = JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8'));
  if (!isRecord(event)) throw new Error(`events/${name} is not a JSON object`);
  return event;
}

function isV2(event: UnknownRecord): boolean {
  return event.version === '2.0';
}

/** The event with its query replaced, written as API Gateway writes it for that payload version. */
export function withQuery(
  event: UnknownRecord,
  pairs: readonly (readonly [string, string])[],
): UnknownRecord {
  const copy = structuredClone(event);
  if (isV2(copy)) {
    copy.rawQueryString = new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v])).toString();
    delete copy.queryStringParameters;
    if (pairs.length > 0) {
      const joined = new Map<string, string>();
      for (const [key, value] of pairs) {
        const previous = joined.get(key);
        joined.set(key, previous === undefined ? value : `${previous},${value}`);
      }
      // Through a Map, so that keys such as `__proto__` or `constructor` stay own keys, as JSON.parse makes them.
      copy.queryStringParameters = Object.fromEntries(joined);
    }
    return copy;
  }
  if (pairs.length === 0) {
    copy.queryStringParameters = null;
    copy.multiValueQueryStringParameters = null;
    return copy;
  }
  const multi = new Map<string, string[]>();
  for (const [key, value] of pairs) multi.set(key, [...(multi.get(key) ?? []), value]);
  copy.queryStringParameters = Object.fromEntries([...multi].map(([key, values]) => [key, values.at(-1)]));
  copy.multiValueQueryStringParameters = Object.fromEntries(multi);
  return copy;
}

/** The event with its body replaced; `undefined` removes it as API Gateway does (null in 1.0, absent in 2.0). */
export function withBody(event: UnknownRecord, body: string | undefined, base64 = false): UnknownRecord {
  const copy = structuredClone(event);
  if (body === undefined) {
    if (isV2(copy)) delete copy.body;
    else copy.body = null;
    copy.isBase64Encoded = false;
    return copy;
  }
  copy.body = base64 ? Buffer.from(body, 'utf8').toString('base64') : body;
  copy.isBase64Encoded = base64;
  return copy;
}

/** The JSON body of a handler's response. */
export function jsonBody(result: unknown): unknown {
  if (!isRecord(result) || typeof result.body !== 'string') throw new Error('response has no string body');
  return JSON.parse(result.body);
}
