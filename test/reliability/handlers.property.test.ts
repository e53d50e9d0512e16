import { expect } from 'chai';
import fc from 'fast-check';
import nock from 'nock';
import sinon from 'sinon';
import { handler as getPrice } from '../../functions/get-price/handler.ts';
import { handler as multiply } from '../../functions/multiply/handler.ts';
import { handler as priceTicker } from '../../functions/price-ticker/handler.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import { isRecord, isString, type UnknownRecord } from '../../functions/shared/guards.ts';
import { FAKE_BINANCE_URL, TICKER_PATH, useFunctionEnv, useNock } from '../support/binance.ts';
import { loadEvent, withQuery } from '../support/events.ts';
import {
  deepJson,
  eventBody,
  headerName,
  headerValue,
  mapOf,
  nastyText,
  queryPairs,
  runs,
  symbolValue,
  validSymbol,
} from './arbitraries.ts';

const ALLOWED_ORIGIN = 'https://app.example.com';
const TIMEOUT_MS = 50;
const EXAMPLE = 'send a JSON object such as {"a": 12, "b": 3}';
const UNSUPPORTED = 'Unsupported event: expected an API Gateway proxy event (payload format 1.0 or 2.0)';

/** Every message the handlers may answer with, by status: README's error table, as the code words it. */
const CLIENT_ERRORS: readonly (string | RegExp)[] = [
  UNSUPPORTED,
  'Symbol query parameter not defined',
  /^Invalid symbol ".*": a symbol is 2 to 20 letters or digits, such as BTCUSDT$/s,
  /^Too many symbols: \d+ requested, at most 100 per request$/,
  `Request body is missing: ${EXAMPLE}`,
  `Request body is not valid JSON: ${EXAMPLE}`,
  `Request body must be a JSON object: ${EXAMPLE}`,
  'You must provide keys for both "a" and "b"',
  'One or both of the values are not a number',
  'The product of "a" and "b" is too large to represent as a JSON number',
];
const UPSTREAM_ERRORS: readonly (string | RegExp)[] = [
  /^Binance failed \(HTTP 5\d\d\)$/,
  /^Binance rejected the request \(HTTP \d{3}\)$/,
  "Binance's firewall refused the request (HTTP 403)",
  'Binance refuses to serve this location (HTTP 451): use https://data-api.binance.vision',
  'Binance sent a response that is not JSON',
  'Binance sent a response in an unexpected shape',
  /^Binance sent no price for [A-Z0-9]{2,20}$/,
  'Could not reach Binance',
  'Binance sent an unexpectedly large response',
  /^Binance (rate limit reached|has banned this IP address for sending too many requests): try again (later|in \d+ s)$/,
  `Binance did not answer within ${TIMEOUT_MS} ms`,
];
// What a stack trace or a runtime's own message looks like; none may reach a client.
const INTERNAL =
  /\bat .*:\d+:\d+|node:internal|file:\/\/|TypeError|ReferenceError|Cannot read propert|fetch failed/;

function isDocumented(message: string, messages: readonly (string | RegExp)[]): boolean {
  return messages.some((known) => (typeof known === 'string' ? known === message : known.test(message)));
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** The proxy-response contract shared by both payload versions: integer status, string headers, JSON body. */
function wellFormed(result: unknown): Answer {
  if (!isRecord(result)) return expect.fail(`not a proxy response: ${String(result)}`);
  const { statusCode, headers, body, isBase64Encoded } = result;
  expect(Number.isInteger(statusCode), 'integer statusCode').to.equal(true);
  expect(statusCode).to.be.within(200, 599);
  if (!isRecord(headers)) return expect.fail('headers is not an object');
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!isString(value)) return expect.fail(`header ${name} is not a string`);
    strings[name] = value;
  }
  expect(strings['Content-Type']).to.equal('application/json');
  expect(strings['Access-Control-Allow-Origin']).to.equal(ALLOWED_ORIGIN);
  expect(isBase64Encoded).to.equal(false);
  if (!isString(body)) return expect.fail('body is not a string');
  return { status: Number(statusCode), headers: strings, body: JSON.parse(body) };
}

/** An error body is exactly `{"error": "<documented message>"}`, with no trace of the code behind it. */
function errorMessage(answer: Answer, allowed: readonly (string | RegExp)[]): string {
  const { body } = answer;
  if (!isRecord(body) || !isString(body.error))
    return expect.fail(`not {"error": …}: ${JSON.stringify(body)}`);
  expect(Object.keys(body)).to.deep.equal(['error']);
  expect(answer.headers['Cache-Control']).to.equal('no-store');
  if (!isDocumented(body.error, allowed)) expect.fail(`undocumented message ${JSON.stringify(body.error)}`);
  return body.error;
}

