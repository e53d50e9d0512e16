import { parseTimestamp } from '../schedule/zone.ts';
import { readRouteAuth } from './auth.ts';
import type { Diagnostics } from './errors.ts';
import { isEventSourceType, readEventSource } from './event-sources.ts';
import { mergeGlobals } from './globals.ts';
import type { Resolver } from './intrinsics.ts';
import type { ApiKind, ApiModel, EventSourceModel, RouteModel, ScheduleModel } from './model.ts';
import { PropertyReader } from './properties.ts';
import {
  apiTargetOf,
  type EventEntry,
  functionEvents,
  type ResourceEntry,
  SERVERLESS_API,
  SERVERLESS_HTTP_API,
} from './resources.ts';
import {
  expectBoolean,
  expectInteger,
  expectNonEmptyString,
  expectOneOf,
  expectString,
  type Path,
} from './values.ts';

const METHODS = ['ANY', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;
/** API Gateway's REST integration timeout, in ms. */
const REST_INTEGRATION_TIMEOUT_MS = 29_000;
/** An HTTP API integration's default (and maximum) `TimeoutInMillis`. */
const HTTP_INTEGRATION_TIMEOUT_MS = 30_000;

export interface FunctionEvents {
  readonly routes: RouteModel[];
  readonly schedules: ScheduleModel[];
  readonly eventSources: EventSourceModel[];
}

interface EventContext {
  readonly functionId: string;
  readonly apis: ReadonlyMap<string, ApiModel>;
  readonly resources: ReadonlyMap<string, ResourceEntry>;
  readonly resolver: Resolver;
  readonly diag: Diagnostics;
}

/**
 * A function's `Api`, `HttpApi`, `Schedule` and `ScheduleV2` events as routes and schedules, events from other
 * services (SQS, S3, …) as event sources to run by hand; unknown types are warned about.
 */
export function readEvents(entry: ResourceEntry, context: Omit<EventContext, 'functionId'>): FunctionEvents {
  const routes: RouteModel[] = [];
  const schedules: ScheduleModel[] = [];
  const eventSources: EventSourceModel[] = [];
  const eventContext: EventContext = { ...context, functionId: entry.logicalId };
  for (const event of functionEvents(entry, context.diag)) {
    const properties = new PropertyReader(
      mergeGlobals(undefined, [], event.properties, [...event.path, 'Properties']),
      context.resolver,
      context.diag,
    );
    switch (event.type) {
      case 'Api':
      case 'HttpApi': {
        const route = readRoute(event, properties, eventContext);
        if (route !== undefined) routes.push(route);
        break;
      }
      case 'Schedule':
        schedules.push(readSchedule(event, properties, eventContext));
        break;
      case 'ScheduleV2':
        schedules.push(readScheduleV2(event, properties, eventContext));
        break;
      default:
        if (isEventSourceType(event.type)) {
          eventSources.push(readEventSource(event, properties, eventContext));
        } else {
          context.diag.warn([...event.path, 'Type'], `${event.type} events are not emulated; event ignored`);
        }
    }
  }
  return { routes, schedules, eventSources };
}

/** The API an event attaches to, or `undefined` (with a warning) when it is not one the emulator serves. */
function targetApi(event: EventEntry, kind: ApiKind, context: EventContext): ApiModel | undefined {
  const { diag } = context;
  const apiId = apiTargetOf(event, diag);
  const key = kind === 'rest' ? 'RestApiId' : 'ApiId';
  const path: Path = [...event.path, 'Properties', key];
  const api = context.apis.get(apiId);
  if (api !== undefined) {
    if (api.kind === kind) return api;
    const typeOf = (apiKind: ApiKind): string => (apiKind === 'rest' ? SERVERLESS_API : SERVERLESS_HTTP_API);
    return diag.fail(
      path,
      `${apiId} is an ${typeOf(api.kind)}; ${event.type} events need an ${typeOf(kind)}`,
    );
  }
  const resource = context.resources.get(apiId);
  if (resource === undefined)
    return diag.fail(path, `refers to ${apiId}, which is not a resource of this template`);
  if (resource.type === SERVERLESS_API || resource.type === SERVERLESS_HTTP_API) {
    diag.warn(path, `${apiId} is not created (its Condition is false); event ignored`);
  } else {
    diag.warn(path, `${apiId} is an ${resource.type}, which is not emulated; event ignored`);
  }
  return undefined;
}

/**
 * `Api` events: a REST route with payload 1.0 and API Gateway's 29 s integration timeout.
 * `HttpApi` events: an HTTP API route, `$default`/ANY without Path and Method, payload 2.0 unless
 * `PayloadFormatVersion`, `TimeoutInMillis` 30000 unless set.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html
 */
function readRoute(
  event: EventEntry,
  properties: PropertyReader,
  context: EventContext,
): RouteModel | undefined {
  const { diag } = context;
  const kind: ApiKind = event.type === 'Api' ? 'rest' : 'http';
  const api = targetApi(event, kind, context);
  if (api === undefined) return undefined;

  const rawPath = properties.value(['Path']);
  const rawMethod = properties.value(['Method']);
  let path: string;
  let method: string;
  if (kind === 'http' && rawPath === undefined && rawMethod === undefined) {
    path = '$default';
    method = 'ANY';
  } else {
    if (rawPath === undefined) diag.fail(properties.pathOf([]), requiredMessage('Path', 'Method', kind));
    if (rawMethod === undefined) diag.fail(properties.pathOf([]), requiredMessage('Method', 'Path', kind));
    path = expectString(rawPath, properties.pathOf(['Path']), diag);
    if (!path.startsWith('/') && !(kind === 'http' && path === '$default')) {
      diag.fail(
        properties.pathOf(['Path']),
        `expected a string starting with '/', got ${JSON.stringify(path)}`,
      );
    }
    method = expectOneOf(
      expectString(rawMethod, properties.pathOf(['Method']), diag).toUpperCase(),
      METHODS,
      properties.pathOf(['Method']),
      diag,
    );
  }

  const auth = readRouteAuth(properties, api, diag);
  const base = {
    apiId: api.logicalId,
    method,
    path,
    functionId: context.functionId,
    eventId: event.eventId,
    ...(auth === undefined ? {} : { auth }),
  };
  if (kind === 'rest') {
    return { ...base, kind, payloadVersion: '1.0', integrationTimeoutMs: REST_INTEGRATION_TIMEOUT_MS };
  }
  const timeout = properties.value(['TimeoutInMillis']);
  return {
    ...base,
    kind,
    payloadVersion: readPayloadVersion(
      properties.value(['PayloadFormatVersion']),
      properties.pathOf(['PayloadFormatVersion']),
      diag,
    ),
    integrationTimeoutMs:
      timeout === undefined
        ? HTTP_INTEGRATION_TIMEOUT_MS
        : expectInteger(timeout, properties.pathOf(['TimeoutInMillis']), diag, {
            min: 50,
            max: HTTP_INTEGRATION_TIMEOUT_MS,
          }),
  };
}

function requiredMessage(key: string, other: string, kind: ApiKind): string {
  return kind === 'rest'
    ? `${key} is required`
    : `${key} is required when ${other} is given (give both or neither)`;
}

/** `'2.0'` by default; YAML reads an unquoted `1.0` as the number 1, which means the same version. */
function readPayloadVersion(value: unknown, path: Path, diag: Diagnostics): '1.0' | '2.0' {
  if (value === undefined) return '2.0';
  if (value === 1 || value === 2) return value === 1 ? '1.0' : '2.0';
  return expectOneOf(value, ['1.0', '2.0'], path, diag);
}

function readInput(properties: PropertyReader, diag: Diagnostics): string | undefined {
  const value = properties.value(['Input']);
  if (value === undefined) return undefined;
  const input = expectString(value, properties.pathOf(['Input']), diag);
  try {
    JSON.parse(input);
  } catch {
    diag.fail(
      properties.pathOf(['Input']),
      'expected valid JSON text: it is sent to the function as the event',
    );
  }
  return input;
}

function readOptionalString(properties: PropertyReader, key: string, diag: Diagnostics): string | undefined {
  const value = properties.value([key]);
  return value === undefined ? undefined : expectString(value, properties.pathOf([key]), diag);
}

function readRetryAttempts(properties: PropertyReader, diag: Diagnostics): number | undefined {
  const relative = ['RetryPolicy', 'MaximumRetryAttempts'];
  const value = properties.value(relative);
  return value === undefined
    ? undefined
    : expectInteger(value, properties.pathOf(relative), diag, { min: 0, max: 185 });
}

function requiredExpression(properties: PropertyReader, key: string, diag: Diagnostics): string {
  const value = properties.value([key]);
  if (value === undefined) diag.fail(properties.pathOf([]), `${key} is required`);
  // The expression's syntax (rate/cron/at) is checked by the scheduler, which also evaluates it.
  return expectNonEmptyString(value, properties.pathOf([key]), diag);
}

/**
 * `Schedule` events (an EventBridge rule): `Enabled` (default true) or `State`, never both.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-schedule.html
 */
function readSchedule(event: EventEntry, properties: PropertyReader, context: EventContext): ScheduleModel {
  const { diag } = context;
  const expression = requiredExpression(properties, 'Schedule', diag);
  const enabledValue = properties.value(['Enabled']);
  const stateValue = properties.value(['State']);
  if (enabledValue !== undefined && stateValue !== undefined) {
    diag.fail(
      properties.pathOf(['State']),
      'Enabled and State cannot both be set (SAM rejects it): keep one',
    );
  }
  let enabled = true;
  if (enabledValue !== undefined) enabled = expectBoolean(enabledValue, properties.pathOf(['Enabled']), diag);
  if (stateValue !== undefined) {
    const states = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'] as const;
    enabled = expectOneOf(stateValue, states, properties.pathOf(['State']), diag) !== 'DISABLED';
  }
  return {
    functionId: context.functionId,
    eventId: event.eventId,
    kind: 'Schedule',
    expression,
    timezone: 'UTC',
    enabled,
    input: readInput(properties, diag),
    name: readOptionalString(properties, 'Name', diag),
    maximumRetryAttempts: readRetryAttempts(properties, diag),
  };
}

/**
 * `ScheduleV2` events (EventBridge Scheduler): `ScheduleExpressionTimezone` defaults to UTC, `State` to ENABLED.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-schedulev2.html
 */
function readScheduleV2(event: EventEntry, properties: PropertyReader, context: EventContext): ScheduleModel {
  const { diag } = context;
  const expression = requiredExpression(properties, 'ScheduleExpression', diag);
  const zoneValue = properties.value(['ScheduleExpressionTimezone']);
  const timezone =
    zoneValue === undefined
      ? 'UTC'
      : expectString(zoneValue, properties.pathOf(['ScheduleExpressionTimezone']), diag);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    diag.fail(
      properties.pathOf(['ScheduleExpressionTimezone']),
      `${JSON.stringify(timezone)} is not an IANA time zone`,
    );
  }
  const state = properties.value(['State']);
  return {
    functionId: context.functionId,
    eventId: event.eventId,
    kind: 'ScheduleV2',
    expression,
    timezone,
    enabled:
      state === undefined ||
      expectOneOf(state, ['ENABLED', 'DISABLED'], properties.pathOf(['State']), diag) === 'ENABLED',
    input: readInput(properties, diag),
    name: readOptionalString(properties, 'Name', diag),
    maximumRetryAttempts: readRetryAttempts(properties, diag),
    ...readDate(properties, 'StartDate', diag),
    ...readDate(properties, 'EndDate', diag),
    ...readFlexibleTimeWindow(properties, diag),
  };
}

