import fc from 'fast-check';

/**
 * Inputs tried per property. Sized so that the whole property suite runs in a few seconds on a 2-core machine;
 * `PROPERTY_RUNS_SCALE=10 npm test` tries ten times as many. Each property's count is listed in README.md.
 */
export function runs(count: number): { numRuns: number } {
  const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? '1');
  return { numRuns: Math.max(1, Math.round(count * (Number.isFinite(scale) && scale > 0 ? scale : 1))) };
}

/** Pieces that break parsers, encoders and lookups: escapes, separators, prototype keys, odd Unicode. */
const FRAGMENTS = [
  '%',
  '%2',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%25',
  '%26',
  '%23',
  '%C3%28',
  '&',
  '=',
  '#',
  '?',
  '+',
  ' ',
  ',',
  ';',
  '/',
  '\\',
  '..',
  '"',
  "'",
  '<',
  '[',
  ']',
  '{',
  '}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'ß',
  'ﬀ',
  'İ',
  '١٢',
  '\u0000',
  '\u00a0',
  '\u2028',
  '\ud800',
  '\udfff',
  '😀',
  '\r\n',
  '\t',
  'BTCUSDT',
  'ethusdt',
  'A',
  '7',
];

/** Short strings made of the fragments above, or of any code points at all (lone surrogates included). */
export const nastyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) }),
);

/** Binance-shaped symbols, valid by the handlers' rule (2 to 20 letters or digits), in either case. */
export const validSymbol: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('BTCUSDT', 'ETHUSDT', 'bnbusdt', 'EthUsdt', 'AB', '1INCHUSDT'),
  fc.stringMatching(/^[A-Za-z0-9]{2,20}$/),
);

/** What a client may put in `symbol=`/`symbols=`: valid symbols, comma lists, and hostile text. */
export const symbolValue: fc.Arbitrary<string> = fc.oneof(
  validSymbol,
  fc.array(fc.oneof(validSymbol, nastyText), { maxLength: 5 }).map((items) => items.join(',')),
  nastyText,
);

export const queryKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('symbol', 'symbols', 'SYMBOL', '__proto__', 'constructor', 'a', 'b'),
  nastyText,
);

/** Query pairs in request order, repeats allowed. */
export const queryPairs: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(queryKey, fc.oneof(symbolValue, nastyText)),
  { maxLength: 8 },
);

/** An HTTP token, as Node accepts header names, with the prototype keys among them. */
export const headerName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Host',
    'host',
    'Cookie',
    'cookie',
    'Content-Type',
    'content-type',
    'X-Forwarded-For',
    'User-Agent',
    'Origin',
    '__proto__',
    'constructor',
    'toString',
  ),
  fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/),
);

/** A header value as Node hands it over: Latin-1 text without CR/LF. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'text/plain; charset=utf-8',
    'application/octet-stream',
    'a=1; b=2',
    ';;',
    '',
    'https://app.example',
  ),
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)),
    maxLength: 30,
  }),
);

/** JSON text nested `depth` levels deep, as arrays or objects. */
export function deepJson(depth: number, leaf: string): string {
  return `${'{"x":['.repeat(depth)}${leaf}${']}'.repeat(depth)}`;
}

/**
 * A request body as API Gateway hands it over: text, JSON, deep JSON, base64 of arbitrary bytes (invalid UTF-8
 * included), text that is not base64 at all, and a flag that is not always a boolean.
 */
export const eventBody: fc.Arbitrary<{ body: unknown; isBase64Encoded: unknown }> = fc.oneof(
  fc.record({ body: fc.constantFrom(undefined, null), isBase64Encoded: fc.boolean() }),
  fc.record({ body: fc.oneof(nastyText, fc.json({ maxDepth: 3 })), isBase64Encoded: fc.constant(false) }),
  fc.record({
    body: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    isBase64Encoded: fc.constant(true),
  }),
  fc.record({ body: nastyText, isBase64Encoded: fc.constant(true) }),
  fc.record({
    body: fc.integer({ min: 1, max: 5000 }).map((depth) => deepJson(depth, '1')),
    isBase64Encoded: fc.boolean(),
  }),
  fc.record({
    body: fc.oneof(fc.integer(), fc.boolean(), fc.object({ maxDepth: 1 })),
    isBase64Encoded: fc.oneof(fc.constant('true'), fc.constant(1), fc.constant(null), fc.boolean()),
  }),
);

/** A map built with Object.fromEntries, so that `__proto__` stays an own key as JSON.parse would make it. */
export function mapOf<T>(pairs: readonly (readonly [string, T])[]): Record<string, T> {
  return Object.fromEntries(pairs);
}
