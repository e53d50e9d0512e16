import type { Server } from 'node:http';

/** Listens and resolves with the base URL actually bound (`http://127.0.0.1:3000`; port 0 picks a free one). */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
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
