import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  readonly status: number;
  /** Node's parsed headers: lower-case names; `set-cookie` is an array. */
  readonly headers: IncomingHttpHeaders;
  /** Header pairs in the order they arrived, with their case. */
  readonly rawHeaders: readonly (readonly [string, string])[];
  readonly body: Buffer;
  text(): string;
  json(): unknown;
}

/**
 * An HTTP request over a real socket with node:http. End-to-end tests use this rather than `fetch`, which
 * nock replaces in-process, and so that they control exactly what goes on the wire.
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const raw = response.rawHeaders;
          const rawHeaders: [string, string][] = [];
          for (let i = 0; i + 1 < raw.length; i += 2) rawHeaders.push([raw[i] ?? '', raw[i + 1] ?? '']);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            rawHeaders,
            body,
            text: () => body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
