import { expect } from 'chai';
import { checkApiKey } from '../../../../emulator/gateway/limits/api-keys.ts';
import { UsageLimits } from '../../../../emulator/gateway/limits/limits.ts';
import { stageThrottleOf } from '../../../../emulator/gateway/limits/stage-throttle.ts';
import type { ApiModel, RouteModel, UsagePlansModel } from '../../../../emulator/template/model.ts';

const API: ApiModel = {
  logicalId: 'Api',
  kind: 'rest',
  physicalId: 'abcdefghij',
  stageName: 'dev',
  stageVariables: undefined,
  binaryMediaTypes: [],
  cors: undefined,
};

const route = (method: string, path: string, kind: RouteModel['kind'] = 'rest'): RouteModel => ({
  apiId: 'Api',
  kind,
  method,
  path,
  functionId: 'Fn',
  eventId: 'Get',
  payloadVersion: kind === 'rest' ? '1.0' : '2.0',
  integrationTimeoutMs: 29_000,
});

const PLANS: UsagePlansModel = {
  keys: [
    { logicalId: 'Key', id: 'keyid00001', value: 'the-key', enabled: true, generated: false },
    { logicalId: 'Off', id: 'keyid00002', value: 'off-key', enabled: false, generated: false },
  ],
  plans: [
    {
      logicalId: 'Plan',
      apiIds: ['Api'],
      keyIds: ['Key', 'Off'],
      throttle: { rateLimit: 1, burstLimit: 3 },
      methodThrottles: new Map([['Api POST /items', { rateLimit: 1, burstLimit: 1 }]]),
      quota: { limit: 5, period: 'DAY', offset: 0 },
    },
  ],
};

describe('API key checks and usage plan limits', () => {
  const check = (key: string | undefined, limits: UsageLimits, method = 'GET', api = API) =>
    checkApiKey({ api, method, path: '/items', key, usagePlans: PLANS }, limits);

  it('an enabled key of a plan of the API is let through with its value and id for requestContext.identity', () => {
    expect(check('the-key', new UsageLimits(() => 0))).to.deep.equal({
      allowed: true,
      identity: { apiKey: 'the-key', apiKeyId: 'keyid00001' },
    });
  });

  it('no key, an unknown key, a disabled key, a key of no plan of this API: 403 Forbidden, each with its reason', () => {
    const limits = new UsageLimits(() => 0);
    const outcomes = [
      check(undefined, limits),
      check('nope', limits),
      check('off-key', limits),
      check('the-key', limits, 'GET', { ...API, logicalId: 'Other' }),
    ];

    for (const outcome of outcomes) {
      expect(outcome.allowed).to.equal(false);
      if (outcome.allowed) continue;
      expect(outcome.response.statusCode).to.equal(403);
      expect(outcome.response.body.toString()).to.equal('{"message":"Forbidden"}');
      expect(outcome.response.headers).to.deep.include(['x-amzn-ErrorType', 'ForbiddenException']);
    }
    expect(outcomes.map((outcome) => (outcome.allowed ? '' : outcome.reason))).to.deep.equal([
      'API key required: no x-api-key',
      'x-api-key is not an API key of this template',
      'API key Off is not Enabled',
      'API key Key is in no usage plan of Other',
    ]);
  });

  it("the plan's per-key throttle: its burst, then 429 Too Many Requests until the bucket refills", () => {
    let now = 0;
    const limits = new UsageLimits(() => now);
    const statuses = () => {
      const outcome = check('the-key', limits);
      return outcome.allowed ? 200 : outcome.response.statusCode;
    };

    const burst = [statuses(), statuses(), statuses(), statuses()];
    now = 1000;

    expect(burst).to.deep.equal([200, 200, 200, 429]);
    expect(statuses()).to.equal(200);
  });

  it("a plan's per-method throttle replaces its plan-wide one for that method", () => {
    const limits = new UsageLimits(() => 0);

    const post = [check('the-key', limits, 'POST').allowed, check('the-key', limits, 'POST').allowed];

    expect(post).to.deep.equal([true, false]);
    expect(check('the-key', limits, 'GET').allowed).to.equal(true);
  });

  it('QUOTA_EXCEEDED: past the quota, 429 Limit Exceeded; requests the throttle refused do not count', () => {
    let now = 0;
    const limits = new UsageLimits(() => now);
    const bodies: string[] = [];
    const send = () => {
      const outcome = check('the-key', limits);
      bodies.push(outcome.allowed ? 'ok' : outcome.response.body.toString());
    };

    // Quota 5, burst 3 at 1 per second: the 4th request is throttled, and so the 5th allowed one is the 6th sent.
    for (let i = 0; i < 4; i += 1) send();
    for (let i = 0; i < 3; i += 1) {
      now += 1000;
      send();
    }

    expect(bodies).to.deep.equal([
      'ok',
      'ok',
      'ok',
      '{"message":"Too Many Requests"}',
      'ok',
      'ok',
      '{"message":"Limit Exceeded"}',
    ]);
  });
});

describe('the stage throttle of a route', () => {
  const throttled: ApiModel = {
    ...API,
    throttle: {
      default: { rateLimit: 10, burstLimit: 20 },
      routes: new Map([
        ['GET /items', { rateLimit: 1, burstLimit: undefined }],
        ['* /all', { rateLimit: 2, burstLimit: 2 }],
      ]),
    },
  };

  it('a method of its own overrides the stage default, an unset limit falling back to it', () => {
    expect(stageThrottleOf(throttled, route('GET', '/items'))?.limits).to.deep.equal({
      rateLimit: 1,
      burstLimit: 20,
    });
    expect(stageThrottleOf(throttled, route('POST', '/items'))?.limits).to.deep.equal({
      rateLimit: 10,
      burstLimit: 20,
    });
    expect(stageThrottleOf(throttled, route('DELETE', '/all'))?.limits).to.deep.equal({
      rateLimit: 2,
      burstLimit: 2,
    });
  });

  it('each method draws from a bucket of its own', () => {
    expect(stageThrottleOf(throttled, route('GET', '/items'))?.id).to.not.equal(
      stageThrottleOf(throttled, route('POST', '/items'))?.id,
    );
  });

  it('HTTP API routes are found by route key, $default included; no throttle on the stage: none', () => {
    const http: ApiModel = {
      ...API,
      kind: 'http',
      throttle: { default: undefined, routes: new Map([['$default', { rateLimit: 3, burstLimit: 4 }]]) },
    };

    expect(stageThrottleOf(http, route('ANY', '$default', 'http'))?.limits).to.deep.equal({
      rateLimit: 3,
      burstLimit: 4,
    });
    expect(stageThrottleOf(http, route('GET', '/x', 'http'))).to.equal(undefined);
    expect(stageThrottleOf(API, route('GET', '/items'))).to.equal(undefined);
  });
});
