/**
 * Verifies AWS Signature Version 4 on a request to an AWS_IAM function URL, with node:crypto only: the
 * canonical request, the string to sign, the derived signing key, a constant-time comparison, and the 15-minute
 * window around `X-Amz-Date` (a presigned URL's `X-Amz-Expires` instead). Both forms are read: the
 * `Authorization` header and a presigned URL's query string.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { decodeQueryComponent, parseQuery } from '../gateway/decoding.ts';
import { type GatewayRequest, headerValue } from '../gateway/request.ts';

/** The key pair requests must be signed with (the emulator's own, e.g. from AWS_ACCESS_KEY_ID). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, a signed request must carry it as `X-Amz-Security-Token`. */
  readonly sessionToken?: string;
}

export interface VerifyOptions {
  readonly credentials: SigningCredentials;
  readonly region: string;
  /** `lambda` for function URLs. */
  readonly service: string;
  /** Epoch milliseconds; injected so tests control the clock. */
  readonly now: number;
}

export type Verification =
  | { readonly ok: true; readonly accessKeyId: string }
  /** `unsigned`: no SigV4 `Authorization` header; otherwise the error type and message AWS answers. */
  | { readonly ok: false; readonly unsigned: true }
  | { readonly ok: false; readonly unsigned: false; readonly errorType: string; readonly message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function rejected(errorType: string, message: string): Verification {
  return { ok: false, unsigned: false, errorType, message };
}

/** The SigV4 fields of a request, from its `Authorization` header or from a presigned URL's query. */
interface SignatureFields {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string | undefined;
  readonly token: string | undefined;
  /** `X-Amz-Expires` of a presigned URL, in seconds. */
  readonly expiresSeconds: number | undefined;
  readonly presigned: boolean;
}

/** Checks the request's SigV4 signature against the emulator's credentials, region and service. */
export function verifySigV4(request: GatewayRequest, options: VerifyOptions): Verification {
  const found = signatureFields(request);
  if ('ok' in found) return found;
  const { credential, signedHeaders: signedHeadersText, signature, amzDate, token } = found;

  const [accessKeyId, date, region, service, terminator, ...extra] = credential.split('/');
  if (extra.length > 0 || terminator !== 'aws4_request' || date === undefined || !/^\d{8}$/.test(date)) {
    return rejected(
      'IncompleteSignatureException',
      `Credential should be scoped to a valid region, not '${region ?? ''}'. ` +
        "Credential should be scoped correctly: '<key>/<yyyymmdd>/<region>/<service>/aws4_request'.",
    );
  }
  if (accessKeyId !== options.credentials.accessKeyId) {
    return rejected('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  if (region !== options.region) {
    return rejected(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region. Expected '${options.region}', got '${region ?? ''}'.`,
    );
  }
  if (service !== options.service) {
    return rejected(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${options.service}'.`,
    );
  }

  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined) {
    return rejected(
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (found.expiresSeconds !== undefined && signedAt + found.expiresSeconds * 1000 < options.now) {
    return rejected('AccessDeniedException', 'Request has expired');
  }
  if (found.expiresSeconds === undefined && signedAt < options.now - SKEW_MS) {
    return rejected(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(options.now - SKEW_MS)} (${formatAmzDate(options.now)} - 15 min.)`,
    );
  }
  if (signedAt > options.now + SKEW_MS) {
    return rejected(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(options.now + SKEW_MS)} (${formatAmzDate(options.now)} + 15 min.)`,
    );
  }
  if (!amzDate.startsWith(date)) return rejected('InvalidSignatureException', SIGNATURE_MISMATCH);

  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host')) {
    return rejected(
      'InvalidSignatureException',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (options.credentials.sessionToken !== undefined && token !== options.credentials.sessionToken) {
    return rejected('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }

  const payloadHash = payloadHashOf(request);
  if (payloadHash === undefined) return rejected('InvalidSignatureException', SIGNATURE_MISMATCH);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const key = signingKey(options.credentials.secretAccessKey, date, region, service);
  const given = Buffer.from(signature, 'hex');
  // A presigned URL may be signed over the body's hash (the AWS SDKs) or over UNSIGNED-PAYLOAD (most others).
  const hashes =
    found.presigned && payloadHash !== UNSIGNED_PAYLOAD ? [payloadHash, UNSIGNED_PAYLOAD] : [payloadHash];
  for (const hash of hashes) {
    const canonical = canonicalRequest(request, signedHeaders, hash);
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
    const expected = createHmac('sha256', key).update(stringToSign).digest();
    // A wrong-length or non-hex signature is a mismatch too, found without timing anything.
    if (
      given.length === expected.length &&
      /^[0-9a-f]+$/i.test(signature) &&
      timingSafeEqual(given, expected)
    ) {
      return { ok: true, accessKeyId };
    }
  }
  return rejected('InvalidSignatureException', SIGNATURE_MISMATCH);
}

function signatureFields(request: GatewayRequest): SignatureFields | Verification {
  const authorization = headerValue(request, 'authorization');
  if (authorization?.startsWith(`${ALGORITHM} `)) {
    const fields = parseAuthorization(authorization.slice(ALGORITHM.length + 1));
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (credential === undefined || signedHeaders === undefined || signature === undefined) {
      const name =
        credential === undefined ? 'Credential' : signedHeaders === undefined ? 'SignedHeaders' : 'Signature';
      return rejected(
        'IncompleteSignatureException',
        `Authorization header requires '${name}' parameter. Authorization=${authorization}`,
      );
    }
    return {
      credential,
      signedHeaders,
      signature,
      amzDate: headerValue(request, 'x-amz-date'),
      token: headerValue(request, 'x-amz-security-token'),
      expiresSeconds: undefined,
      presigned: false,
    };
  }
  const query = new Map(parseQuery(request.rawQuery));
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return { ok: false, unsigned: true };
  const credential = query.get('X-Amz-Credential');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get('X-Amz-Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return rejected(
      'IncompleteSignatureException',
      'AWS query-string parameters must include X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-SignedHeaders and X-Amz-Date.',
    );
  }
  const expires = query.get('X-Amz-Expires');
  return {
    credential,
    signedHeaders,
    signature,
    amzDate: query.get('X-Amz-Date'),
    token: query.get('X-Amz-Security-Token'),
    expiresSeconds: expires === undefined || !/^\d+$/.test(expires) ? undefined : Number(expires),
    presigned: true,
  };
}

/** `Credential=…, SignedHeaders=…, Signature=…`, in any order, commas with or without spaces. */
function parseAuthorization(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf('=');
    if (equals > 0) fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  return fields;
}

function parseAmzDate(text: string): number | undefined {
  const match = AMZ_DATE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hours, minutes, seconds] = match.map(Number);
  const epoch = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hours, minutes, seconds);
  return Number.isNaN(epoch) ? undefined : epoch;
}

function formatAmzDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The signed hash of the body: `X-Amz-Content-Sha256` when sent (then it must match the body, unless it is
 * `UNSIGNED-PAYLOAD`), else the body's own hash. `undefined` when the header lies about the body.
 */
function payloadHashOf(request: GatewayRequest): string | undefined {
  const actual = createHash('sha256').update(request.body).digest('hex');
  const declared = headerValue(request, 'x-amz-content-sha256');
  if (declared === undefined) return actual;
  if (declared === UNSIGNED_PAYLOAD) return declared;
  return declared.toLowerCase() === actual ? declared : undefined;
}

/**
 * Method, URI, query, headers, signed header names and payload hash, one per line. The path is normalised
 * and encoded once more over its wire form (services other than S3 sign it double-encoded); the query is
 * decoded, re-encoded with RFC 3986 rules and sorted; headers are lower-case, trimmed, with inner runs of spaces
 * collapsed and repeats joined by commas.
 */
export function canonicalRequest(
  request: GatewayRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const headers = new Map<string, string[]>();
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    const values = headers.get(lower) ?? [];
    values.push(value.trim().replace(/\s+/g, ' '));
    headers.set(lower, values);
  }
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headers.get(name) ?? []).join(',')}\n`)
    .join('');
  return [
    request.method,
    canonicalPath(request.rawPath),
    canonicalQuery(request.rawQuery),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `/${segments.join('/')}${rawPath.endsWith('/') && segments.length > 0 ? '/' : ''}`;
  return rfc3986(normalised).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const key = decodeQueryComponent(equals === -1 ? part : part.slice(0, equals));
    const value = equals === -1 ? '' : decodeQueryComponent(part.slice(equals + 1));
    if (key === 'X-Amz-Signature') continue;
    pairs.push([rfc3986(key), rfc3986(value)]);
  }
  pairs.sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** encodeURIComponent plus the characters RFC 3986 reserves that it leaves alone. */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const dateKey = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(service).digest();
  return createHmac('sha256', serviceKey).update('aws4_request').digest();
}
