import { watch as watchFile } from 'node:fs';
import type { Server } from 'node:http';
import { App, type AppOptions } from './app.ts';
import { createRouter } from './gateway/router.ts';
import { createGatewayServer, type GatewayRoutes } from './gateway/server.ts';
import type { AppModel } from './template/model.ts';

export interface ApiServerOptions extends AppOptions {
  readonly host: string;
  readonly port: number;
}

export interface RunningApi {
  /** `http://127.0.0.1:3000`, with the port actually bound (useful with port 0). */
  readonly url: string;
  /** The application being served now (it changes when the template is reloaded). */
  app(): App;
  /** Stops accepting connections, lets in-flight requests finish, then stops every worker. */
  close(): Promise<void>;
}

/**
 * `start-api`: every REST and HTTP API route of the template on one port. With `watch`, code changes are
 * rebuilt by the App, and a template change loads a new App that replaces the old one only once it has
 * loaded and built: a broken template or build keeps the previous one serving.
 */
export async function startApi(options: ApiServerOptions): Promise<RunningApi> {
  const { log } = options;
  let app = await App.load(options);
  let routes = routesOf(app.model);
  const server = createGatewayServer({
    routes: () => routes,
    invoke: (functionId, event) => app.invoke(functionId, { payload: event }),
    log,
  });
  await listen(server, options.host, options.port);
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the API server is not listening on TCP');
  const url = `http://${formatHost(address.address)}:${address.port}`;
  log.info(routeTable(app.model, url));

  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      try {
        const next = await App.load(options);
        const previous = app;
        app = next;
        routes = routesOf(next.model);
        log.info(`template reloaded\n${routeTable(next.model, url)}`);
        await previous.close();
      } catch (error) {
        log.error(
          `${error instanceof Error ? error.message : String(error)}\n  (still serving the previous template)`,
        );
      }
    });
  };
  let debounce: NodeJS.Timeout | undefined;
  const templateWatcher = options.watch
    ? watchFile(options.templatePath, () => {
        clearTimeout(debounce);
        debounce = setTimeout(reload, 100);
      })
    : undefined;

  return {
    url,
    app: () => app,
    async close() {
      clearTimeout(debounce);
      templateWatcher?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await reloading;
      await app.close();
    },
  };
}

function routesOf(model: AppModel): GatewayRoutes {
  return { router: createRouter(model.apis, model.routes), accountId: model.accountId };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** The start-up table: one line per route, then one per function, as `sam local start-api` prints its mounts. */
export function routeTable(model: AppModel, url: string): string {
  const rows = model.routes.map((route) => {
    const kind = route.kind === 'rest' ? 'REST' : 'HTTP';
    const path = route.path === '$default' ? '/{any}' : route.path;
    return [
      route.method,
      route.path,
      route.functionId,
      `${kind} ${route.apiId}`,
      route.payloadVersion,
      `${url}${path}`,
    ];
  });
  const header = ['METHOD', 'PATH', 'FUNCTION', 'API', 'PAYLOAD', 'URL'];
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const lines = table.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const functions = [...model.functions.values()].map(
    (fn) =>
      `  ${fn.logicalId}  ${fn.runtime}  ${fn.memorySize} MB  timeout ${fn.timeout} s  handler ${fn.handler}`,
  );
  const restStages = [...model.apis.values()]
    .filter((api) => api.kind === 'rest')
    .map((api) => `/${api.stageName}`);
  const note =
    restStages.length > 0
      ? `REST routes also answer under their stage (${restStages.join(', ')}), as on execute-api.`
      : '';
  return [`Serving on ${url}`, ...lines, note, 'Functions:', ...functions]
    .filter((line) => line !== '')
    .join('\n');
}
