import { expect } from 'chai';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

const TEMPLATE = 'test/fixtures/auth/api-keys/template.yaml';
const PARTNER = 'partner-key-0123456789abcdef';

describe('API keys and usage plans at the gateway, as API Gateway checks them', function () {
  this.timeout(30_000);
  let api: TestApi;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    request(`${api.url}${path}`, { method, headers });
  const invocations = () => api.log.lines.function.filter((line) => line.includes('"invoked"')).length;
  const expectForbidden = (response: Awaited<ReturnType<typeof get>>) => {
    expect(response.status, response.text()).to.equal(403);
    expect(response.text()).to.equal('{"message":"Forbidden"}');
    expect(response.headers['x-amzn-errortype']).to.equal('ForbiddenException');
  };

  before(async () => {
    api = await startTestApi(TEMPLATE);
  });
  after(async () => {
    await api?.close();
  });

  it('a key of a usage plan of the API reaches the function as requestContext.identity.apiKey and apiKeyId', async () => {
    const response = await get('/dev/keyed', { 'x-api-key': PARTNER });

    expect(response.status, response.text()).to.equal(200);
    expect(response.json()).to.deep.equal({ apiKey: PARTNER, apiKeyId: '4bz6iqb1lj' });
  });

  it('INVALID_API_KEY: no x-api-key, an unknown key, a disabled key, or a key of no plan of this API is 403 Forbidden, and the function is not invoked', async () => {
    const before = invocations();
    const refused: Record<string, string>[] = [
      {},
      { 'x-api-key': 'not-a-key-of-this-template' },
      { 'x-api-key': 'disabled-key-0123456789abcdef' },
      { 'x-api-key': 'unplanned-key-0123456789abcdef' },
    ];
    for (const headers of refused) {
      expectForbidden(await get('/dev/keyed', headers));
    }
    expect(invocations()).to.equal(before);
  });

  it('a method whose event says ApiKeyRequired: false is open on an API that requires keys', async () => {
    const response = await get('/dev/open');

    expect(response.status).to.equal(200);
    expect(response.json()).to.deep.equal({});
  });

  it('CreateUsagePlan PER_API: the key SAM generates has a value, printed at start, that the API accepts', async () => {
    const line = api.log.lines.info
      .flatMap((block) => block.split('\n'))
      .find((each) => each.trim().startsWith('GeneratedKeyApiApiKey'));
    const value = line?.trim().split(/\s+/)[1] ?? '';

    expect(value).to.match(/^[A-Za-z0-9]{40}$/);
    expect((await get('/dev/generated', { 'x-api-key': value })).status).to.equal(200);
    expectForbidden(await get('/dev/generated', { 'x-api-key': PARTNER }));
  });

  it('QUOTA_EXCEEDED: past the plan quota a key gets 429 Limit Exceeded, without the function being invoked', async () => {
    const key = { 'x-api-key': 'quota-key-0123456789abcdef' };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get('/dev/quota', key)).status);
    const before = invocations();

    const over = await get('/dev/quota', key);

    expect(statuses).to.deep.equal([200, 200, 200]);
    expect(over.status).to.equal(429);
    expect(over.text()).to.equal('{"message":"Limit Exceeded"}');
    expect(over.headers['x-amzn-errortype']).to.equal('LimitExceededException');
    expect(invocations()).to.equal(before);
    // The quota is the key's: another key of the API is still let through.
    expect((await get('/dev/quota', { 'x-api-key': PARTNER })).status).to.equal(200);
  });

  it("THROTTLED: past the plan's burst a key gets 429 Too Many Requests, other keys unaffected", async () => {
    const key = { 'x-api-key': 'throttled-key-0123456789abcdef' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await get('/dev/keyed', key)).status);

    const throttled = await get('/dev/keyed', key);

    // Burst 2, then 1 per second: the 4 requests of a few milliseconds get 2 tokens.
    expect(statuses).to.deep.equal([200, 200, 429, 429]);
    expect(throttled.text()).to.equal('{"message":"Too Many Requests"}');
    expect(throttled.headers['x-amzn-errortype']).to.equal('TooManyRequestsException');
    expect((await get('/dev/keyed', { 'x-api-key': PARTNER })).status).to.equal(200);
  });

  it('ApiKeySourceType AUTHORIZER: the key is the usageIdentifierKey the Lambda authorizer returns, not x-api-key', async () => {
    const allowed = await get('/dev/from-authorizer', { Authorization: PARTNER });
    const unknown = await get('/dev/from-authorizer', {
      Authorization: 'not-a-key',
      'x-api-key': PARTNER,
    });

    expect(allowed.status, allowed.text()).to.equal(200);
    expect(allowed.json()).to.include({ apiKey: PARTNER });
    expectForbidden(unknown);
  });

  it('AddApiKeyRequiredToCorsPreflight (default true): a browser preflight, which carries no key, gets 403', async () => {
    const preflight = { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' };

    expectForbidden(await get('/dev/keyed', preflight, 'OPTIONS'));
    const keyed = await get('/dev/keyed', { ...preflight, 'x-api-key': PARTNER }, 'OPTIONS');
    expect(keyed.status).to.equal(200);
    expect(keyed.headers['access-control-allow-origin']).to.equal('*');
  });
});
