import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type Respond = (request: IncomingMessage, response: ServerResponse) => void;

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

/**
 * A real HTTP server on 127.0.0.1 that answers `GET /api/v3/ticker/price` as Binance documents it, from a
 * fixed price table, so end-to-end tests exercise real sockets without touching the internet.
 */
export async function startFakeBinance(
  options: { prices?: Readonly<Record<string, string>>; port?: number } = {},
): Promise<FakeBinance> {
  const prices = options.prices ?? FAKE_PRICES;
  const requests: string[] = [];
  let override: Respond | undefined;
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (override !== undefined) {
      override(request, response);
      return;
    }
    answerFromTable(prices, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('fake Binance is not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    respondWith(respond) {
      override = respond;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function answerFromTable(
  prices: Readonly<Record<string, string>>,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify(body));
  };
  if (url.pathname !== '/api/v3/ticker/price') return send(404, { code: -1, msg: 'Not found' });
  const single = url.searchParams.get('symbol');
  const list = url.searchParams.get('symbols');
  const priceOf = (symbol: string) => {
    const price = prices[symbol];
    return price === undefined ? undefined : { symbol, price };
  };
  if (single !== null) {
    const found = priceOf(single);
    return found ? send(200, found) : send(400, { code: -1121, msg: 'Invalid symbol.' });
  }
  if (list !== null) {
    let symbols: unknown;
    try {
      symbols = JSON.parse(list);
    } catch {
      return send(400, { code: -1100, msg: "Illegal characters found in parameter 'symbols'." });
    }
    if (!Array.isArray(symbols))
      return send(400, { code: -1100, msg: "Illegal characters found in parameter 'symbols'." });
    const found = symbols.map((symbol) => priceOf(String(symbol)));
    if (found.some((item) => item === undefined)) return send(400, { code: -1121, msg: 'Invalid symbol.' });
    return send(200, found);
  }
  return send(200, Object.keys(prices).map(priceOf));
}
