/** One HTTP request as the gateway sees it, built by the HTTP edge from Node's `IncomingMessage`. */
export interface GatewayRequest {
  /** As received, upper-case. */
  readonly method: string;
  /** As received, still percent-encoded, without the query. */
  readonly rawPath: string;
  /** After `?`, `''` when none, still encoded. */
  readonly rawQuery: string;
  /** Node's `rawHeaders` as pairs: original case and order, repeats kept. */
  readonly headers: readonly (readonly [string, string])[];
  /** Empty Buffer when the request has no body. */
  readonly body: Buffer;
  /** The TCP peer. */
  readonly sourceIp: string;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
}

/** The last value of a header, compared case-insensitively; `lowerName` must be lower-case. */
export function headerValue(request: GatewayRequest, lowerName: string): string | undefined {
  const headers = request.headers;
  for (let i = headers.length - 1; i >= 0; i--) {
    const header = headers[i];
    if (header !== undefined && header[0].toLowerCase() === lowerName) return header[1];
  }
  return undefined;
}

/** Media type of a Content-Type or Accept entry: lower-case, parameters and spaces removed. */
export function mediaTypeOf(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}
