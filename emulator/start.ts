import { type FSWatcher, watch as watchFile } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppOptions } from './app.ts';
import { createRouter } from './gateway/router.ts';
import { createGatewayServer, type GatewayRoutes } from './gateway/server.ts';
import { AsyncInvoker } from './invoke/async.ts';
import { type RunningLambdaService, startLambdaService } from './invoke/server.ts';
import { closeServer, listen } from './net.ts';
import { describeSchedule, Scheduler, validateSchedules } from './schedule/scheduler.ts';
import { type AppModel, integrationOf, type RouteModel } from './template/model.ts';
import { emulatorWebConfig, startWebServer } from './web.ts';

export interface EmulatorOptions extends AppOptions {
  readonly host: string;
  /** Serve the template's REST and HTTP APIs on this port (`start-api`); absent: no API server. */
  readonly apiPort?: number;
  /** Serve the Lambda Invoke API on this port (`start-lambda`); absent: no endpoint. */
  readonly lambdaPort?: number;
  /** Fire the template's Schedule and ScheduleV2 events. */
  readonly schedules?: boolean;
  /** Multiplies Lambda's asynchronous retry delays (1 minute, 2 minutes…); e.g. 0.01 for local work. */
  readonly retryDelayScale?: number;
  /** Serve the web page in `web/` on this port, its own origin, configured for the API server. */
  readonly webPort?: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:3000`, with the port actually bound, when the APIs are served. */
  readonly apiUrl: string | undefined;
  /** The `endpoint` for `@aws-sdk/client-lambda`, when the Invoke API is served. */
  readonly lambdaUrl: string | undefined;
  /** The web page's origin, when it is served. */
  readonly webUrl: string | undefined;
  /** Event invocations and scheduled runs, with Lambda's retries. */
  readonly asyncInvoker: AsyncInvoker;
  /** The application being served now (replaced when the template is reloaded). */
  app(): App;
  /** Stops accepting requests, lets in-flight ones finish, stops schedules and retries, then every worker. */
  close(): Promise<void>;
}

/**
 * `start`, `start-api` and `start-lambda`: one loaded template behind up to three edges (the API Gateway
 * server, the Lambda Invoke endpoint, the scheduler). With `watch`, code changes are rebuilt by the App, and a
 * template change loads a new App that replaces the old one only once it has loaded, built and passed the
 * schedule checks: a broken template or build keeps the previous one serving.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { log } = options;
  let app = await loadChecked(options);
  let routes = routesOf(app.model);
  const asyncInvoker = new AsyncInvoker({ app: () => app, log, retryDelayScale: options.retryDelayScale });
  let scheduler = options.schedules ? startScheduler(app.model, asyncInvoker, options) : undefined;

  const apiServer =
    options.apiPort === undefined
      ? undefined
      : createGatewayServer({
          routes: () => routes,
          invoke: (functionId, event) => app.invoke(functionId, { payload: event }),
          log,
        });
  const apiUrl =
    apiServer === undefined ? undefined : await listen(apiServer, options.host, options.apiPort ?? 0);
  if (apiUrl !== undefined) log.info(routeTable(app.model, apiUrl));
  else if (app.model.eventSources.length > 0) log.info(eventSourceTable(app.model));

  let lambda: RunningLambdaService | undefined;
  if (options.lambdaPort !== undefined) {
    lambda = await startLambdaService({
      app: () => app,
      host: options.host,
      port: options.lambdaPort,
      log,
      asyncInvoker,
    });
  }

  const web =
    apiUrl === undefined || options.webPort === undefined
      ? undefined
      : await startWebServer({
          root: fileURLToPath(new URL('../web/', import.meta.url)),
          host: options.host,
          port: options.webPort,
          log,
          config: emulatorWebConfig(apiUrl),
        });
  if (web !== undefined) log.info(`Web page on ${web.url}/`);

  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadChecked(options);
        const previous = app;
        app = next;
        routes = routesOf(next.model);
        watchDefinitions(next.model);
        if (scheduler !== undefined) {
          scheduler.stop();
          scheduler = startScheduler(next.model, asyncInvoker, options);
        }
        log.info(`template reloaded${apiUrl === undefined ? '' : `\n${routeTable(next.model, apiUrl)}`}`);
        await previous.close();
      } catch (error) {
        log.error(
          `${error instanceof Error ? error.message : String(error)}\n  (still serving the previous template)`,
        );
      }
    });
  };
  let debounce: NodeJS.Timeout | undefined;
  const onTemplateChange = () => {
    clearTimeout(debounce);
    debounce = setTimeout(reload, 100);
  };
  const templateWatcher = options.watch ? watchFile(options.templatePath, onTemplateChange) : undefined;
  // The OpenAPI files a template includes are part of it: a change to one reloads the template too.
  const definitionWatchers = new Map<string, FSWatcher>();
  const watchDefinitions = (model: AppModel) => {
    if (!options.watch) return;
    const files = new Set(model.definitionFiles ?? []);
    for (const [file, watcher] of definitionWatchers) {
      if (files.has(file)) continue;
      watcher.close();
      definitionWatchers.delete(file);
    }
    for (const file of files) {
      if (!definitionWatchers.has(file)) definitionWatchers.set(file, watchFile(file, onTemplateChange));
    }
  };
  watchDefinitions(app.model);

  return {
    apiUrl,
    lambdaUrl: lambda?.url,
    webUrl: web?.url,
    asyncInvoker,
    app: () => app,
    async close() {
      clearTimeout(debounce);
      templateWatcher?.close();
      for (const watcher of definitionWatchers.values()) watcher.close();
      scheduler?.stop();
      await Promise.all([
        apiServer === undefined ? undefined : closeServer(apiServer),
        lambda?.close(),
        web?.close(),
      ]);
      await reloading;
      await asyncInvoker.stop();
      await app.close();
    },
  };
}

/** Loads the App and checks its schedules, so that an invalid expression fails the start (or the reload). */
async function loadChecked(options: EmulatorOptions): Promise<App> {
  const app = await App.load(options);
  if (!options.schedules) return app;
  try {
    validateSchedules(app.model.schedules);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

function startScheduler(model: AppModel, asyncInvoker: AsyncInvoker, options: EmulatorOptions): Scheduler {
  const scheduler = new Scheduler({
    app: model,
    invokeAsync: (functionId, event) => {
      asyncInvoker.invokeAsync(functionId, event);
    },
    log: options.log,
  });
  const now = new Date();
  const lines = model.schedules.map((schedule) => `  ${describeSchedule(schedule, now)}`);
  if (lines.length > 0) options.log.info(['Schedules (UTC):', ...lines].join('\n'));
  scheduler.start();
  return scheduler;
}

function routesOf(model: AppModel): GatewayRoutes {
  return { router: createRouter(model.apis, model.routes), accountId: model.accountId };
}

/** The FUNCTION column: the function, or what answers instead (a mock, an HTTP backend, nothing). */
function targetColumn(route: RouteModel): string {
  const integration = integrationOf(route);
  switch (integration.kind) {
    case 'lambda':
      return integration.functionId;
    case 'mock':
      return `(mock ${integration.statusCode})`;
    case 'http':
      return `(http ${integration.uri})`;
    case 'unsupported':
      return '(not emulated)';
  }
}

/** The start-up table: one line per route, then one per function, as `sam local start-api` prints its mounts. */
export function routeTable(model: AppModel, url: string): string {
  const rows = model.routes.map((route) => {
    const kind = route.kind === 'rest' ? 'REST' : 'HTTP';
    const path = route.path === '$default' ? '/{any}' : route.path;
    return [
      route.method,
      route.path,
      targetColumn(route),
      `${kind} ${route.apiId}`,
      // A payload format is what a Lambda function receives; mocks and HTTP backends get none.
      integrationOf(route).kind === 'lambda' ? route.payloadVersion : '-',
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
  const unsupported = model.routes.flatMap((route) => {
    const integration = integrationOf(route);
    return integration.kind === 'unsupported'
      ? [`  ${route.method} ${route.path} (${route.apiId}): ${integration.reason}`]
      : [];
  });
  const notEmulated =
    unsupported.length > 0 ? ['Integrations not emulated (they answer 500 saying why):', ...unsupported] : [];
  return [
    `Serving on ${url}`,
    ...lines,
    note,
    ...notEmulated,
    'Functions:',
    ...functions,
    eventSourceTable(model),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * "Invoked by other services (run them by hand):" and, per function and event, the command that runs it:
 * `generate-event … | invoke Fn`, the rule's `Input` piped in, or `invoke Fn -e event.json` when no event can
 * be generated. `npm run -s` keeps npm's banner off stdout, which would break the pipe. '' without such events.
 */
export function eventSourceTable(model: AppModel, cwd = process.cwd()): string {
  if (model.eventSources.length === 0) return '';
  const relative = path.relative(cwd, model.templatePath);
  const template = relative === 'template.yaml' ? [] : ['-t', relative];
  const rows = model.eventSources.map((source) => {
    const from = source.sourceId ?? source.sourceArn;
    const label = `${source.functionId} ${source.eventId} (${source.type}${from === undefined ? '' : ` ${from}`})`;
    const invoke = ['npm', 'run', '-s', 'local', '--', 'invoke', ...template, source.functionId];
    let command: string;
    if (source.input !== undefined) {
      command = `echo ${shellWord(source.input)} | ${shellLine(invoke)}`;
    } else if (source.generateEvent !== undefined) {
      const generate = ['npm', 'run', '-s', 'local', '--', 'generate-event', ...source.generateEvent];
      command = `${shellLine(generate)} | ${shellLine(invoke)}`;
    } else {
      command = shellLine([...invoke, '-e', 'event.json']);
    }
    return [label, command] as const;
  });
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    'Invoked by other services (run them by hand):',
    ...rows.map(([label, command]) => `  ${label.padEnd(width)}  ${command}`),
  ].join('\n');
}

function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: as is when plain, else single-quoted. */
function shellWord(word: string): string {
  if (/^[\w./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
