import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from './log.ts';
import { closeServer, listen } from './net.ts';

/**
 * What the page reads from `config.json`: the two endpoint URLs exactly as the stack outputs them
 * (`PriceApiUrl` ends with `/Prod/price`, `MultiplyApiUrl` with `/multiply`), or `api`, one base URL that
 * serves both routes at the root as the emulator does. See web/README.md.
 */
export interface WebConfig {
  readonly api?: string;
  readonly PriceApiUrl?: string;
  readonly MultiplyApiUrl?: string;
}

export interface WebServerOptions {
  /** The directory served; nothing outside it is ever read. */
  readonly root: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log: Logger;
  /**
   * Served as `/config.json` instead of the file on disk, so the page calls the running emulator; given the host
   * name the browser reached the page by (from its Host header), when it has a valid one.
   */
  readonly config?: (pageHostname: string | undefined) => WebConfig;
}

export interface RunningWebServer {
  /** `http://127.0.0.1:8080`, with the port actually bound: the page's origin. */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

const WILDCARD_HOSTS = new Map([
  ['0.0.0.0', '127.0.0.1'],
  ['[::]', '[::1]'],
]);

/** This project's page: `web/` beside its `template.yaml`, whose `/price` and `/multiply` it calls. */
const PROJECT_WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));

/**
 * The folder of the page to serve beside the APIs of `templatePath`, or `undefined` when there is none. `web/`
 * is this project's page and calls this project's routes, so it belongs to the templates of the folder it sits
 * in (template.yaml, or a variant saved beside it) and to no other application's: `start -t other-app/template.yaml`
 * serves no Binance page. Another application's own `web/` is not served either: it may need a build, and its
 * `config.json` is not the one this page reads.
 */
export function webRootFor(templatePath: string): string | undefined {
  return join(dirname(resolve(templatePath)), 'web') === PROJECT_WEB_ROOT ? PROJECT_WEB_ROOT : undefined;
}

/**
 * The emulator serves every route at its root, so one base URL names both endpoints. A page cannot call
 * 0.0.0.0: an API bound to every address is named by the host the browser reached the page by (a phone on the
 * LAN calls the laptop's address), or loopback when that is unknown.
 */
export function emulatorWebConfig(apiUrl: string): (pageHostname: string | undefined) => WebConfig {
  const url = new URL(apiUrl);
  const loopback = WILDCARD_HOSTS.get(url.hostname);
  if (loopback === undefined) return () => ({ api: url.origin });
  return (pageHostname) => {
    const named = new URL(url);
    named.hostname = pageHostname ?? loopback;
    return { api: named.origin };
  };
}

/** The host name in a Host header (`192.0.2.7:8080`, `[::1]:8080`, `laptop.local`), or undefined if it is not one. */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined || !/^[A-Za-z0-9.\-[\]:]+$/.test(hostHeader)) return undefined;
  try {
    // Letters, digits, dots, dashes, brackets and colons only: no user, path or query can ride along.
    const { hostname } = new URL(`http://${hostHeader}`);
    return hostname === '' ? undefined : hostname;
  } catch {
    return undefined;
  }
}

/**
 * A static file server for `web/` on its own origin, so that the page calls the APIs cross-origin exactly as
 * it will from wherever it is hosted once deployed, and CORS is exercised rather than bypassed.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const root = resolve(options.root);
  const server = createServer((incoming, outgoing) => {
    const started = performance.now();
    serve(root, options.config, incoming, outgoing).then(
      () => logRequest(options.log, incoming, outgoing.statusCode, started),
      (error: unknown) => {
        options.log.error(`web: ${incoming.url}: ${error instanceof Error ? error.message : String(error)}`);
        if (!outgoing.headersSent) send(outgoing, 500, 'Internal Server Error');
        else outgoing.destroy();
      },
    );
  });
  const url = await listen(server, options.host, options.port, 'web');
  return { url, close: () => closeServer(server) };
}

async function serve(
  root: string,
  config: WebServerOptions['config'],
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  if (incoming.method !== 'GET' && incoming.method !== 'HEAD') {
    outgoing.setHeader('Allow', 'GET, HEAD');
    return send(outgoing, 405, 'Method Not Allowed');
  }
  const segments = pathSegments(incoming.url ?? '');
  if (segments === undefined) return send(outgoing, 400, 'Bad Request');
  // Dot-files (an editor's swap file, .DS_Store) are never part of the page.
  if (segments.some((segment) => segment.startsWith('.'))) return send(outgoing, 404, 'Not Found');

  if (config !== undefined && segments.length === 1 && segments[0] === 'config.json') {
    const generated = config(hostnameOf(incoming.headers.host));
    return sendBody(
      outgoing,
      CONTENT_TYPES['.json'] ?? '',
      Buffer.from(JSON.stringify(generated)),
      undefined,
    );
  }

  let file = join(root, ...segments);
  if (file !== root && !file.startsWith(root + sep)) return send(outgoing, 400, 'Bad Request');
  let info = await statOrUndefined(file);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await statOrUndefined(file);
  }
  if (info === undefined || !info.isFile()) return send(outgoing, 404, 'Not Found');

  const etag = `W/"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"`;
  if (incoming.headers['if-none-match'] === etag) {
    outgoing.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache' });
    outgoing.end();
    return;
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  return sendBody(outgoing, type, await readFile(file), etag);
}

/**
 * The request path as decoded segments, or `undefined` for anything that could name a file outside the root
 * or is not a plain origin-form path: `..` (also as `%2e%2e`), an encoded or back slash, NUL, bad escapes.
 * An empty segment (`//`, a trailing `/`) is dropped, so `//etc/passwd` stays inside the root.
 */
export function pathSegments(target: string): string[] | undefined {
  if (!target.startsWith('/')) return undefined;
  const path = target.split(/[?#]/, 1)[0] ?? '';
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return segments;
}

async function statOrUndefined(file: string) {
  try {
    return await stat(file);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw error;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

/** Node itself leaves the body out of an answer to HEAD, keeping Content-Length. */
function sendBody(outgoing: ServerResponse, type: string, body: Buffer, etag: string | undefined): void {
  outgoing.writeHead(200, {
    'Content-Type': type,
    'Content-Length': body.byteLength,
    // Revalidate every time: a page edited during `npm start` must show up on reload.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...(etag === undefined ? {} : { ETag: etag }),
  });
  outgoing.end(body);
}

function send(outgoing: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(`${message}\n`);
  outgoing.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.byteLength,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  outgoing.end(body);
}

function logRequest(log: Logger, incoming: IncomingMessage, status: number, started: number): void {
  const ms = (performance.now() - started).toFixed(1);
  log.info(`web ${incoming.method} ${incoming.url} ${status} ${ms} ms`);
}
