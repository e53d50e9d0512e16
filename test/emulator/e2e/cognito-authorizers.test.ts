import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { type LocalKey, loadOrCreateLocalKey } from '../../../emulator/local-issuer/key.ts';
import { signClaims, signToken } from '../../../emulator/local-issuer/token.ts';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { startTestIssuer } from '../../support/issuer.ts';

const TEMPLATE = 'test/fixtures/auth/cognito/template.yaml';
/** What the fixture's `UserPoolArn` (eu-west-1, pool eu-west-1_Example1) makes the issuer. */
const POOL_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example1';

describe('REST Cognito user pool authorizers, the pool trusted locally', function () {
  this.timeout(30_000);
  let api: TestApi;
  let keyDir: string;
  let key: LocalKey;
  const now = () => Math.floor(Date.now() / 1000);
  const idToken = (extra: Record<string, unknown> = {}) =>
    signClaims(key, {
      iss: POOL_ISSUER,
      sub: 'alice',
      aud: 'app-client',
      token_use: 'id',
      email: 'alice@example.com',
      'cognito:groups': ['admin', 'users'],
      iat: now() - 10,
      exp: now() + 600,
      ...extra,
    });
  const accessToken = (scopes: string[]) =>
    signToken(key, {
      issuer: POOL_ISSUER,
      subject: 'alice',
      audience: [],
      scopes,
      expiresInSeconds: 600,
      claims: { client_id: 'app-client' },
    });
  const get = (route: string, headers: Record<string, string> = {}) =>
    request(`${api.url}/dev${route}`, { headers });
  const expectUnauthorized = async (
    route: string,
    headers: Record<string, string>,
    body = '{"message":"Unauthorized"}',
  ) => {
    const response = await get(route, headers);
    expect(response.status).to.equal(401);
    expect(response.text()).to.equal(body);
    expect(response.headers['x-amzn-errortype']).to.equal('UnauthorizedException');
  };

  before(async () => {
    keyDir = mkdtempSync(path.join(tmpdir(), 'cognito-authorizers-'));
    key = loadOrCreateLocalKey(path.join(keyDir, 'key.json'));
    api = await startTestApi(TEMPLATE, {
      jwtTrust: { localIssuers: new Set([POOL_ISSUER]), localKey: () => key },
    });
  });
  after(async () => {
    await api?.close();
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  });

  it('an ID token of the pool reaches the function, its claims in requestContext.authorizer.claims as strings', async () => {
    const response = await get('/profile', { Authorization: idToken() });

    expect(response.status, response.text()).to.equal(200);
    const body = response.json();
    expect(body).to.nested.include({
      'authorizer.claims.sub': 'alice',
      'authorizer.claims.email': 'alice@example.com',
      'authorizer.claims.token_use': 'id',
      'authorizer.claims.cognito:groups': 'admin,users',
      'authorizer.claims.iss': POOL_ISSUER,
    });
    expect(body)
      .to.have.nested.property('authorizer.claims.exp')
      .that.matches(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
  });

  it('the token is taken after Bearer as well as alone', async () => {
    expect((await get('/profile', { Authorization: `Bearer ${idToken()}` })).status).to.equal(200);
  });

  it('no Authorization header: 401 Unauthorized', async () => {
    await expectUnauthorized('/profile', {});
  });

  it('a wrong signature: 401 Unauthorized', async () => {
    const other = await startTestIssuer();
    try {
      const forged = other.sign({ iss: POOL_ISSUER, token_use: 'id', exp: now() + 600 }, { kid: key.kid });
      await expectUnauthorized('/profile', { Authorization: forged });
    } finally {
      await other.close();
    }
  });

  it('an expired token: 401 "The incoming token has expired"', async () => {
    await expectUnauthorized(
      '/profile',
      { Authorization: idToken({ exp: now() - 5 }) },
      '{"message":"The incoming token has expired"}',
    );
  });

  it('a token not yet valid: 401 Unauthorized', async () => {
    await expectUnauthorized('/profile', { Authorization: idToken({ nbf: now() + 300 }) });
  });

  it('a token of another pool (the issuer derived from UserPoolArn): 401 Unauthorized', async () => {
    await expectUnauthorized('/profile', {
      Authorization: idToken({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
    });
  });

  it('token_use: a method without scopes takes the ID token, not an access token', async () => {
    await expectUnauthorized('/profile', { Authorization: accessToken(['orders/read']) });
  });

  it('token_use: a method with scopes takes an access token carrying one of them', async () => {
    expect((await get('/orders', { Authorization: accessToken(['orders/read']) })).status).to.equal(200);
    await expectUnauthorized('/orders', { Authorization: idToken() });
    await expectUnauthorized('/orders', { Authorization: accessToken(['orders/write']) });
  });

  it('Identity.Header and ValidationExpression: the token comes from that header and must match', async () => {
    expect((await get('/custom', { 'X-Id-Token': idToken() })).status).to.equal(200);
    await expectUnauthorized('/custom', { Authorization: idToken() });
    await expectUnauthorized('/custom', { 'X-Id-Token': 'not-a-jwt' });
  });

  it('open methods stay open', async () => {
    expect((await get('/open')).status).to.equal(200);
  });
});

describe("a user pool of the template itself, trusted with --jwt-issuer '*=local'", function () {
  this.timeout(30_000);
  let api: TestApi;
  let keyDir: string;
  let key: LocalKey;
  /** `!GetAtt UserPool.Arn` and `${UserPool}` both name the pool by its logical id locally. */
  const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/UserPool';
  const token = (extra: Record<string, unknown> = {}) =>
    signToken(key, {
      issuer,
      subject: 'dana',
      audience: ['UserPoolClient'],
      scopes: [],
      expiresInSeconds: 60,
      claims: extra,
    });

  before(async () => {
    keyDir = mkdtempSync(path.join(tmpdir(), 'cognito-in-template-'));
    key = loadOrCreateLocalKey(path.join(keyDir, 'key.json'));
    api = await startTestApi('test/fixtures/auth/cognito/in-template.yaml', {
      jwtTrust: { localIssuers: new Set(['*']), localKey: () => key },
    });
  });
  after(async () => {
    await api?.close();
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  });

  it('the REST Cognito authorizer (UserPoolArn: !GetAtt UserPool.Arn) accepts an ID token of the local key', async () => {
    const response = await request(`${api.url}/dev/profile`, { headers: { Authorization: token() } });

    expect(response.status, response.text()).to.equal(200);
    expect(response.json()).to.have.nested.property('authorizer.claims.sub', 'dana');
  });

  it('the HTTP API JWT authorizer of the same pool accepts the same token, its audience the app client', async () => {
    const response = await request(`${api.url}/me`, { headers: { Authorization: `Bearer ${token()}` } });

    expect(response.status, response.text()).to.equal(200);
    expect(response.json()).to.have.nested.property('authorizer.jwt.claims.aud', 'UserPoolClient');
  });

  it('a token of another key is still refused by both', async () => {
    const other = await startTestIssuer();
    try {
      const forged = other.sign(
        { iss: issuer, aud: 'UserPoolClient', token_use: 'id', exp: Math.floor(Date.now() / 1000) + 60 },
        { kid: key.kid },
      );
      expect(
        (await request(`${api.url}/dev/profile`, { headers: { Authorization: forged } })).status,
      ).to.equal(401);
      expect((await request(`${api.url}/me`, { headers: { Authorization: forged } })).status).to.equal(401);
    } finally {
      await other.close();
    }
  });
});
