import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  emulatorWebConfig,
  pathSegments,
  type RunningWebServer,
  startWebServer,
} from '../../emulator/web.ts';
import { captureLog } from '../support/emulator.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

interface RawResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Sends the request target byte for byte: `fetch`, and node:http given a URL, would resolve `..` and
 * `%2e%2e` before sending, and the traversal tests need the server to see them.
 */
function rawRequest(
  base: string,
  target: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResult> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname,
        port,
        path: target,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the web page server (emulator/web.ts)', () => {
  let dir: string;
  let root: string;
  let server: RunningWebServer;
  const log = captureLog();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-server-'));
    root = join(dir, 'root');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title>');
    writeFileSync(join(root, 'app.js'), 'export {};');
    writeFileSync(join(root, 'style.css'), 'body {}');
    writeFileSync(join(root, 'config.json'), '{"api":"http://127.0.0.1:3000"}');
    writeFileSync(join(root, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'data.bin'), Buffer.from([0, 1, 2]));
    writeFileSync(join(root, 'two words.txt'), 'spaced');
    writeFileSync(join(root, '.env'), 'SECRET=1');
    writeFileSync(join(root, 'sub', 'index.html'), '<!doctype html><title>sub</title>');
    server = await startWebServer({ root, host: '127.0.0.1', port: 0, log });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html for / as UTF-8 HTML that the browser must revalidate and may not sniff', async () => {
    const response = await rawRequest(server.url, '/');

    expect(response.status).to.equal(200);
    expect(response.body).to.equal('<!doctype html><title>home</title>');
    expect(response.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(response.headers['cache-control']).to.equal('no-cache');
    expect(response.headers['x-content-type-options']).to.equal('nosniff');
    expect(response.headers['content-length']).to.equal('34');
  });

  for (const [path, type] of [
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'text/css; charset=utf-8'],
    ['/config.json', 'application/json; charset=utf-8'],
    ['/logo.svg', 'image/svg+xml'],
    ['/data.bin', 'application/octet-stream'],
    ['/two%20words.txt', 'text/plain; charset=utf-8'],
  ] as const) {
    it(`serves ${path} as ${type}`, async () => {
      const response = await rawRequest(server.url, path);

      expect(response.status).to.equal(200);
      expect(response.headers['content-type']).to.equal(type);
      expect(response.headers['cache-control']).to.equal('no-cache');
    });
  }

  it("serves a directory's index.html, and ignores the query string", async () => {
    const response = await rawRequest(server.url, '/sub/?v=2');

    expect(response.status).to.equal(200);
    expect(response.body).to.equal('<!doctype html><title>sub</title>');
  });

  for (const path of ['/missing.js', '/sub/missing/', '/empty/', '/app.js/more', '/.env', '//etc/passwd']) {
    it(`answers 404 for ${path}`, async () => {
      const response = await rawRequest(server.url, path);

      expect(response.status).to.equal(404);
      expect(response.body).to.equal('Not Found\n');
    });
  }

  for (const path of [
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2fetc%2fpasswd',
    '/index.html%00.txt',
  ]) {
    it(`answers 400 to ${path}, which could name a file outside the root`, async () => {
      const response = await rawRequest(server.url, path);

      expect(response.status).to.equal(400);
      expect(response.body).not.to.contain('outside the root');
    });
  }

  it('answers 400 to a malformed percent-escape', async () => {
    const response = await rawRequest(server.url, '/%E0%A4%A.txt');

    expect(response.status).to.equal(400);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const response = await rawRequest(server.url, '/app.js', { method: 'HEAD' });

    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.equal('text/javascript; charset=utf-8');
    expect(response.headers['content-length']).to.equal('10');
    expect(response.body).to.equal('');
  });

  it('answers 405 with Allow: GET, HEAD to any other method', async () => {
    const response = await rawRequest(server.url, '/index.html', { method: 'POST' });

    expect(response.status).to.equal(405);
    expect(response.headers.allow).to.equal('GET, HEAD');
  });

  it('answers 304 when the ETag the browser revalidates with still matches', async () => {
    const first = await rawRequest(server.url, '/style.css');
    const etag = first.headers.etag;
    expect(etag).to.be.a('string');

    const again = await rawRequest(server.url, '/style.css', { headers: { 'If-None-Match': etag ?? '' } });
    const stale = await rawRequest(server.url, '/style.css', { headers: { 'If-None-Match': 'W/"0-0"' } });

    expect(again.status).to.equal(304);
    expect(again.body).to.equal('');
    expect(stale.status).to.equal(200);
  });

  it('logs one line per request with the method, target and status', async () => {
    await rawRequest(server.url, '/missing.css');

    expect(log.lines.info.at(-1)).to.match(/^web GET \/missing\.css 404 \d+\.\d ms$/);
  });

  it('serves the generated config instead of config.json on disk, so the page calls the running emulator', async () => {
    const generated = await startWebServer({
      root,
      host: '127.0.0.1',
      port: 0,
      log: captureLog(),
      config: emulatorWebConfig('http://127.0.0.1:4321'),
    });
    try {
      const response = await rawRequest(generated.url, '/config.json');

      expect(response.status).to.equal(200);
      expect(response.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(response.headers['cache-control']).to.equal('no-cache');
      expect(JSON.parse(response.body)).to.deep.equal({ api: 'http://127.0.0.1:4321' });
    } finally {
      await generated.close();
    }
  });

  it('names an API bound to every address by the host the browser reached the page by, else by loopback', async () => {
    const generated = await startWebServer({
      root,
      host: '127.0.0.1',
      port: 0,
      log: captureLog(),
      config: emulatorWebConfig('http://0.0.0.0:4321'),
    });
    const apiFor = async (host: string) =>
      JSON.parse((await rawRequest(generated.url, '/config.json', { headers: { Host: host } })).body);
    try {
      expect(await apiFor('192.0.2.7:8080')).to.deep.equal({ api: 'http://192.0.2.7:4321' });
      expect(await apiFor('Laptop.local:8080')).to.deep.equal({ api: 'http://laptop.local:4321' });
      expect(await apiFor('[fe80::1]:8080')).to.deep.equal({ api: 'http://[fe80::1]:4321' });
      // Nothing but a host name is taken from the header.
      expect(await apiFor('evil.example/path?x=1')).to.deep.equal({ api: 'http://127.0.0.1:4321' });
      expect(await apiFor('user@evil.example')).to.deep.equal({ api: 'http://127.0.0.1:4321' });
    } finally {
      await generated.close();
    }
  });

  it('keeps an API bound to one address on that address, whatever host the page was reached by', () => {
    expect(emulatorWebConfig('http://127.0.0.1:3000')('192.0.2.7')).to.deep.equal({
      api: 'http://127.0.0.1:3000',
    });
    expect(emulatorWebConfig('http://[::]:3000')(undefined)).to.deep.equal({ api: 'http://[::1]:3000' });
  });

  it('serves every file that web/index.html links to, with its content type', async () => {
    const page = await startWebServer({ root: WEB_ROOT, host: '127.0.0.1', port: 0, log: captureLog() });
    try {
      const html = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
      const linked = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
      expect(linked).to.have.members(['favicon.svg', 'style.css', 'app.js']);

      for (const [file, type] of [
        ['favicon.svg', 'image/svg+xml'],
        ['style.css', 'text/css; charset=utf-8'],
        ['app.js', 'text/javascript; charset=utf-8'],
        ['config.json', 'application/json; charset=utf-8'],
      ]) {
        const response = await rawRequest(page.url, `/${file}`);
        expect(response.status, file).to.equal(200);
        expect(response.headers['content-type'], file).to.equal(type);
      }
    } finally {
      await page.close();
    }
  });
});

describe('pathSegments', () => {
  it('decodes each segment and drops empty and "." ones', () => {
    expect(pathSegments('/a//b/./c%20d?x=1#y')).to.deep.equal(['a', 'b', 'c d']);
  });

  it('refuses a target that is not an origin-form path', () => {
    expect(pathSegments('http://127.0.0.1/../secret.txt')).to.equal(undefined);
    expect(pathSegments('*')).to.equal(undefined);
    expect(pathSegments('example.com:443')).to.equal(undefined);
  });
});
