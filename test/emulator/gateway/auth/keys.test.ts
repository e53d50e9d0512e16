import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { IssuerKeys, NO_LOCAL_ISSUERS } from '../../../../emulator/gateway/auth/keys.ts';
import { loadOrCreateLocalKey } from '../../../../emulator/local-issuer/key.ts';
import { startTestIssuer, type TestIssuer } from '../../../support/issuer.ts';

describe("IssuerKeys: each issuer's signing keys, as API Gateway finds and caches them", function () {
  this.timeout(10_000);
  let issuer: TestIssuer;
  let clock: number;
  const discoveries = () =>
    issuer.requests.filter((url) => url === '/.well-known/openid-configuration').length;

  beforeEach(async () => {
    issuer = await startTestIssuer();
    clock = 1_000_000;
  });
  afterEach(async () => {
    await issuer.close();
  });

  it('finds the key by kid through discovery and jwks_uri, and keeps it for two hours', async () => {
    const keys = new IssuerKeys(NO_LOCAL_ISSUERS, () => clock);

    expect(await keys.key(issuer.url, issuer.kid)).to.have.property('found');
    clock += 2 * 60 * 60 * 1000 - 1;
    expect(await keys.key(issuer.url, issuer.kid)).to.have.property('found');
    expect(discoveries()).to.equal(1);
    clock += 2;
    await keys.key(issuer.url, issuer.kid);
    expect(discoveries()).to.equal(2);
  });

  it('fetches concurrent lookups once', async () => {
    const keys = new IssuerKeys(NO_LOCAL_ISSUERS, () => clock);

    await Promise.all([keys.key(issuer.url, issuer.kid), keys.key(issuer.url, issuer.kid)]);

    expect(discoveries()).to.equal(1);
  });

  it('an unknown kid fetches the keys again (they rotate), but not more than once a minute', async () => {
    const keys = new IssuerKeys(NO_LOCAL_ISSUERS, () => clock);
    await keys.key(issuer.url, issuer.kid);

    for (let i = 0; i < 5; i++)
      expect(await keys.key(issuer.url, `made-up-${i}`)).to.have.property('missing');
    expect(discoveries()).to.equal(1);
    clock += 60_001;
    await keys.key(issuer.url, 'rotated');
    expect(discoveries()).to.equal(2);
  });

  it('an issuer that cannot be reached is unreachable; keys already fetched are kept when a refetch fails', async () => {
    const keys = new IssuerKeys(NO_LOCAL_ISSUERS, () => clock);
    await keys.key(issuer.url, issuer.kid);
    await issuer.close();
    clock += 3 * 60 * 60 * 1000;

    expect(await keys.key(issuer.url, issuer.kid)).to.have.property('found');
    expect(await new IssuerKeys(NO_LOCAL_ISSUERS).key(issuer.url, issuer.kid))
      .to.have.property('unreachable')
      .that.includes('could not be fetched');
  });

  it('an issuer trusted locally takes the local key and never goes to the network', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'issuer-keys-'));
    try {
      const local = loadOrCreateLocalKey(path.join(dir, 'key.json'));
      const keys = new IssuerKeys({ localIssuers: new Set([issuer.url]), localKey: () => local });

      expect(await keys.key(issuer.url, local.kid)).to.deep.equal({ found: local.publicKey });
      expect(await keys.key(issuer.url, issuer.kid)).to.have.property('missing');
      expect(issuer.requests).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