const PRICE = /^[A-Z0-9]{2,20}$/;
function isPrice(value: unknown): boolean {
  return (
    isRecord(value) && isString(value.symbol) && PRICE.test(value.symbol) && value.price === '1.00000000'
  );
}

/** A v1 or v2 event: either as API Gateway writes it, or with every map replaced by something arbitrary. */
function apiEvent(
  v1File: string,
  v2File: string,
  pairsArbitrary: fc.Arbitrary<[string, string][]> = queryPairs,
): fc.Arbitrary<UnknownRecord> {
  const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });
  const arbitraryMap = fc.oneof(
    fc.constant(null),
    pairsArbitrary.map((pairs) => mapOf(pairs)),
    fc.anything({ maxDepth: 2 }),
  );
  const multiMap = fc.oneof(
    fc.constant(null),
    fc
      .array(
        fc.tuple(nastyText, fc.oneof(fc.array(symbolValue, { maxLength: 3 }), fc.anything({ maxDepth: 1 }))),
      )
      .map((pairs) => mapOf(pairs)),
  );
  const asSent = fc
    .record({ v2: fc.boolean(), pairs: pairsArbitrary, body: eventBody })
    .map(({ v2, pairs, body }) => ({ ...withQuery(loadEvent(v2 ? v2File : v1File), pairs), ...body }));
  const v1 = fc
    .record({
      httpMethod: fc.oneof(fc.constantFrom('GET', 'POST', 'OPTIONS'), nastyText),
      headers: fc.oneof(
        fc.constant(null),
        headers.map((pairs) => mapOf(pairs)),
      ),
      queryStringParameters: arbitraryMap,
      multiValueQueryStringParameters: fc.oneof(multiMap, arbitraryMap),
      body: eventBody,
    })
    .map(({ body, ...fields }): UnknownRecord => ({ ...loadEvent(v1File), ...fields, ...body }));
  const v2 = fc
    .record(
      {
        rawQueryString: fc.oneof(
          nastyText,
          pairsArbitrary.map((pairs) => new URLSearchParams(pairs).toString()),
        ),
        queryStringParameters: arbitraryMap,
        headers: headers.map((pairs) => mapOf(pairs)),
        cookies: fc.array(nastyText, { maxLength: 3 }),
        body: eventBody,
      },
      { requiredKeys: ['body'] },
    )
    .map(({ body, ...fields }): UnknownRecord => ({ ...loadEvent(v2File), ...fields, ...body }));
  return fc.oneof(asSent, v1, v2);
}

/** Queries for /price: mostly a plausible request for prices, often with something hostile mixed in. */
const priceQuery: fc.Arbitrary<[string, string][]> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.array(fc.tuple(fc.constantFrom('symbol', 'symbols'), symbolValue), {
      minLength: 1,
      maxLength: 4,
    }),
  },
  { weight: 1, arbitrary: queryPairs },
);

/**
 * A /price request that passes validation, as API Gateway sends it in either payload version. Mixed in half the
 * time, so that the paths behind validation (Binance answering, or failing) are exercised in every run rather than
 * in the ~15 % of arbitrary events that happen to be valid.
 */
