import { expect } from 'chai';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { type HttpResult, request } from '../../support/http.ts';
import { signRequest } from '../../support/sigv4.ts';

const TEMPLATE = 'test/fixtures/auth/iam/template.yaml';
const CREDENTIALS = { accessKeyId: 'AKIAEMULATORTEST0001', secretAccessKey: 'local-secret-for-tests' };

describe('AWS_IAM authorization at the gateway: SigV4 for execute-api, with the emulator’s credentials', function () {
  this.timeout(30_000);
  let api: TestApi;

  const signedPost = async (
    path: string,
    credentials: { accessKeyId: string; secretAccessKey: string } = CREDENTIALS,
    tamper: (headers: Record<string, string>) => Record<string, string> = (headers) => headers,
  ): Promise<HttpResult> => {
    const body = '{"order":1}';
    const signed = await signRequest(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      credentials,
      region: 'us-east-1',
      service: 'execute-api',
    });
    return request(`${api.url}${path}`, { method: 'POST', headers: tamper(signed.headers), body });
  };

  before(async () => {
    api = await startTestApi(TEMPLATE, { credentials: CREDENTIALS });
  });
  after(async () => {
    await api?.close();
  });

  it('REST: a request signed with the emulator’s credentials reaches the function, the caller in requestContext.identity', async () => {
    const response = await signedPost('/v1/signed');

    expect(response.status, response.text()).to.equal(200);
    const body = response.json();
    expect(body).to.have.nested.property('identity.accessKey', CREDENTIALS.accessKeyId);
    expect(body).to.have.nested.property('identity.accountId', '123456789012');
    expect(body).to.have.property('body', '{"order":1}');
  });

  it('REST: unsigned is 403 Missing Authentication Token', async () => {
    const response = await request(`${api.url}/v1/signed`, { method: 'POST', body: '{}' });

    expect(response.status).to.equal(403);
    expect(response.text()).to.equal('{"message":"Missing Authentication Token"}');
    expect(response.headers['x-amzn-errortype']).to.equal('MissingAuthenticationTokenException');
  });

  it('REST: signed with another secret is 403 InvalidSignatureException with the SigV4 message', async () => {
    const response = await signedPost('/v1/signed', { ...CREDENTIALS, secretAccessKey: 'wrong' });

    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-errortype']).to.equal('InvalidSignatureException');
    expect(response.text()).to.include(
      'The request signature we calculated does not match the signature you provided.',
    );
  });

  it('REST: a body changed after signing is refused', async () => {
    const body = '{"order":1}';
    const signed = await signRequest(`${api.url}/v1/signed`, {
      method: 'POST',
      body,
      credentials: CREDENTIALS,
      region: 'us-east-1',
      service: 'execute-api',
    });

    const response = await request(`${api.url}/v1/signed`, {
      method: 'POST',
      headers: signed.headers,
      body: '{"order":2}',
    });

    expect(response.status).to.equal(403);
  });

  it('REST: a signature for the lambda service is not one for execute-api', async () => {
    const signed = await signRequest(`${api.url}/v1/signed`, {
      method: 'POST',
      body: '{}',
      credentials: CREDENTIALS,
      region: 'us-east-1',
    });

    const response = await request(`${api.url}/v1/signed`, {
      method: 'POST',
      headers: signed.headers,
      body: '{}',
    });

    expect(response.status).to.equal(403);
  });

  it('REST: Authorizer NONE on an event opens its route despite the AWS_IAM default', async () => {
    expect((await request(`${api.url}/v1/open`)).status).to.equal(200);
  });

  it('HTTP API: a signed request reaches the function with requestContext.authorizer.iam', async () => {
    const response = await signedPost('/http-signed');

    expect(response.status, response.text()).to.equal(200);
    expect(response.json()).to.have.nested.property('authorizer.iam.accessKey', CREDENTIALS.accessKeyId);
  });

  it('HTTP API: unsigned and wrongly signed requests are 403', async () => {
    const unsigned = await request(`${api.url}/http-signed`, { method: 'POST', body: '{}' });
    const wrong = await signedPost('/http-signed', { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' });

    expect(unsigned.status).to.equal(403);
    expect(wrong.status).to.equal(403);
  });
});

describe('AWS_IAM routes when the emulator has no credentials', function () {
  this.timeout(30_000);

  it('refuses every request, and the log says how to give it credentials', async () => {
    const api = await startTestApi(TEMPLATE);
    try {
      const response = await request(`${api.url}/v1/signed`, { method: 'POST', body: '{}' });

      expect(response.status).to.equal(403);
      expect(api.log.lines.warn.join('\n')).to.include(
        'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile',
      );
    } finally {
      await api.close();
    }
  });
});
