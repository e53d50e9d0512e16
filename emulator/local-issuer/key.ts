import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isRecord } from '../template/values.ts';

/** The emulator's own signing key: what `token` signs with and what `--jwt-issuer ISSUER=local` trusts. */
export interface LocalKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public half as a JWKS entry (`kty`, `n`, `e`, `kid`, `alg`, `use`). */
  readonly jwk: Readonly<Record<string, string>>;
  /** Where it is kept. */
  readonly file: string;
}

const FILE_NAME = 'local-issuer-key.json';

/**
 * Where the key is kept: `node_modules/.cache/sam-emulator/` of the nearest folder up from `cwd` that has a
 * node_modules (as build tools keep their caches, and as the CLI bundle is kept), else the OS temporary folder.
 * Either way it outlives the emulator, so tokens printed once stay valid across restarts until they expire;
 * deleting the file makes a new key and voids every token signed before.
 */
export function defaultKeyFile(cwd: string = process.cwd()): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules'))) {
      return path.join(dir, 'node_modules', '.cache', 'sam-emulator', FILE_NAME);
    }
    if (path.dirname(dir) === dir) return path.join(tmpdir(), 'sam-emulator', FILE_NAME);
  }
}

/** The key in `file`, made (RSA 2048, RS256) and written there first when there is none or it is unreadable. */
export function loadOrCreateLocalKey(file: string = defaultKeyFile()): LocalKey {
  const existing = readKey(file);
  if (existing !== undefined) return existing;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole under another name and renamed, so that a gateway and a `token` command starting at once
  // never read half a key; the last writer wins and the loser rereads below.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ privateJwk: jwk }), { mode: 0o600 });
  renameSync(temporary, file);
  const written = readKey(file);
  if (written === undefined) throw new Error(`could not write the local issuer's key to ${file}`);
  return written;
}

function readKey(file: string): LocalKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed.privateJwk)) return undefined;
  try {
    const privateKey = createPrivateKey({ key: parsed.privateJwk, format: 'jwk' });
    const publicKey = createPublicKey(privateKey);
    const { n, e } = publicKey.export({ format: 'jwk' });
    if (typeof n !== 'string' || typeof e !== 'string') return undefined;
    const kid = thumbprint(n, e);
    return { kid, privateKey, publicKey, jwk: { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' }, file };
  } catch {
    return undefined;
  }
}

/** RFC 7638 JWK thumbprint: the key's id, the same for the same key wherever it is computed. */
function thumbprint(n: string, e: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}