const validPriceEvent: fc.Arbitrary<UnknownRecord> = fc
  .record({
    v2: fc.boolean(),
    pairs: fc.array(fc.tuple(fc.constantFrom('symbol', 'symbols'), validSymbol), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map(({ v2, pairs }) => withQuery(loadEvent(v2 ? 'get-price.v2.json' : 'get-price.json'), pairs));

const priceEvent: fc.Arbitrary<UnknownRecord> = fc.oneof(
  validPriceEvent,
  apiEvent('get-price.json', 'get-price.v2.json', priceQuery),
);

/** Anything a misconfigured trigger could send: not an API Gateway event at all. */
const notAnApiEvent: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constant(loadEvent('price-ticker.json')),
  fc.record({ version: fc.constant('2.0'), requestContext: fc.anything({ maxDepth: 1 }) }),
);

interface Upstream {
  /** Request paths and queries the stub received, in order. */
  readonly calls: string[];
}

/**
 * Path and query of a request nock intercepted. nock 15 hands fetch requests over as `Request` objects (with a
 * full `url`), even where its types promise the path as a string.
 */
function pathOf(request: unknown): string {
  if (isString(request)) return request;
  if (!isRecord(request)) return '';
  if (isString(request.path)) return request.path;
  if (!isString(request.url)) return '';
  const url = new URL(request.url, FAKE_BINANCE_URL);
  return `${url.pathname}${url.search}`;
}

/** A stub for Binance's ticker that records every call, answered by `reply`. */
function stubTicker(): { upstream: Upstream; interceptor: nock.Interceptor } {
  const calls: string[] = [];
  const scope = nock(FAKE_BINANCE_URL).persist();
  scope.on('request', (request: unknown) => calls.push(pathOf(request)));
  return { upstream: { calls }, interceptor: scope.get(TICKER_PATH).query(true) };
}

/** Binance answering every ticker request with a price of 1 for each symbol asked for. */
function healthyUpstream(): Upstream {
  const { upstream, interceptor } = stubTicker();
  interceptor.reply((uri) => {
    const query = new URL(pathOf(uri), FAKE_BINANCE_URL).searchParams;
    const single = query.get('symbol');
    if (single !== null) return [200, { symbol: single, price: '1.00000000' }];
    const list: unknown = JSON.parse(query.get('symbols') ?? '[]');
    const symbols = Array.isArray(list) ? list.map(String) : [];
    return [200, symbols.map((symbol) => ({ symbol, price: '1.00000000' }))];
  });
  return upstream;
}

// The only shapes an upstream URL may take: symbols reach Binance checked and upper-cased, nothing else does.
const UPSTREAM_URL = new RegExp(
  `^${TICKER_PATH}\\?(symbol=[A-Z0-9]{2,20}|symbols=%5B%22[A-Z0-9]{2,20}%22(%2C%22[A-Z0-9]{2,20}%22)*%5D)$`,
);

/** One way Binance can fail, and the status README's table maps it to. */
// A Binance slower than the timeout is left to upstream.test.ts, against a real socket: nock 15.0.0 delivers a
// delayed reply to fetch even after the request's signal has aborted it.
type Failure =
  | { kind: 'status'; status: number; body: string; retryAfter: string | undefined }
  | { kind: 'reset' }
  | { kind: 'huge' };

const failure: fc.Arbitrary<Failure> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      status: fc.constantFrom(200, 400, 403, 404, 410, 418, 429, 451, 500, 502, 503),
      body: fc.oneof(
        nastyText,
        fc.json({ maxDepth: 2 }),
        fc.constantFrom('{"code":-1121,"msg":"Invalid symbol."}', '{"symbol":"X","price":"abc"}', '[]', '{}'),
      ),
      retryAfter: fc.option(fc.oneof(fc.integer({ min: 0, max: 259200 }).map(String), nastyText), {
        nil: undefined,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'huge' as const }) },
);

function failingUpstream(how: Failure): Upstream {
  const { upstream, interceptor } = stubTicker();
  if (how.kind === 'reset') {
    interceptor.replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  } else if (how.kind === 'huge') {
    interceptor.reply(200, `[${'0,'.repeat(600_000)}0]`);
  } else {
    // A header value must be visible ASCII; what the fuzzer makes otherwise is Binance's business, not ours.
    const retryAfter = how.retryAfter?.replace(/[^\x21-\x7e]/g, '');
    interceptor.reply(how.status, how.body, retryAfter ? { 'Retry-After': retryAfter } : {});
  }
  return upstream;
}

/** The status README's error table gives a Binance failure. */
function expectedStatus(how: Failure, answer: Answer): number {
  if (how.kind !== 'status') return 502;
  if (how.status === 418 || how.status === 429) return 503;
  if (how.status === 400 && answer.status === 400) return 400;
  // A 200 that happens to hold the prices asked for is not a failure at all.
  if (how.status === 200 && answer.status === 200) return 200;
  return 502;
}

