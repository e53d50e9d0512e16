// The tests' upstream is the one `npm run local -- fake-binance` serves: one implementation of Binance's answers.
export {
  FAKE_PRICES,
  type FakeBinance,
  type Respond,
  startFakeBinance,
} from '../../emulator/fake-binance/server.ts';
