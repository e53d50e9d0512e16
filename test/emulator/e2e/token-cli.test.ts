import { expect } from 'chai';
import { run, type Serving, startServing, stopServing } from '../../support/cli.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';

const JWT_TEMPLATE = 'test/fixtures/auth/jwt/template.yaml';
const COGNITO_TEMPLATE = 'test/fixtures/auth/cognito/template.yaml';
const AUTH0 = 'https://example.eu.auth0.com/';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+\n$/;

function payloadOf(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('npm run local -- token, and --jwt-issuer ISSUER=local', function () {
  this.timeout(60_000);
  let serving: Serving | undefined;

  afterEach(async () => {
    await stopServing(serving);
    serving = undefined;
  });

  it('prints only the token on stdout, with the claims asked for', async () => {
    const { code, stdout } = await run([
      'token',
      '--issuer',
      AUTH0,
      '--sub',
      'alice',
      '--scope',
      'prices:read',
      '--scope',
      'profile',
      '--aud',
      'https://prices.example.com',
      '--expires',
      '15m',
      '--claim',
      'tier=gold',
      '--claim',
      'level=3',
    ]);

    expect(code).to.equal(0);
    expect(stdout).to.match(JWT);
    const payload = payloadOf(stdout.trim());
    expect(payload).to.include({
      iss: AUTH0,
      sub: 'alice',
      aud: 'https://prices.example.com',
      scope: 'prices:read profile',
      tier: 'gold',
      level: 3,
    });
    expect(payload).to.satisfy((p: { exp: number; iat: number }) => p.exp - p.iat === 900);
  });

  it("defaults to the template's one issuer: a Cognito pool's, with token_use id", async () => {
    const { code, stdout } = await run(['token', '-t', COGNITO_TEMPLATE]);

    expect(code).to.equal(0);
    expect(payloadOf(stdout.trim())).to.include({
      iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example1',
      token_use: 'id',
      sub: 'local-user',
    });
  });

  it('exits 2 naming --issuer when the template has several issuers', async () => {
    const { code, stdout, stderr } = await run([
      'token',
      '-t',
      JWT_TEMPLATE,
      '--parameter-overrides',
      'Issuer=https://a.example',
    ]);

    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr).to.match(
      /token needs --issuer: .* has several issuers \(https:\/\/a\.example, https:\/\/example\.eu\.auth0\.com\/\)/,
    );
  });

  it('a token it prints is accepted by an emulator started with --jwt-issuer, and a tampered one is not', async () => {
    // No --aud: the template's authorizer of that issuer names it.
    const { stdout } = await run([
      'token',
      '-t',
      JWT_TEMPLATE,
      '--parameter-overrides',
      'Issuer=http://127.0.0.1:9',
      '--issuer',
      AUTH0,
      '--sub',
      'carol',
    ]);
    const token = stdout.trim();
    serving = await startServing([
      'start-api',
      '-t',
      JWT_TEMPLATE,
      '-p',
      '0',
      '--no-watch',
      '--parameter-overrides',
      'Issuer=http://127.0.0.1:9',
      '--jwt-issuer',
      `${AUTH0}=local`,
    ]);

    const accepted = await request(`${serving.url}/tenant?access_token=${token}`);
    const tampered = await request(
      `${serving.url}/tenant?access_token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
    );

    expect(accepted.status, accepted.text()).to.equal(200);
    expect(accepted.json()).to.have.nested.property('authorizer.jwt.claims.sub', 'carol');
    expect(tampered.status).to.equal(401);
    expect(serving.output()).to.match(
      /JWT issuers checked against the local key \(.*local-issuer-key\.json\)/,
    );
    expect(serving.output()).not.to.include('no JWT or Cognito authorizer of the template has this issuer');
  });

  it('warns of a --jwt-issuer that no authorizer of the template names, listing the ones it has', async () => {
    serving = await startServing([
      'start-api',
      '-t',
      JWT_TEMPLATE,
      '-p',
      '0',
      '--no-watch',
      '--parameter-overrides',
      'Issuer=http://127.0.0.1:9',
      '--jwt-issuer',
      'https://example.eu.auth0.com=local',
    ]);
    const output = () => serving?.output() ?? '';

    await eventually(() =>
      expect(output()).to.include(
        '--jwt-issuer https://example.eu.auth0.com: no JWT or Cognito authorizer of the template has this ' +
          'issuer (they have http://127.0.0.1:9, https://example.eu.auth0.com/)',
      ),
    );
  });

  it('--jwt-issuer without =local is a usage error', async () => {
    const { code, stderr } = await run(['start-api', '-t', JWT_TEMPLATE, '--jwt-issuer', AUTH0]);

    expect(code).to.equal(2);
    expect(stderr).to.match(/--jwt-issuer .*: expected ISSUER=local/);
  });
});
