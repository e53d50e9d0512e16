/**
 * An error that knows the HTTP status it should be answered with. Its message is written for the
 * client; `cause` keeps the internal detail for the logs only.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly statusCode: number;
  /** Response headers that belong with this error, e.g. `Retry-After` on a 503. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    message: string,
    options: { cause?: unknown; headers?: Readonly<Record<string, string>> } = {},
  ) {
    super(message, { cause: options.cause });
    this.statusCode = statusCode;
    this.headers = options.headers ?? {};
  }
}
