import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** node:crypto behind the hash interface the SDK's signer takes (what `@smithy/hash-node` would give). */
class NodeSha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Signs a request to `url` as the AWS SDK does (service `lambda` by default), with the SDK's own SigV4 signer. */
export async function signRequest(
  url: string,
  options: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly region: string;
    readonly signingDate?: Date;
    /** `lambda` (function URLs) unless given: `execute-api` for API Gateway. */
    readonly service?: string;
  },
): Promise<SignedRequest> {
  const parsed = new URL(url);
  const signer = new SignatureV4({
    service: options.service ?? 'lambda',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const query: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) query[key] = value;
  const signed = await signer.sign(
    {
      method: options.method ?? 'GET',
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: Number(parsed.port),
      path: parsed.pathname,
      query,
      headers: { host: parsed.host, ...options.headers },
      body: options.body,
    },
    options.signingDate === undefined ? {} : { signingDate: options.signingDate },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name] = String(value);
  return { method: signed.method, path: parsed.pathname, query, headers, body: options.body ?? '' };
}

/** A presigned URL for `url` (query-string SigV4, service `lambda`), made by the SDK's own signer. */
export async function presignUrl(
  url: string,
  options: {
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly region: string;
    readonly signingDate: Date;
    readonly expiresIn: number;
  },
): Promise<string> {
  const parsed = new URL(url);
  const signer = new SignatureV4({
    service: 'lambda',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const query: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) query[key] = value;
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: Number(parsed.port),
      path: parsed.pathname,
      query,
      headers: { host: parsed.host },
    },
    { signingDate: options.signingDate, expiresIn: options.expiresIn },
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(presigned.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value])
      if (typeof item === 'string') search.append(key, item);
  }
  return `${parsed.origin}${parsed.pathname}?${search.toString()}`;
}
