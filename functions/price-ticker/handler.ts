import { fetchPrices, normalizeSymbols, priceSourceFromEnv, type TickerPrice } from '../shared/binance.ts';
import { type ApiResult, handleApiEvent, isApiEvent, jsonResponse } from '../shared/http.ts';
import { priceMetricRecord } from './metrics.ts';

const DEFAULT_SYMBOLS = 'BTCUSDT';
const DEFAULT_NAMESPACE = 'BinancePriceTicker';

export interface TickerResult {
  readonly prices: TickerPrice[];
}

/**
 * On its schedule: fetches `TICKER_SYMBOLS` in one call, writes each price as a CloudWatch metric and returns
 * `{"prices":[…]}`; a failure is thrown so that Lambda's asynchronous retries and error metrics see it.
 * Wired to an API instead, it answers the same prices over HTTP.
 */
export async function handler(event: unknown): Promise<TickerResult | ApiResult> {
  if (isApiEvent(event)) return handleApiEvent(event, async () => jsonResponse(200, await tick()));
  return tick();
}

async function tick(): Promise<TickerResult> {
  const symbols = normalizeSymbols((process.env.TICKER_SYMBOLS || DEFAULT_SYMBOLS).split(','));
  const prices = await fetchPrices(symbols, priceSourceFromEnv());
  const namespace = process.env.METRICS_NAMESPACE || DEFAULT_NAMESPACE;
  const now = Date.now();
  // EMF lines must reach the log as raw JSON: console.* would wrap them in Lambda's own log record.
  process.stdout.write(`${prices.map((price) => priceMetricRecord(namespace, price, now)).join('\n')}\n`);
  console.info({ msg: 'Prices fetched', prices });
  return { prices };
}