describe('handlers under arbitrary events (property-based, fast-check)', function () {
  this.timeout(60_000);
  useNock();
  useFunctionEnv({
    BINANCE_API_URL: FAKE_BINANCE_URL,
    BINANCE_TIMEOUT_MS: String(TIMEOUT_MS),
    ALLOWED_ORIGIN,
    TICKER_SYMBOLS: 'BTCUSDT,ethusdt',
    METRICS_NAMESPACE: 'reliability',
  });
  beforeEach(() => {
    for (const method of ['info', 'warn', 'error'] as const) sinon.stub(console, method);
  });
  afterEach(() => sinon.restore());

  describe('get-price', () => {
    it('answers any v1 or v2 event with a well-formed 200 or a documented 400, and only checked symbols reach Binance', async () => {
      const options = runs(300);
      let priced = 0;
      await fc.assert(
        fc.asyncProperty(priceEvent, async (event) => {
          nock.cleanAll();
          const upstream = healthyUpstream();
          const answer = wellFormed(await getPrice(event));
          for (const call of upstream.calls) expect(call).to.match(UPSTREAM_URL);
          if (answer.status === 200) {
            expect(upstream.calls).to.have.lengthOf(1);
            const { body } = answer;
            const prices = isRecord(body) && Array.isArray(body.prices) ? body.prices : [body];
            expect(prices.length).to.be.within(1, 100);
            for (const price of prices) expect(isPrice(price), JSON.stringify(price)).to.equal(true);
            expect(answer.headers['Cache-Control']).to.equal('public, max-age=5');
            priced++;
          } else {
            expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
            expect(errorMessage(answer, CLIENT_ERRORS)).to.not.match(INTERNAL);
          }
        }),
        options,
      );
      // A generator that never got past validation would prove nothing about the success path.
      expect(priced).to.be.at.least(options.numRuns / 4);
    });

    it('answers a Binance failure with the status of README’s table, never 5xx for a request Binance never saw', async () => {
      const options = runs(150);
      let reached = 0;
      await fc.assert(
        fc.asyncProperty(priceEvent, failure, async (event, how) => {
          nock.cleanAll();
          const upstream = failingUpstream(how);
          const answer = wellFormed(await getPrice(event));
          if (upstream.calls.length === 0) {
            expect(answer.status).to.be.oneOf([200, 400]);
            return;
          }
          reached++;
          if (answer.status === 200) return;
          const message = errorMessage(answer, [...CLIENT_ERRORS, ...UPSTREAM_ERRORS, /^.{1,200}$/s]);
          if (answer.status >= 500) {
            expect(isDocumented(message, UPSTREAM_ERRORS), message).to.equal(true);
            expect(message).to.not.match(INTERNAL);
          }
          expect(answer.status).to.equal(expectedStatus(how, answer));
          const sent = how.kind === 'status' ? how.retryAfter?.replace(/[^\x21-\x7e]/g, '') : undefined;
          const passedOn =
            answer.status === 503 && sent !== undefined && /^\d+$/.test(sent) ? sent : undefined;
          expect(answer.headers['Retry-After']).to.equal(passedOn);
        }),
        options,
      );
      expect(reached).to.be.at.least(options.numRuns / 4);
    });
  });

  describe('multiply', () => {
    const numberText = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
      // Huge magnitudes, whose products overflow to Infinity, and tiny ones, whose products underflow to 0.
      fc
        .tuple(fc.double({ min: 1e150, max: 1.7e308, noNaN: true }), fc.boolean())
        .map(([value, negative]) => JSON.stringify(negative ? -value : value)),
      fc.double({ min: 1e-320, max: 1e-150, noNaN: true }).map((value) => JSON.stringify(value)),
      fc.integer().map(String),
      fc.constantFrom(
        '1e400',
        '-1e400',
        '1e-400',
        '-0',
        '0.0',
        '123456789012345678901234567890',
        '1.7976931348623157e308',
        '4.9e-324',
        '5e-325',
        '0x10',
        'NaN',
        'Infinity',
        '01',
        '.5',
        '+1',
      ),
    );
    const operand = fc.oneof(
      { weight: 4, arbitrary: numberText },
      fc.json({ maxDepth: 2 }),
      fc.constantFrom('"12"', 'true', 'null', '[]', '{}', '[3]'),
      fc.integer({ min: 1, max: 3000 }).map((depth) => deepJson(depth, '2')),
    );
    const member = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom('a', 'b'), operand) },
      fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'A', 'c'), operand),
    );
    const objectText = fc
      .array(member, { maxLength: 5 })
      .map((members) => `{${members.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`);
    const body = fc.oneof(
      { weight: 4, arbitrary: objectText },
      fc.constantFrom('{"__proto__":{"a":2,"b":3}}', '{"a":2,"b":3,"__proto__":null}', '', '   ', '[12,3]'),
      nastyText,
    );

    it('answers {"result": a×b} exactly when the body is an object with two finite JSON numbers, else a documented 400', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          body,
          fc.boolean(),
          apiEvent('multiply.v1.json', 'multiply.json'),
          async (v2, text, base64, shape) => {
            const base = v2 ? loadEvent('multiply.json') : loadEvent('multiply.v1.json');
            const event = {
              ...shape,
              ...base,
              body: base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
              isBase64Encoded: base64,
            };
            const answer = wellFormed(await multiply(event));
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.from(text, 'utf8').toString('utf8'));
            } catch {
              parsed = undefined;
            }
            if (answer.status === 200) {
              if (!isRecord(parsed)) return expect.fail(`200 for a body that is not an object: ${text}`);
              const { a, b } = parsed;
              if (typeof a !== 'number' || typeof b !== 'number') return expect.fail(`200 for ${text}`);
              // JSON has no -0, so the product is compared with ===, for which 0 and -0 are equal.
              expect(
                isRecord(answer.body) && answer.body.result === a * b,
                JSON.stringify(answer.body),
              ).to.equal(true);
              expect(Object.hasOwn(parsed, 'a') && Object.hasOwn(parsed, 'b')).to.equal(true);
            } else {
              expect(answer.status).to.equal(400);
              expect(errorMessage(answer, CLIENT_ERRORS)).to.not.match(INTERNAL);
              if (isRecord(parsed)) {
                const { a, b } = parsed;
                const valid = typeof a === 'number' && typeof b === 'number' && Number.isFinite(a * b);
                expect(valid && Object.hasOwn(parsed, 'a') && Object.hasOwn(parsed, 'b'), text).to.equal(
                  false,
                );
              }
            }
          },
        ),
        runs(400),
      );
    });

    it('answers arbitrary event shapes with a well-formed response and never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(apiEvent('multiply.v1.json', 'multiply.json'), notAnApiEvent),
          async (event) => {
            const answer = wellFormed(await multiply(event));
            expect(answer.status).to.be.oneOf([200, 400]);
            if (answer.status === 400) expect(errorMessage(answer, CLIENT_ERRORS)).to.not.match(INTERNAL);
          },
        ),
        runs(200),
      );
    });
  });

  describe('price-ticker', () => {
    /** Runs the ticker with stdout held back: it writes Embedded Metric Format lines there. */
    async function tick(event: unknown): Promise<unknown> {
      const stdout = sinon.stub(process.stdout, 'write').returns(true);
      try {
        return await priceTicker(event);
      } finally {
        stdout.restore();
      }
    }

    it('returns {"prices":[…]} for any event that is not an API request, and a 200 proxy response for any that is', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(notAnApiEvent, apiEvent('get-price.json', 'get-price.v2.json', priceQuery)),
          async (event) => {
            nock.cleanAll();
            const upstream = healthyUpstream();
            const result = await tick(event);
            expect(upstream.calls).to.deep.equal([
              `${TICKER_PATH}?symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D`,
            ]);
            const prices = [
              { symbol: 'BTCUSDT', price: '1.00000000' },
              { symbol: 'ETHUSDT', price: '1.00000000' },
            ];
            if (isRecord(result) && 'statusCode' in result) {
              const answer = wellFormed(result);
              expect(answer.status).to.equal(200);
              expect(answer.body).to.deep.equal({ prices });
            } else {
              expect(result).to.deep.equal({ prices });
            }
          },
        ),
        runs(200),
      );
    });

    it('throws an HttpError with a documented 5xx message when Binance fails on its schedule, and answers one over HTTP', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(notAnApiEvent, apiEvent('get-price.json', 'get-price.v2.json', priceQuery)),
          failure,
          async (event, how) => {
            nock.cleanAll();
            failingUpstream(how);
            let result: unknown;
            try {
              result = await tick(event);
            } catch (error) {
              if (!(error instanceof HttpError)) return expect.fail(`threw ${String(error)}`);
              expect(error.statusCode).to.be.oneOf([400, 502, 503, 504]);
              if (error.statusCode >= 500)
                expect(isDocumented(error.message, UPSTREAM_ERRORS), error.message).to.equal(true);
              return;
            }
            if (isRecord(result) && 'statusCode' in result) {
              const answer = wellFormed(result);
              if (answer.status !== 200) {
                const message = errorMessage(answer, [...UPSTREAM_ERRORS, /^.{1,200}$/s]);
                if (answer.status >= 500)
                  expect(isDocumented(message, UPSTREAM_ERRORS), message).to.equal(true);
              }
            }
          },
        ),
        runs(100),
      );
    });
  });
});