/**
 * `StartDate` / `EndDate`: a date and time, in UTC unless it names its offset (CloudFormation passes the text to
 * Scheduler, which reads it as a timestamp).
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 */
function readDate(
  properties: PropertyReader,
  key: 'StartDate' | 'EndDate',
  diag: Diagnostics,
): { startDate?: number; endDate?: number } {
  const value = properties.value([key]);
  if (value === undefined) return {};
  const path = properties.pathOf([key]);
  const text = expectNonEmptyString(value, path, diag).trim();
  const time = parseTimestamp(text);
  if (time === undefined) {
    diag.fail(path, `${JSON.stringify(text)} is not a date and time, e.g. 2027-01-01T00:00:00Z`);
  }
  return key === 'StartDate' ? { startDate: time } : { endDate: time };
}

/**
 * `FlexibleTimeWindow`: `Mode` OFF (SAM's default) or FLEXIBLE, which needs `MaximumWindowInMinutes` (1–1440).
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html
 */
function readFlexibleTimeWindow(
  properties: PropertyReader,
  diag: Diagnostics,
): { flexibleWindowMinutes?: number } {
  if (properties.value(['FlexibleTimeWindow']) === undefined) return {};
  const modePath = ['FlexibleTimeWindow', 'Mode'];
  const modeValue = properties.value(modePath);
  if (modeValue === undefined) diag.fail(properties.pathOf(modePath), 'Mode is required: OFF or FLEXIBLE');
  const mode = expectOneOf(modeValue, ['OFF', 'FLEXIBLE'], properties.pathOf(modePath), diag);
  if (mode === 'OFF') return {};
  const windowPath = ['FlexibleTimeWindow', 'MaximumWindowInMinutes'];
  const windowValue = properties.value(windowPath);
  if (windowValue === undefined) {
    diag.fail(properties.pathOf(windowPath), 'MaximumWindowInMinutes is required when Mode is FLEXIBLE');
  }
  return {
    flexibleWindowMinutes: expectInteger(windowValue, properties.pathOf(windowPath), diag, {
      min: 1,
      max: 1440,
    }),
  };
}
