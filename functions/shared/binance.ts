import { HttpError } from './errors.ts';
import { isRecord, isString } from './guards.ts';

export interface TickerPrice {
  readonly symbol: string;
  /** Exactly the decimal string Binance sent: prices are never turned into floats on the way through. */
  readonly price: string;
}

export interface PriceSource {
  /** Base URL without a trailing path, e.g. `https://data-api.binance.vision`. */
  readonly baseUrl: string;
  /** How long to wait for the whole answer before giving up with a 504. */
  readonly timeoutMs: number;
}

export const DEFAULT_BINANCE_API_URL = 'https://data-api.binance.vision';
export const DEFAULT_TIMEOUT_MS = 3000;
export const MAX_SYMBOLS = 100;

const SYMBOL = /^[A-Za-z0-9]{2,20}$/;
const DECIMAL = /^\d+(\.\d+)?$/;
// Far above what 100 symbols take (~6 KB): a larger answer is not the one we asked for.
const MAX_RESPONSE_BYTES = 1024 * 1024;

export function priceSourceFromEnv(env: NodeJS.ProcessEnv = process.env): PriceSource {
  const timeoutMs = Number(env.BINANCE_TIMEOUT_MS);
  return {
    baseUrl: env.BINANCE_API_URL || DEFAULT_BINANCE_API_URL,
    timeoutMs: Number.isInteger(timeoutMs) && timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS,
  };
}

/**
 * Checks and upper-cases symbols, drops empty entries and duplicates (first one kept), and refuses more than
 * {@link MAX_SYMBOLS}. Checking before any call keeps `&`, `#`, `%` and non-ASCII out of the upstream URL.
 */
export function normalizeSymbols(values: Iterable<string>): string[] {
  const symbols = new Set<string>();
  for (const raw of values) {
    const value = raw.trim();
    if (value === '') continue;
    // Validate before upper-casing: 'ß'.toUpperCase() is 'SS', which would otherwise pass.
    if (!SYMBOL.test(value)) {
      throw new HttpError(
        400,
        `Invalid symbol ${JSON.stringify(shorten(value))}: a symbol is 2 to 20 letters or digits, such as BTCUSDT`,
      );
    }
    symbols.add(value.toUpperCase());
  }
  if (symbols.size > MAX_SYMBOLS) {
    throw new HttpError(
      400,
      `Too many symbols: ${symbols.size} requested, at most ${MAX_SYMBOLS} per request`,
    );
  }
  return [...symbols];
}

/**
 * Fetches the latest price of every symbol in one call to Binance's symbol price ticker, in the order asked.
 * Failures become `HttpError`s with the status the API should answer.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#symbol-price-ticker
 */
export async function fetchPrices(symbols: readonly string[], source: PriceSource): Promise<TickerPrice[]> {
  const checked = normalizeSymbols(symbols);
  if (checked.length === 0) throw new Error('fetchPrices needs at least one symbol');
  const signal = AbortSignal.timeout(source.timeoutMs);
  const url = tickerUrl(source.baseUrl, checked);
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await fetch(url, {
      signal,
      headers: { accept: 'application/json' },
    });
    status = response.status;
    headers = response.headers;
    text = await readText(response);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The signal, not the error's shape, says whether time ran out: the body read fails differently from fetch.
    // The client reads only the message; the log reads the cause, which names the URL tried and why it failed.
    const endpoint = endpointOf(url);
    if (signal.aborted) {
      throw new HttpError(504, `Binance did not answer within ${source.timeoutMs} ms`, {
        cause: new Error(`no answer from ${endpoint} within ${source.timeoutMs} ms`, { cause: error }),
      });
    }
    throw new HttpError(502, 'Could not reach Binance', {
      cause: new Error(`could not reach ${endpoint}: ${networkReason(error)}${UPSTREAM_HINT}`, {
        cause: error,
      }),
    });
  }
  if (status === 200) return parsePrices(text, checked);
  throw upstreamError(status, text, headers);
}

