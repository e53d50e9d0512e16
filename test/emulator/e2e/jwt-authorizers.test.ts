import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { loadOrCreateLocalKey } from '../../../emulator/local-issuer/key.ts';
import { signToken } from '../../../emulator/local-issuer/token.ts';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { startTestIssuer, type TestIssuer } from '../../support/issuer.ts';

const TEMPLATE = 'test/fixtures/auth/jwt/template.yaml';
const AUTH0 = 'https://example.eu.auth0.com/';

describe('HTTP API JWT authorizers, as API Gateway checks tokens', function () {
  this.timeout(30_000);
  let issuer: TestIssuer;
  let api: TestApi;
  let keyDir: string;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: issuer.url,
    sub: 'alice',
    aud: 'prices-api',
    iat: now() - 10,
    exp: now() + 600,
    ...extra,
  });
  const get = (route: string, token?: string) =>
    request(`${api.url}${route}`, token === undefined ? {} : { headers: { Authorization: token } });
  const authorizerOf = async (route: string, token: string) => {
    const response = await get(route, token);
    expect(response.status, response.text()).to.equal(200);
    const body = response.json();
    if (typeof body !== 'object' || body === null || !('authorizer' in body))
      throw new Error(response.text());
    return body.authorizer;
  };
  const expectInvalidToken = async (token: string, description: string) => {
    const response = await get('/me', `Bearer ${token}`);
    expect(response.status).to.equal(401);
    expect(response.text()).to.equal('{"message":"Unauthorized"}');
    expect(response.headers['www-authenticate']).to.equal(
      `Bearer scope="" error="invalid_token" error_description="${description}"`,
    );
  };

  before(async () => {
    issuer = await startTestIssuer();
    keyDir = mkdtempSync(path.join(tmpdir(), 'jwt-authorizers-'));
    const localKey = loadOrCreateLocalKey(path.join(keyDir, 'key.json'));
    api = await startTestApi(TEMPLATE, {
      parameterOverrides: { Issuer: issuer.url },
      jwtTrust: { localIssuers: new Set([AUTH0]), localKey: () => localKey },
    });
  });
  after(async () => {
    await api?.close();
    await issuer?.close();
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  });

  describe('a token the issuer signed', () => {
    it('with one of the route scopes reaches the function, claims as strings and the token scopes in jwt', async () => {
      const token = issuer.sign(claims({ scope: 'prices:read profile', groups: ['admin', 'users'], n: 7 }));

      const authorizer = await authorizerOf('/prices', `Bearer ${token}`);

      expect(authorizer).to.deep.equal({
        jwt: {
          claims: {
            ...Object.fromEntries(Object.entries(claims()).map(([k, v]) => [k, String(v)])),
            scope: 'prices:read profile',
            groups: '[admin users]',
            n: '7',
          },
          scopes: ['prices:read', 'profile'],
        },
      });
    });

    it('is taken alone as well as after Bearer (the identitySource can include only the token)', async () => {
      const token = issuer.sign(claims());

      expect((await get('/me', token)).status).to.equal(200);
      expect((await get('/me', `Bearer ${token}`)).status).to.equal(200);
    });

    it('on a route without scopes has scopes null, whatever the token carries', async () => {
      const authorizer = await authorizerOf('/me', issuer.sign(claims({ scope: 'prices:read' })));

      expect(authorizer).to.have.nested.property('jwt.scopes', null);
    });

    it('reaches a payload 1.0 integration as requestContext.authorizer.claims', async () => {
      const authorizer = await authorizerOf('/v1/me', issuer.sign(claims()));

      expect(authorizer).to.have.nested.property('claims.sub', 'alice');
      expect(authorizer).to.have.property('scopes', null);
    });

    it('is checked against keys fetched once (discovery, then jwks_uri) and cached', async () => {
      for (let i = 0; i < 3; i++) await get('/me', issuer.sign(claims()));

      expect(issuer.requests.filter((url) => url === '/.well-known/openid-configuration')).to.have.length(1);
      expect(issuer.requests.filter((url) => url === '/keys.json')).to.have.length(1);
    });
  });

  describe('401 Unauthorized with www-authenticate (http-api-troubleshooting-jwt)', () => {
    it('no token: 401 {"message":"Unauthorized"} without reaching the function', async () => {
      const response = await get('/me');

      expect(response.status).to.equal(401);
      expect(response.text()).to.equal('{"message":"Unauthorized"}');
    });

    it('a wrong signature: signed by another key under the issuer kid', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

      await expectInvalidToken(issuer.sign(claims(), { key: privateKey }), 'the token is not valid');
    });

    it('an algorithm API Gateway does not accept (only RSA-based algorithms are supported)', async () => {
      const [, payload] = issuer.sign(claims()).split('.');
      const none = `${Buffer.from('{"alg":"none","kid":"test-key-1"}').toString('base64url')}.${payload}.`;
      const hmac = issuer.sign(claims(), { alg: 'HS256' });

      await expectInvalidToken(none, 'the token is not valid');
      await expectInvalidToken(hmac, 'the token is not valid');
    });

    it('a kid the JWKS does not have', async () => {
      await expectInvalidToken(issuer.sign(claims(), { kid: 'unknown' }), 'the token is not valid');
    });

    it('exp must be after the current time', async () => {
      await expectInvalidToken(issuer.sign(claims({ exp: now() - 1 })), 'the token has expired');
    });

    it('nbf must be before the current time', async () => {
      await expectInvalidToken(issuer.sign(claims({ nbf: now() + 300 })), 'the token is not valid yet');
    });

    it('iss must match the issuer configured for the authorizer', async () => {
      await expectInvalidToken(
        issuer.sign(claims({ iss: 'https://evil.example.com' })),
        'the token does not have a valid issuer',
      );
    });

    it('aud must match one of the audience entries', async () => {
      await expectInvalidToken(
        issuer.sign(claims({ aud: 'someone-else' })),
        'the token does not have a valid audience',
      );
    });

    it('client_id is validated only when aud is absent; aud wins when both are present', async () => {
      const { aud: _, ...withoutAud } = claims();

      expect((await get('/me', issuer.sign({ ...withoutAud, client_id: 'other-api' }))).status).to.equal(200);
      await expectInvalidToken(
        issuer.sign(claims({ aud: ['nobody'], client_id: 'prices-api' })),
        'the token does not have a valid audience',
      );
    });
  });

  describe('403 Forbidden for a missing scope', () => {
    it('the token must include at least one of the route scopes (scope or scp)', async () => {
      const response = await get('/prices', `Bearer ${issuer.sign(claims({ scope: 'profile' }))}`);

      expect(response.status).to.equal(403);
      expect(response.text()).to.equal('{"message":"Forbidden"}');
      expect(response.headers['www-authenticate']).to.match(
        /^Bearer scope="prices:read prices:admin" error="insufficient_scope"/,
      );
      expect((await get('/prices', issuer.sign(claims({ scp: ['prices:admin'] })))).status).to.equal(200);
    });
  });

  describe('an issuer trusted locally (--jwt-issuer ISSUER=local)', () => {
    it("accepts a token of the emulator's own key from the query string, never the issuer's JWKS", async () => {
      const localKey = loadOrCreateLocalKey(path.join(keyDir, 'key.json'));
      const token = signToken(localKey, {
        issuer: AUTH0,
        subject: 'bob',
        audience: ['https://prices.example.com'],
        scopes: [],
        expiresInSeconds: 60,
        claims: {},
      });

      const response = await request(`${api.url}/tenant?access_token=${token}`);

      expect(response.status, response.text()).to.equal(200);
      expect(response.json()).to.have.nested.property('authorizer.jwt.claims.sub', 'bob');
    });

    it('refuses a token for that issuer signed by any other key', async () => {
      const token = issuer.sign(claims({ iss: AUTH0, aud: 'https://prices.example.com' }));

      expect((await request(`${api.url}/tenant?access_token=${token}`)).status).to.equal(401);
    });
  });

  it('open routes stay open', async () => {
    expect((await get('/open')).status).to.equal(200);
  });

  it('property: no token that was not signed by the issuer key is ever accepted (tampered header, payload, signature)', async () => {
    const good = issuer.sign(claims({ scope: 'prices:read' }));
    expect((await get('/prices', good)).status).to.equal(200);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const parts = good.split('.');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.nat(),
        fc.constantFrom(...alphabet),
        async (which, at, replacement) => {
          const part = parts[which] ?? '';
          const index = at % part.length;
          fc.pre(part[index] !== replacement);
          const tampered = [...parts];
          tampered[which] = `${part.slice(0, index)}${replacement}${part.slice(index + 1)}`;
          const response = await get('/prices', tampered.join('.'));
          expect(response.status).to.be.oneOf([401, 403]);
        },
      ),
      { numRuns: 80 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 12 }), fc.string(), async (name, value) => {
        // A payload re-encoded with a claim changed or added keeps the original signature: never valid.
        const payload = { ...claims({ scope: 'prices:read' }), [name]: value };
        const forged = `${parts[0]}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${parts[2]}`;
        fc.pre(forged !== good);
        expect((await get('/prices', forged)).status).to.be.oneOf([401, 403]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('an HTTP API JWT issuer that cannot be reached', function () {
  this.timeout(30_000);
  let api: TestApi;
  let issuerUrl: string;

  before(async () => {
    // Started and stopped at once: its port then refuses connections, as an issuer does offline.
    const issuer = await startTestIssuer();
    issuerUrl = issuer.url;
    await issuer.close();
    api = await startTestApi(TEMPLATE, { parameterOverrides: { Issuer: issuerUrl } });
  });
  after(async () => {
    await api?.close();
  });

  it('answers 500 and logs how to trust the local key instead', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: issuerUrl, aud: 'prices-api', exp: now + 60 };
    const token = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

    const response = await request(`${api.url}/me`, { headers: { Authorization: token } });

    expect(response.status).to.equal(500);
    expect(response.text()).to.equal('{"message":"Internal Server Error"}');
    expect(api.log.lines.warn.join('\n')).to.include(`--jwt-issuer ${issuerUrl}=local`);
  });
});
