import { generateKeyPairSync, sign } from 'node:crypto';
import { expect } from 'chai';
import {
  audienceMatches,
  bearerToken,
  checkTimes,
  decodeJwt,
  publicKeyOf,
  signatureMatches,
  tokenScopes,
} from '../../../../emulator/gateway/auth/jwt.ts';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT checks, as API Gateway JWT authorizers make them', () => {
  describe('decodeJwt', () => {
    it('splits a compact JWS into header, payload and the bytes signed', () => {
      const token = `${part({ alg: 'RS256' })}.${part({ sub: 'a' })}.c2ln`;

      const decoded = decodeJwt(token);

      expect(decoded).to.deep.include({ header: { alg: 'RS256' }, payload: { sub: 'a' } });
      expect(decoded).to.have.property('signingInput', token.slice(0, token.lastIndexOf('.')));
    });

    it('refuses what is not three canonical base64url JSON parts', () => {
      expect(decodeJwt('a.b')).to.be.a('string');
      expect(decodeJwt(`${part({})}.${part([1])}.c2ln`)).to.be.a('string');
      expect(decodeJwt(`${part({})}.${part({})}.c2ln=`)).to.be.a('string');
      // "c2k" and "c2l" decode to the same two bytes, "c2l" setting bits that decoding drops: not as issued.
      expect(decodeJwt(`${part({})}.${part({})}.c2k`)).to.be.an('object');
      expect(decodeJwt(`${part({})}.${part({})}.c2l`)).to.be.a('string');
    });
  });

  it('signatureMatches: RS256 and PS256 with the right key, not with another', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const jwk = publicKey.export({ format: 'jwk' });
    const key = publicKeyOf({ ...jwk });
    if (key === undefined) throw new Error('no key from the JWK');
    const input = `${part({ alg: 'RS256' })}.${part({})}`;
    const rs = decodeJwt(`${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`);
    const ps = decodeJwt(
      `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, padding: 6, saltLength: 32 }).toString('base64url')}`,
    );
    if (typeof rs === 'string' || typeof ps === 'string') throw new Error('not decoded');

    expect(signatureMatches(rs, 'RS256', key)).to.equal(true);
    expect(signatureMatches(ps, 'PS256', key)).to.equal(true);
    expect(signatureMatches(rs, 'RS256', other)).to.equal(false);
    expect(signatureMatches(rs, 'HS256', key)).to.equal(false);
  });

  it('publicKeyOf: RSA signing keys only', () => {
    expect(publicKeyOf({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' })).to.equal(undefined);
    expect(publicKeyOf({ kty: 'RSA', n: 'AQAB', e: 'AQAB', use: 'enc' })).to.equal(undefined);
  });

  it('checkTimes: exp after now, nbf and iat before it, exp required', () => {
    expect(checkTimes({ exp: 101 }, 100)).to.equal(undefined);
    expect(checkTimes({ exp: 100 }, 100)).to.equal('expired');
    expect(checkTimes({}, 100)).to.equal('no-expiry');
    expect(checkTimes({ exp: 200, nbf: 101 }, 100)).to.equal('not-yet-valid');
    expect(checkTimes({ exp: 200, iat: 101 }, 100)).to.equal('issued-in-future');
    expect(checkTimes({ exp: 200, nbf: 100, iat: 100 }, 100)).to.equal(undefined);
  });

  it('audienceMatches: aud (a string or a list), client_id only without aud', () => {
    expect(audienceMatches({ aud: 'a' }, ['a', 'b'])).to.equal(true);
    expect(audienceMatches({ aud: ['x', 'b'] }, ['a', 'b'])).to.equal(true);
    expect(audienceMatches({ client_id: 'a' }, ['a'])).to.equal(true);
    expect(audienceMatches({ aud: 'x', client_id: 'a' }, ['a'])).to.equal(false);
  });

  it('tokenScopes: scope split on spaces, scp as a list or a string', () => {
    expect(tokenScopes({ scope: 'a  b' })).to.deep.equal(['a', 'b']);
    expect(tokenScopes({ scp: ['c', 1] })).to.deep.equal(['c']);
    expect(tokenScopes({ scp: 'd e' })).to.deep.equal(['d', 'e']);
  });

  it('bearerToken: the token alone, or after Bearer in any case', () => {
    expect(bearerToken('abc')).to.equal('abc');
    expect(bearerToken('Bearer abc')).to.equal('abc');
    expect(bearerToken('bearer  abc ')).to.equal('abc');
  });
});
