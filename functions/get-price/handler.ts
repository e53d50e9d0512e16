import { fetchPrices, normalizeSymbols, priceSourceFromEnv } from '../shared/binance.ts';
import { HttpError } from '../shared/errors.ts';
import { type ApiRequest, type ApiResult, handleApiEvent, jsonResponse } from '../shared/http.ts';

// Prices move every second; a few seconds of caching absorbs bursts without serving stale data for long.
const SUCCESS_CACHE_CONTROL = 'public, max-age=5';

/**
 * `GET /price?symbol=BTCUSDT` → `{"symbol","price"}`; several symbols (`symbol` repeated, or
 * `symbols=A,B`) → `{"prices":[…]}` in request order, fetched in one upstream call.
 */
export async function handler(event: unknown): Promise<ApiResult> {
  return handleApiEvent(event, getPrice);
}

async function getPrice(request: ApiRequest): Promise<ApiResult> {
  const requested = requestedSymbols(request.query);
  const symbols = normalizeSymbols(requested);
  if (symbols.length === 0) throw new HttpError(400, 'Symbol query parameter not defined');
  const prices = await fetchPrices(symbols, priceSourceFromEnv());
  const asList = requested.length > 1 || request.query.has('symbols');
  return jsonResponse(200, asList ? { prices } : prices[0], { 'Cache-Control': SUCCESS_CACHE_CONTROL });
}

/** Every symbol the query names, in order: `symbol` (repeatable) and `symbols` (comma-separated). */
function requestedSymbols(query: URLSearchParams): string[] {
  // An HTTP API event without rawQueryString joins a repeated `symbol` with commas, so split both.
  return [...query.getAll('symbol'), ...query.getAll('symbols')].flatMap((value) => value.split(','));
}
