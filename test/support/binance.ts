import nock from 'nock';

/** Where the unit tests point BINANCE_API_URL; nock answers for it, nothing leaves the process. */
export const FAKE_BINANCE_URL = 'https://binance.test';
export const TICKER_PATH = '/api/v3/ticker/price';

export function binance(): nock.Scope {
  return nock(FAKE_BINANCE_URL);
}

/** Sets the environment variables the functions read, restoring the previous values afterwards. */
export function useFunctionEnv(values: Record<string, string>): void {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const [key, value] of Object.entries(values)) {
      saved.set(key, process.env[key]);
      process.env[key] = value;
    }
  });
  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

/** Blocks real network access for the suite and checks that each test used every interceptor it set up. */
export function useNock(): void {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());
}
