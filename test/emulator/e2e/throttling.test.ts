import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { type HttpResult, request } from '../../support/http.ts';

const TEMPLATE = 'test/fixtures/auth/throttling/template.yaml';
/** The fixture's stage default: 5 requests per second, burst 5. */
const RATE = 5;
const BURST = 5;

describe('stage and route throttles at the gateway, as API Gateway applies them', function () {
  this.timeout(30_000);
  let api: TestApi;
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(`${api.url}${path}`, { headers });
  const logged = (word: string) => api.log.lines.function.filter((line) => line.includes(`"${word}"`)).length;
  /** Requests sent one after the other, each awaited: far faster than any limit here refills. */
  const inARow = async (path: string, count: number, headers: Record<string, string> = {}) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) statuses.push((await get(path, headers)).status);
    return statuses;
  };

  /**
   * Sends `count` requests at `perSecond`, each on its own schedule rather than after the previous answer, and
   * returns how many were throttled against what a token bucket predicts for that span: the burst, then the
   * rate for the time between the first request and the last.
   */
  const measure = async (path: string, perSecond: number, count: number) => {
    const interval = 1000 / perSecond;
    const started = performance.now();
    const pending: Promise<HttpResult>[] = [];
    for (let i = 0; i < count; i += 1) {
      const due = started + i * interval - performance.now();
      if (due > 0) await sleep(due);
      pending.push(get(path));
    }
    const span = (performance.now() - started) / 1000;
    const responses = await Promise.all(pending);
    const throttled = responses.filter((response) => response.status === 429);
    const allowed = responses.filter((response) => response.status === 200);
    const predicted = count - Math.min(count, Math.floor(BURST + RATE * span));
    return { throttled, allowed, predicted, responses, span };
  };

  before(async () => {
    api = await startTestApi(TEMPLATE);
    // A cold start during a measurement would stall the requests being sent; /roomy's limit is far away.
    await get('/dev/roomy');
  });
  after(async () => {
    await api?.close();
  });

  for (const kind of ['REST', 'HTTP API'] as const) {
    const path = kind === 'REST' ? '/dev/limited' : '/http-limited';

    it(`${kind}: at twice the stage rate for 2 s, the share of 429s is what a token bucket predicts, and throttled requests never reach the function`, async () => {
      const before = logged('invoked');

      // 20 requests at 10 per second: burst 5, then 5 per second for 1.9 s, i.e. about 14 let through, 6 not.
      const { throttled, allowed, predicted, responses, span } = await measure(path, RATE * 2, 20);

      expect(responses.every((response) => response.status === 200 || response.status === 429)).to.equal(
        true,
      );
      expect(span, 'the requests went out at the planned rate').to.be.within(1.8, 2.4);
      expect(throttled.length).to.be.within(predicted - 3, predicted + 3);
      expect(logged('invoked') - before).to.equal(allowed.length);
    });
  }

  it('REST THROTTLED: 429 {"message":"Too Many Requests"} with x-amzn-ErrorType TooManyRequestsException', async () => {
    const statuses = await inARow('/dev/tight', 2);
    const response = await get('/dev/tight');

    expect(statuses).to.deep.equal([200, 200]);
    expect(response.status).to.equal(429);
    expect(response.text()).to.equal('{"message":"Too Many Requests"}');
    expect(response.headers['x-amzn-errortype']).to.equal('TooManyRequestsException');
    expect(response.headers['x-amzn-requestid']).to.be.a('string');
  });

  it('HTTP API: a RouteSettings entry overrides DefaultRouteSettings for its route key, and answers 429 Too Many Requests', async () => {
    const statuses = await inARow('/http-tight', 4);
    const response = await get('/http-tight');

    expect(statuses).to.deep.equal([200, 200, 429, 429]);
    expect(response.status).to.equal(429);
    expect(response.text()).to.equal('{"message":"Too Many Requests"}');
    expect(response.headers['apigw-requestid']).to.be.a('string');
  });

  it('REST MethodSettings: a method of its own overrides /* * for that resource; the others keep the stage default', async () => {
    const roomy = await inARow('/dev/roomy', BURST * 3);

    expect(roomy.every((status) => status === 200)).to.equal(true);
  });

  it('each method has a bucket of its own: another method of the stage is not throttled by the first one being', async () => {
    await inARow('/dev/limited', BURST * 2);

    expect(await inARow('/dev/other', 1)).to.deep.equal([200]);
  });

  it('stage throttling comes before authorization: a throttled request does not invoke the Lambda authorizer', async () => {
    const before = logged('authorized');

    const statuses = await inARow('/dev/authorized', BURST * 2, { Authorization: 'allow' });

    // Invoking the authorizer takes time in which the bucket refills a little: count, rather than place, the 429s.
    const allowed = statuses.filter((status) => status === 200).length;
    expect(allowed).to.be.within(BURST, BURST + 2);
    expect(statuses.filter((status) => status === 429)).to.have.length(statuses.length - allowed);
    expect(logged('authorized') - before).to.equal(allowed);
  });
});
