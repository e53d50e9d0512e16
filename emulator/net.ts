import type { Server } from 'node:http';

/** Which of the emulator's servers a port belongs to, so that a failure to bind it can name its flag. */
export type ServerRole = 'api' | 'lambda' | 'web' | 'function-url';

/** A port that cannot be bound: in use (`EADDRINUSE`), privileged (`EACCES`), or a host not on this machine. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code: string;
  readonly host: string;
  readonly port: number;
  readonly role: ServerRole | undefined;
  constructor(cause: NodeJS.ErrnoException, host: string, port: number, role: ServerRole | undefined) {
    super(`${host}:${port}: ${listenProblem(cause.code)}`, { cause });
    this.code = cause.code ?? 'UNKNOWN';
    this.host = host;
    this.port = port;
    this.role = role;
  }
}

function listenProblem(code: string | undefined): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is in use';
    case 'EACCES':
      return 'binding this port needs privileges';
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return 'the host is not an address of this machine';
    default:
      return `cannot listen (${code ?? 'unknown error'})`;
  }
}

/**
 * Listens and resolves with the base URL actually bound (`http://127.0.0.1:3000`; port 0 picks a free one);
 * rejects with a ListenError.
 */
export function listen(server: Server, host: string, port: number, role?: ServerRole): Promise<string> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(new ListenError(error, host, port, role));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`${host}:${port} is not a TCP address`));
        return;
      }
      const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}

/** Stops accepting connections, closes idle keep-alive ones, and resolves once in-flight requests are answered. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** A client that never finishes its headers or body must not hold a socket forever. */
export function limitSlowClients(server: Server): void {
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
}
