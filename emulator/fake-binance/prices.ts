/** Where the fake upstream's prices come from: every symbol it knows, and the price of one right now. */
export interface PriceTable {
  symbols(): readonly string[];
  /** The decimal string Binance would send (`"97000.12000000"`), or `undefined` for a symbol it does not list. */
  priceOf(symbol: string): string | undefined;
}

/** The same prices every time, as the tests want them. */
export function fixedPrices(prices: Readonly<Record<string, string>>): PriceTable {
  return {
    symbols: () => Object.keys(prices),
    priceOf: (symbol) => (Object.hasOwn(prices, symbol) ? prices[symbol] : undefined),
  };
}

/** Roughly where these pairs traded; the moving prices wander around them. */
const BASE_PRICES: Readonly<Record<string, number>> = {
  BTCUSDT: 97_000,
  ETHUSDT: 3_100,
  BNBUSDT: 610,
  SOLUSDT: 190,
  XRPUSDT: 2.2,
  ADAUSDT: 0.9,
  DOGEUSDT: 0.32,
  LTCUSDT: 105,
  DOTUSDT: 7.5,
  LINKUSDT: 21,
  ETHBTC: 0.032,
  BNBBTC: 0.0063,
};

/** Three slow waves per symbol: under ±0.7% in all, so a price moves a little every second and never jumps. */
const WAVES = [
  { periodMs: 97_000, amplitude: 0.005 },
  { periodMs: 13_000, amplitude: 0.0015 },
  { periodMs: 3_100, amplitude: 0.0004 },
] as const;

/**
 * Prices that look like a market's: near where each pair trades, changing over time. A pure function of the
 * clock (no random state), so that two requests in the same millisecond agree and a test can pin the time.
 */
export function movingPrices(now: () => number = Date.now): PriceTable {
  return {
    symbols: () => Object.keys(BASE_PRICES),
    priceOf(symbol) {
      const base = Object.hasOwn(BASE_PRICES, symbol) ? BASE_PRICES[symbol] : undefined;
      if (base === undefined) return undefined;
      const t = now();
      const phase = phaseOf(symbol);
      let factor = 1;
      for (const [index, wave] of WAVES.entries()) {
        factor += wave.amplitude * Math.sin((2 * Math.PI * t) / wave.periodMs + phase * (index + 1));
      }
      return formatPrice(base * factor);
    },
  };
}

/** Binance sends 8 decimals, the unused ones as zeros, after rounding to the pair's tick size. */
function formatPrice(price: number): string {
  const tickDecimals = price >= 1000 ? 2 : price >= 1 ? 4 : 8;
  return Number(price.toFixed(tickDecimals)).toFixed(8);
}

/** A fixed phase per symbol, so that the pairs do not all rise and fall together. */
function phaseOf(symbol: string): number {
  let hash = 0;
  for (const char of symbol) hash = (hash * 31 + char.charCodeAt(0)) % 10_007;
  return (hash / 10_007) * 2 * Math.PI;
}
