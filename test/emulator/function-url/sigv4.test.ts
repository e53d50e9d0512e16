import { expect } from 'chai';
import { verifySigV4 } from '../../../emulator/function-url/sigv4.ts';
import type { GatewayRequest } from '../../../emulator/gateway/request.ts';
import { presignUrl, type SignedRequest, signRequest } from '../../support/sigv4.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const REGION = 'eu-west-1';
const URL_BASE = 'http://127.0.0.1:3100';
const SIGNED_AT = new Date('2026-03-01T12:00:00Z');

/** The request the emulator would read off the wire for a signed request. */
function onTheWire(signed: SignedRequest, changes: Partial<GatewayRequest> = {}): GatewayRequest {
  const rawQuery = new URLSearchParams(signed.query).toString();
  return {
    method: signed.method,
    rawPath: signed.path,
    rawQuery,
    headers: Object.entries(signed.headers),
    body: Buffer.from(signed.body),
    sourceIp: '127.0.0.1',
    receivedAt: SIGNED_AT.getTime(),
    ...changes,
  };
}

function sign(
  path: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  return signRequest(`${URL_BASE}${path}`, {
    ...options,
    credentials: CREDENTIALS,
    region: REGION,
    signingDate: SIGNED_AT,
  });
}

const verify = (request: GatewayRequest, now = SIGNED_AT.getTime()) =>
  verifySigV4(request, { credentials: CREDENTIALS, region: REGION, service: 'lambda', now });

