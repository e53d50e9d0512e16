import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer, listen } from '../../emulator/net.ts';

/** An OpenID issuer on 127.0.0.1, as Cognito or Auth0 would be online: discovery, a JWKS, tokens it signs. */
export interface TestIssuer {
  /** `http://127.0.0.1:PORT`: the `iss` of its tokens and the template's issuer. */
  readonly url: string;
  readonly kid: string;
  /** Requests it has answered, by path. */
  readonly requests: string[];
  /** A token over `payload`, signed RS256 with its key unless told otherwise. */
  sign(payload: Record<string, unknown>, options?: { kid?: string; alg?: string; key?: KeyObject }): string;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key-1';
  const requests: string[] = [];
  let url = '';
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const send = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/openid-configuration')
      send({ issuer: url, jwks_uri: `${url}/keys.json` });
    else if (request.url === '/keys.json')
      send({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    else {
      response.writeHead(404);
      response.end();
    }
  });
  url = (await listen(server, '127.0.0.1', 0, 'api')).replace(/\/$/, '');
  return {
    url,
    kid,
    requests,
    sign: (payload, options = {}) => {
      const header = { alg: options.alg ?? 'RS256', typ: 'JWT', kid: options.kid ?? kid };
      const input = `${part(header)}.${part(payload)}`;
      return `${input}.${sign('sha256', Buffer.from(input), options.key ?? privateKey).toString('base64url')}`;
    },
    close: () => closeServer(server),
  };
}

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
