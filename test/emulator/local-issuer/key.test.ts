import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { defaultKeyFile, loadOrCreateLocalKey } from '../../../emulator/local-issuer/key.ts';
import { parseClaim, parseDuration } from '../../../emulator/local-issuer/token.ts';

describe('the local issuer key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'local-issuer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once and read back the same, so tokens survive a restart', () => {
    const file = path.join(dir, 'nested', 'key.json');

    const first = loadOrCreateLocalKey(file);
    const again = loadOrCreateLocalKey(file);

    expect(again.kid).to.equal(first.kid);
    expect(again.jwk).to.deep.equal(first.jwk);
    expect(first.jwk).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: first.kid });
  });

  it('is made anew when the file holds no key', () => {
    const file = path.join(dir, 'key.json');
    writeFileSync(file, 'not json');

    expect(loadOrCreateLocalKey(file).kid).to.be.a('string').with.length.above(20);
  });

  it('is kept under the nearest node_modules/.cache, else the OS temporary folder', () => {
    mkdirSync(path.join(dir, 'app', 'node_modules'), { recursive: true });
    mkdirSync(path.join(dir, 'app', 'src'));

    expect(defaultKeyFile(path.join(dir, 'app', 'src'))).to.equal(
      path.join(dir, 'app', 'node_modules', '.cache', 'sam-emulator', 'local-issuer-key.json'),
    );
  });

  it('token options: durations and claims', () => {
    expect(parseDuration('90')).to.equal(90);
    expect(parseDuration('15m')).to.equal(900);
    expect(parseDuration('1h')).to.equal(3600);
    expect(parseDuration('2d')).to.equal(172_800);
    expect(parseDuration('1 hour')).to.equal(undefined);
    expect(parseClaim('n=3')).to.deep.equal(['n', 3]);
    expect(parseClaim('groups=["a"]')).to.deep.equal(['groups', ['a']]);
    expect(parseClaim('email=a@b.c')).to.deep.equal(['email', 'a@b.c']);
    expect(parseClaim('=x')).to.equal(undefined);
  });
});