describe('function URL SigV4 verification (AuthType AWS_IAM)', () => {
  it('accepts a request the AWS SDK signed with the same credentials, region and service lambda', async () => {
    const signed = await sign('/items/a%20b', {
      method: 'POST',
      body: '{"hello":"world"}',
      headers: { 'content-type': 'application/json', 'x-custom': '  spaced   value ' },
    });
    expect(verify(onTheWire(signed))).to.deep.equal({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
  });

  it('accepts a signed query string, whatever order its parameters arrive in', async () => {
    const signed = await sign('/search?b=2&a=1&q=x%20y');
    const reordered = onTheWire(signed, { rawQuery: 'q=x+y&a=1&b=2' });
    expect(verify(reordered).ok).to.equal(true);
  });

  it('a request without an Authorization header is unsigned', async () => {
    const signed = await sign('/');
    const { authorization: _dropped, ...headers } = signed.headers;
    expect(verify(onTheWire({ ...signed, headers }))).to.deep.equal({ ok: false, unsigned: true });
  });

  it('a signature made with another secret key does not match', async () => {
    const signed = await signRequest(`${URL_BASE}/`, {
      credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' },
      region: REGION,
      signingDate: SIGNED_AT,
    });
    expect(verify(onTheWire(signed))).to.deep.include({
      ok: false,
      errorType: 'InvalidSignatureException',
    });
  });

  it('an unknown access key is refused as an invalid security token', async () => {
    const signed = await signRequest(`${URL_BASE}/`, {
      credentials: { ...CREDENTIALS, accessKeyId: 'AKIDOTHER' },
      region: REGION,
      signingDate: SIGNED_AT,
    });
    expect(verify(onTheWire(signed))).to.deep.equal({
      ok: false,
      unsigned: false,
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('a tampered signed header, body or path no longer matches its signature', async () => {
    const signed = await sign('/orders', {
      method: 'POST',
      body: '{"amount":1}',
      headers: { 'x-custom': 'original' },
    });
    const tampered = [
      onTheWire({ ...signed, headers: { ...signed.headers, 'x-custom': 'changed' } }),
      onTheWire(signed, { body: Buffer.from('{"amount":1000}') }),
      onTheWire(signed, { rawPath: '/refunds' }),
      onTheWire(signed, { method: 'PUT' }),
      onTheWire(signed, { rawQuery: 'extra=1' }),
    ];
    for (const request of tampered) {
      expect(verify(request)).to.deep.include({ ok: false, errorType: 'InvalidSignatureException' });
    }
    expect(verify(onTheWire(signed)).ok).to.equal(true);
  });

  it('a signature more than 15 minutes old has expired, with the message AWS sends', async () => {
    const signed = await sign('/');
    const now = SIGNED_AT.getTime() + 16 * 60 * 1000;
    expect(verify(onTheWire(signed), now)).to.deep.equal({
      ok: false,
      unsigned: false,
      errorType: 'InvalidSignatureException',
      message:
        'Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T121600Z - 15 min.)',
    });
    expect(verify(onTheWire(signed), SIGNED_AT.getTime() + 14 * 60 * 1000).ok).to.equal(true);
  });

  it('a signature dated more than 15 minutes ahead is not yet current', async () => {
    const signed = await sign('/');
    const result = verify(onTheWire(signed), SIGNED_AT.getTime() - 16 * 60 * 1000);
    expect(result).to.deep.include({ ok: false, errorType: 'InvalidSignatureException' });
    expect(result.ok === false && !result.unsigned ? result.message : '').to.match(
      /^Signature not yet current/,
    );
  });

  it('a signature scoped to another region or service is refused', async () => {
    const otherRegion = await signRequest(`${URL_BASE}/`, {
      credentials: CREDENTIALS,
      region: 'us-east-1',
      signingDate: SIGNED_AT,
    });
    expect(verify(onTheWire(otherRegion))).to.deep.include({
      ok: false,
      errorType: 'InvalidSignatureException',
    });
    const signed = await sign('/');
    const otherService = verifySigV4(onTheWire(signed), {
      credentials: CREDENTIALS,
      region: REGION,
      service: 'execute-api',
      now: SIGNED_AT.getTime(),
    });
    expect(otherService).to.deep.include({ ok: false, errorType: 'InvalidSignatureException' });
  });

  it('an X-Amz-Content-Sha256 that does not match the body is a signature mismatch', async () => {
    const signed = await sign('/', { method: 'POST', body: 'a' });
    const request = onTheWire({
      ...signed,
      headers: { ...signed.headers, 'x-amz-content-sha256': '0'.repeat(64) },
    });
    expect(verify(request)).to.deep.include({ ok: false, errorType: 'InvalidSignatureException' });
  });

  it('an Authorization header missing its Signature is an incomplete signature', async () => {
    const signed = await sign('/');
    const authorization = (signed.headers.authorization ?? '').replace(/, Signature=[0-9a-f]+/, '');
    const result = verify(onTheWire({ ...signed, headers: { ...signed.headers, authorization } }));
    expect(result).to.deep.include({ ok: false, errorType: 'IncompleteSignatureException' });
  });

  describe('presigned URLs (query-string signatures)', () => {
    async function presigned(expiresIn: number): Promise<GatewayRequest> {
      const url = new URL(
        await presignUrl(`${URL_BASE}/report?month=3`, {
          credentials: CREDENTIALS,
          region: REGION,
          signingDate: SIGNED_AT,
          expiresIn,
        }),
      );
      return {
        method: 'GET',
        rawPath: url.pathname,
        rawQuery: url.search.slice(1),
        headers: [['Host', url.host]],
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
        receivedAt: SIGNED_AT.getTime(),
      };
    }

    it('accepts a URL the AWS SDK presigned, within its X-Amz-Expires', async () => {
      const request = await presigned(3600);
      expect(verify(request, SIGNED_AT.getTime() + 30 * 60 * 1000)).to.deep.equal({
        ok: true,
        accessKeyId: 'AKIDEXAMPLE',
      });
    });

    it('refuses a presigned URL once X-Amz-Expires has passed', async () => {
      const request = await presigned(60);
      expect(verify(request, SIGNED_AT.getTime() + 61 * 1000)).to.deep.include({
        ok: false,
        errorType: 'AccessDeniedException',
      });
    });

    it('refuses a presigned URL whose query was changed', async () => {
      const request = await presigned(3600);
      const tampered = { ...request, rawQuery: request.rawQuery.replace('month=3', 'month=4') };
      expect(verify(tampered)).to.deep.include({ ok: false, errorType: 'InvalidSignatureException' });
    });
  });
});
