import { connect } from 'node:net';

export interface RawExchange {
  /** Every byte the server sent, as Latin-1 text (HTTP's header encoding). */
  readonly response: string;
  /** The server closed the connection (rather than the client giving up at the deadline). */
  readonly closedByServer: boolean;
  /** The status of the first response, `undefined` when none arrived. */
  readonly status: number | undefined;
}

export interface RawOptions {
  /** The client gives up (and closes) after this long; default 2 s. */
  readonly timeoutMs?: number;
  /** Wait this long between pieces, to send them as a slow client would; default 0. */
  readonly pauseMs?: number;
  /** Close the connection once this much of the response has arrived. */
  readonly hangUpAfterBytes?: number;
  /** Close the connection right after the last piece is written, without waiting for an answer. */
  readonly hangUpAfterWriting?: boolean;
}

/**
 * Writes bytes that no HTTP client library would send to 127.0.0.1:`port`, piece by piece, and reads whatever
 * comes back until the server closes the connection or the deadline passes. Never rejects: a reset is an answer.
 */
export function rawExchange(
  port: number,
  pieces: readonly (string | Buffer)[],
  options: RawOptions = {},
): Promise<RawExchange> {
  const { timeoutMs = 2000, pauseMs = 0 } = options;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let closedByServer = false;
    let finished = false;
    const socket = connect(port, '127.0.0.1');
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      socket.destroy();
      const response = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(response)?.[1];
      resolve({ response, closedByServer, status: status === undefined ? undefined : Number(status) });
    };
    const deadline = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.byteLength;
      if (options.hangUpAfterBytes !== undefined && received >= options.hangUpAfterBytes) finish();
    });
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      closedByServer ||= !finished;
      finish();
    });
    // A reset or a write after the server closed: the answer, if any, is already in `chunks`.
    socket.on('error', () => {});
    socket.once('connect', async () => {
      for (const [index, piece] of pieces.entries()) {
        if (finished || socket.destroyed) return;
        if (index > 0 && pauseMs > 0) await new Promise((wait) => setTimeout(wait, pauseMs));
        socket.write(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
      }
      if (options.hangUpAfterWriting) finish();
    });
  });
}
