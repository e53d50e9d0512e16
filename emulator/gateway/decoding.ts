/**
 * Percent-decoding as API Gateway applies it. Live captures (hotsock/voker `vokerhttp/testdata`, July 2026;
 * serverless/serverless#5037) show REST APIs pass the path and path parameters still encoded. For HTTP APIs
 * the same captures suggest the path is decoded before it is handed over, but the documented rule (SPEC §2.1:
 * `rawPath` is the path as received) is what the emulator follows, so `rawPath` stays encoded.
 */

/** `decodeURIComponent` that gives its input back unchanged when an escape is malformed. */
export function decodePercent(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    // AWS rejects some malformed paths outright; the emulator keeps the raw text rather than guess a status.
    return value;
  }
}

/**
 * Form-style decoding of a query key or value: `+` is a space, then percent escapes
 * (`?sort=-+createdAt` arrives as `- createdAt`: aws/aws-cdk#19827; `a%2Bb` as `a+b`: hotsock/voker).
 */
export function decodeQueryComponent(value: string): string {
  return decodePercent(value.includes('+') ? value.replaceAll('+', ' ') : value);
}

/**
 * The query string as decoded `[key, value]` pairs in request order. A key without `=` has the value `''`;
 * empty pieces (`a=1&&b=2`) are skipped.
 */
export function parseQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  if (rawQuery === '') return pairs;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    if (equals === -1) pairs.push([decodeQueryComponent(piece), '']);
    else
      pairs.push([
        decodeQueryComponent(piece.slice(0, equals)),
        decodeQueryComponent(piece.slice(equals + 1)),
      ]);
  }
  return pairs;
}
