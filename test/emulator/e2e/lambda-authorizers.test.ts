import { expect } from 'chai';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

const TEMPLATE = 'test/fixtures/auth/lambda/template.yaml';

describe('Lambda authorizers at the gateway, as API Gateway runs them', function () {
  this.timeout(30_000);
  let api: TestApi;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    request(`${api.url}${path}`, { method, headers });
  const authorizerOf = async (path: string, headers: Record<string, string>) => {
    const response = await get(path, headers);
    expect(response.status, response.text()).to.equal(200);
    const body = response.json();
    if (typeof body !== 'object' || body === null || !('authorizer' in body))
      throw new Error(response.text());
    return body.authorizer;
  };

  before(async () => {
    api = await startTestApi(TEMPLATE);
  });
  after(async () => {
    await api?.close();
  });

  describe('REST TOKEN authorizer (the API default)', () => {
    it('a token its policy allows reaches the function, with principalId and the context as strings', async () => {
      const authorizer = await authorizerOf('/dev/items', { Authorization: 'Bearer allow-alice' });

      expect(authorizer).to.include({ principalId: 'allow-alice', type: 'TOKEN' });
      expect(authorizer)
        .to.have.property('methodArn')
        .that.matches(/^arn:aws:execute-api:us-east-1:123456789012:\w+\/dev\/GET\/items$/);
      expect(authorizer).to.have.property('integrationLatency').that.is.a('number');
    });

    it('context numbers and booleans arrive as strings', async () => {
      const authorizer = await authorizerOf('/dev/items', { Authorization: 'Bearer every-numbers' });

      expect(authorizer).to.include({ n: '7', ok: 'true' });
    });

    it('no Authorization header: 401 Unauthorized without calling the authorizer', async () => {
      const response = await get('/dev/items');

      expect(response.status).to.equal(401);
      expect(response.text()).to.equal('{"message":"Unauthorized"}');
      expect(response.headers['x-amzn-errortype']).to.equal('UnauthorizedException');
    });

    it('a token failing the ValidationExpression: 401, matched against the whole token', async () => {
      for (const value of ['Bearer UPPER', 'Basic allow-x', 'Bearer allow-x trailing']) {
        const response = await get('/dev/items', { Authorization: value });
        expect(response.status, value).to.equal(401);
      }
    });

    it("the authorizer's Error('Unauthorized') is a 401", async () => {
      const response = await get('/dev/items', { Authorization: 'Bearer unauthorized-1' });

      expect(response.status).to.equal(401);
      expect(response.text()).to.equal('{"message":"Unauthorized"}');
    });

    it('an explicit Deny is 403 saying so; a policy that allows something else is 403 without it', async () => {
      const deny = await get('/dev/items', { Authorization: 'Bearer deny-bob' });
      const nothing = await get('/dev/items', { Authorization: 'Bearer nothing-bob' });

      expect(deny.status).to.equal(403);
      expect(deny.text()).to.equal(
        '{"Message":"User is not authorized to access this resource with an explicit deny"}',
      );
      expect(nothing.status).to.equal(403);
      expect(nothing.text()).to.equal('{"Message":"User is not authorized to access this resource"}');
    });

    it('a crash, an answer without a policy, or a nested context value: 500 AuthorizerConfigurationException', async () => {
      for (const token of ['crash-1', 'malformed-1', 'nested-1']) {
        const response = await get('/dev/items', { Authorization: `Bearer ${token}` });
        expect(response.status, token).to.equal(500);
        expect(response.headers['x-amzn-errortype'], token).to.equal('AuthorizerConfigurationException');
      }
    });

    it('caches the answer per token: the authorizer runs once for many requests within its TTL', async () => {
      const first = await authorizerOf('/dev/items', { Authorization: 'Bearer allow-cached' });
      const again = await authorizerOf('/dev/items', { Authorization: 'Bearer allow-cached' });
      const other = await authorizerOf('/dev/items', { Authorization: 'Bearer allow-other' });

      expect(again).to.deep.include({ calls: (first as { calls: string }).calls });
      expect(other).not.to.deep.include({ calls: (first as { calls: string }).calls });
    });

    it('applies a cached policy to other methods as AWS does: allowed for this method only, so 403 on another', async () => {
      await authorizerOf('/dev/items', { Authorization: 'Bearer allow-one-method' });

      const other = await get('/dev/items/7', { Authorization: 'Bearer allow-one-method' }, 'DELETE');

      expect(other.status).to.equal(403);
    });

    it('calls the authorizer again once ReauthorizeEvery has passed', async () => {
      const first = await authorizerOf('/dev/short', { Authorization: 'Bearer allow-ttl' });
      const cached = await authorizerOf('/dev/short', { Authorization: 'Bearer allow-ttl' });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const later = await authorizerOf('/dev/short', { Authorization: 'Bearer allow-ttl' });

      const calls = (value: unknown) => (value as { calls: string }).calls;
      expect(calls(cached)).to.equal(calls(first));
      expect(calls(later)).not.to.equal(calls(first));
    });

    it('an authorizer whose function is not in the template is a 500, and the log says why', async () => {
      const response = await get('/dev/external', { Authorization: 'Bearer allow-x' });

      expect(response.status).to.equal(500);
      expect(api.log.lines.warn.join('\n')).to.include(
        'authorizer ExternalAuth: its function arn:aws:lambda:us-east-1:123456789012:function:shared-authorizer is not in this template',
      );
    });

    it('with ReauthorizeEvery 0, calls the authorizer on every request', async () => {
      const first = await authorizerOf('/dev/uncached', { Authorization: 'Bearer allow-u' });
      const second = await authorizerOf('/dev/uncached', { Authorization: 'Bearer allow-u' });

      expect(second).not.to.deep.include({ calls: (first as { calls: string }).calls });
    });

    it("SAM puts the default authorizer on the CORS preflight: a browser's OPTIONS, without credentials, is 401", async () => {
      const preflight = { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' };

      const guarded = await get('/dev/items', preflight, 'OPTIONS');
      const open = await get('/pf/preflight-open', preflight, 'OPTIONS');

      expect(guarded.status).to.equal(401);
      expect(open.status).to.equal(200);
      expect(open.headers['access-control-allow-origin']).to.equal('*');
    });

    it('Authorizer: NONE opens the route', async () => {
      expect((await get('/dev/open')).status).to.equal(200);
    });
  });

  describe('an authorizer declared in the OpenAPI definition (x-amazon-apigateway-authorizer)', () => {
    it('guards the operations whose security names it, as one declared in SAM Auth does', async () => {
      const missing = await get('/oas/defined');
      const allowed = await authorizerOf('/oas/defined', { Authorization: 'Bearer allow-oas' });

      expect(missing.status).to.equal(401);
      expect(allowed).to.include({ principalId: 'allow-oas', type: 'TOKEN' });
    });
  });

  describe('REST REQUEST authorizer', () => {
    it('gets the headers, query strings and stage variables, and lets the request through', async () => {
      const authorizer = await authorizerOf('/dev/by-request?tenant=t1', { 'X-User': 'carol' });

      expect(authorizer).to.include({
        principalId: 'carol',
        tenant: 't1',
        stageTenant: 'acme',
        type: 'REQUEST',
      });
    });

    it('a missing identity source is 401 without calling it', async () => {
      expect((await get('/dev/by-request?tenant=t1')).status).to.equal(401);
      expect((await get('/dev/by-request', { 'X-User': 'carol' })).status).to.equal(401);
    });
  });

  describe('HTTP API Lambda authorizers', () => {
    it('simple responses: isAuthorized true reaches the function with requestContext.authorizer.lambda', async () => {
      const authorizer = await authorizerOf('/simple', { Authorization: 'letmein' });

      expect(authorizer).to.have.nested.property('lambda.version', '2.0');
      expect(authorizer)
        .to.have.nested.property('lambda.routeArn')
        .that.matches(/\/\$default\/GET\/simple$/);
    });

    it('simple responses: isAuthorized false is 403 Forbidden; no identity is 401', async () => {
      const forbidden = await get('/simple', { Authorization: 'nope' });
      const missing = await get('/simple');

      expect(forbidden.status).to.equal(403);
      expect(forbidden.text()).to.equal('{"message":"Forbidden"}');
      expect(missing.status).to.equal(401);
      expect(missing.text()).to.equal('{"message":"Unauthorized"}');
    });

    it('payload 1.0 with an IAM policy answer: Allow passes, Deny is 403 Forbidden', async () => {
      const allowed = await authorizerOf('/policy', { Authorization: 'letmein' });
      const denied = await get('/policy', { Authorization: 'other' });

      expect(allowed).to.have.nested.property('lambda.version', '1.0');
      expect(denied.status).to.equal(403);
      expect(denied.text()).to.equal('{"message":"Forbidden"}');
    });

    it('Authorizer: NONE opens an HTTP API route', async () => {
      expect((await get('/open')).status).to.equal(200);
    });
  });
});