function tickerUrl(baseUrl: string, symbols: readonly string[]): string {
  const base = `${baseUrl.replace(/\/+$/, '')}/api/v3/ticker/price`;
  // `symbol` costs weight 2 and `symbols` weight 4, so a single symbol goes alone.
  if (symbols.length === 1) return `${base}?symbol=${symbols[0]}`;
  return `${base}?symbols=${encodeURIComponent(JSON.stringify(symbols))}`;
}

/** Logged after a network failure: where the URL comes from, and how to change it when running locally. */
const UPSTREAM_HINT =
  ' (the upstream is BINANCE_API_URL; locally, set it with -n env.json: {"Parameters": {"BINANCE_API_URL": "…"}})';

/** The URL without its query, which can hold a hundred symbols: enough to see which host and port were tried. */
function endpointOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Why fetch failed, as a code where the network layer gives one (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`):
 * fetch itself only says "fetch failed" and keeps the reason in its `cause` (an AggregateError when several
 * addresses were tried).
 */
function networkReason(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && isString(current.code)) return current.code;
    message = current.message || message;
    current =
      current instanceof AggregateError && current.cause === undefined ? current.errors[0] : current.cause;
  }
  return message;
}

async function readText(response: Response): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await response.body.cancel().catch(() => {});
      throw new HttpError(502, 'Binance sent an unexpectedly large response', {
        cause: new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`),
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parsePrices(text: string, symbols: readonly string[]): TickerPrice[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HttpError(502, 'Binance sent a response that is not JSON', { cause: error });
  }
  const items = Array.isArray(data) ? data : [data];
  const bySymbol = new Map<string, TickerPrice>();
  for (const item of items) {
    if (!isTickerPrice(item)) {
      throw new HttpError(502, 'Binance sent a response in an unexpected shape', {
        cause: new Error(text.slice(0, 200)),
      });
    }
    bySymbol.set(item.symbol, { symbol: item.symbol, price: item.price });
  }
  return symbols.map((symbol) => {
    const price = bySymbol.get(symbol);
    if (price === undefined) throw new HttpError(502, `Binance sent no price for ${symbol}`);
    return price;
  });
}

function isTickerPrice(value: unknown): value is TickerPrice {
  return isRecord(value) && isString(value.symbol) && isString(value.price) && DECIMAL.test(value.price);
}

/** Maps Binance's documented failure statuses to what our API answers. */
function upstreamError(status: number, text: string, headers: Headers): HttpError {
  const cause = new Error(`Binance answered HTTP ${status}: ${text.slice(0, 200)}`);
  if (status === 429 || status === 418) {
    const retryAfter = headers.get('retry-after');
    const wait = retryAfter !== null && /^\d+$/.test(retryAfter) ? retryAfter : undefined;
    const reason =
      status === 418
        ? 'Binance has banned this IP address for sending too many requests'
        : 'Binance rate limit reached';
    return new HttpError(503, `${reason}: try again${wait === undefined ? ' later' : ` in ${wait} s`}`, {
      cause,
      headers: wait === undefined ? {} : { 'Retry-After': wait },
    });
  }
  if (status === 451) {
    return new HttpError(
      502,
      'Binance refuses to serve this location (HTTP 451): use https://data-api.binance.vision',
      {
        cause,
      },
    );
  }
  if (status === 403)
    return new HttpError(502, "Binance's firewall refused the request (HTTP 403)", { cause });
  if (status === 400) {
    const message = binanceMessage(text);
    if (message !== undefined) return new HttpError(400, message, { cause });
  }
  if (status >= 500) return new HttpError(502, `Binance failed (HTTP ${status})`, { cause });
  return new HttpError(502, `Binance rejected the request (HTTP ${status})`, { cause });
}

/** The `msg` of Binance's `{"code": -1121, "msg": "Invalid symbol."}`, when it is one we can show a client. */
function binanceMessage(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.code === 'number' && isString(body.msg)) {
      const msg = body.msg.trim();
      if (msg !== '' && msg.length <= 200) return msg;
    }
  } catch {
    // Not Binance's error shape: the caller falls back to a 502.
  }
  return undefined;
}

function shorten(value: string): string {
  return value.length > 24 ? `${value.slice(0, 24)}…` : value;
}
