import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../net.ts';
import { fixedPrices, type PriceTable } from './prices.ts';

export type Respond = (request: IncomingMessage, response: ServerResponse) => void;

export interface FakeBinanceOptions {
  /** A fixed price table, or a {@link PriceTable} (e.g. `movingPrices()`); default {@link FAKE_PRICES}. */
  readonly prices?: Readonly<Record<string, string>> | PriceTable;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Told one line per request answered, e.g. `GET /api/v3/ticker/price?symbol=BTCUSDT 200`. */
  readonly log?: (line: string) => void;
}

export interface FakeBinance {
  /** Base URL to put in BINANCE_API_URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request URL (path and query) received, in order. */
  readonly requests: string[];
  /** Replaces how the next requests are answered; `undefined` restores the price table. */
  respondWith(respond: Respond | undefined): void;
  close(): Promise<void>;
}

export const FAKE_PRICES: Readonly<Record<string, string>> = {
  BTCUSDT: '97000.12000000',
  ETHUSDT: '3100.50000000',
  BNBUSDT: '610.00000000',
};

/** What Binance accepts as one symbol, from its -1100 message. */
const LEGAL_SYMBOL = /^[A-Z0-9\-_.]{1,20}$/;

/**
 * A real HTTP server that answers `GET /api/v3/ticker/price` as Binance documents it (one `symbol`, a JSON
 * `symbols` list, or neither for every symbol; its error bodies and statuses for bad parameters), so that the
 * functions run against real sockets without the internet: `npm run local -- fake-binance` and the tests.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#symbol-price-ticker
 */
export async function startFakeBinance(options: FakeBinanceOptions = {}): Promise<FakeBinance> {
  const table = isPriceTable(options.prices) ? options.prices : fixedPrices(options.prices ?? FAKE_PRICES);
  const requests: string[] = [];
  let override: Respond | undefined;
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (options.log !== undefined) {
      const log = options.log;
      response.once('finish', () => log(`${request.method} ${request.url} ${response.statusCode}`));
    }
    if (override !== undefined) {
      override(request, response);
      return;
    }
    answer(table, request, response);
  });
  const url = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url,
    requests,
    respondWith(respond) {
      override = respond;
    },
    close() {
      server.closeAllConnections();
      return closeServer(server);
    },
  };
}

function isPriceTable(value: FakeBinanceOptions['prices']): value is PriceTable {
  return value !== undefined && typeof value.priceOf === 'function' && typeof value.symbols === 'function';
}

interface BinanceError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

/** Binance's error codes for the request problems a client of this endpoint can cause. https://developers.binance.com/docs/binance-spot-api-docs/errors */
const INVALID_SYMBOL: BinanceError = { status: 400, code: -1121, msg: 'Invalid symbol.' };
const BOTH_PARAMETERS: BinanceError = {
  status: 400,
  code: -1128,
  msg: 'Combination of optional parameters invalid.',
};
/** The legal range each parameter's -1100 message names, as Binance words it. */
const LEGAL_RANGES: Readonly<Record<string, string>> = {
  symbol: '^[A-Z0-9-_.]{1,20}$',
  symbols: '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$',
};
const illegal = (parameter: 'symbol' | 'symbols'): BinanceError => ({
  status: 400,
  code: -1100,
  msg: `Illegal characters found in parameter '${parameter}'; legal range is '${LEGAL_RANGES[parameter]}'.`,
});
const empty = (parameter: string): BinanceError => ({
  status: 400,
  code: -1105,
  msg: `Parameter '${parameter}' was empty.`,
});

function answer(table: PriceTable, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const result =
    url.pathname === '/api/v3/ticker/price'
      ? tickerPrice(table, url.searchParams.get('symbol'), url.searchParams.get('symbols'))
      : { status: 404, code: -1, msg: 'Not found' };
  const [status, body] =
    'status' in result ? [result.status, { code: result.code, msg: result.msg }] : [200, result.body];
  response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  response.end(JSON.stringify(body));
}

function tickerPrice(
  table: PriceTable,
  single: string | null,
  list: string | null,
): BinanceError | { body: unknown } {
  if (single !== null && list !== null) return BOTH_PARAMETERS;
  const priceOf = (symbol: string) => {
    const price = table.priceOf(symbol);
    return price === undefined ? undefined : { symbol, price };
  };
  if (single !== null) {
    if (single === '') return empty('symbol');
    if (!LEGAL_SYMBOL.test(single)) return illegal('symbol');
    const found = priceOf(single);
    return found === undefined ? INVALID_SYMBOL : { body: found };
  }
  if (list !== null) {
    if (list === '') return empty('symbols');
    let symbols: unknown;
    try {
      symbols = JSON.parse(list);
    } catch {
      return illegal('symbols');
    }
    if (
      !Array.isArray(symbols) ||
      !symbols.every((item) => typeof item === 'string' && LEGAL_SYMBOL.test(item))
    )
      return illegal('symbols');
    const found = symbols.map(priceOf);
    if (found.some((item) => item === undefined)) return INVALID_SYMBOL;
    return { body: found };
  }
  return { body: table.symbols().map(priceOf) };
}
