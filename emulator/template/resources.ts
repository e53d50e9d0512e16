import type { Diagnostics } from './errors.ts';
import { expectRecord, expectString, intrinsicName, isRecord, type Path } from './values.ts';

export const SERVERLESS_FUNCTION = 'AWS::Serverless::Function';
/** Plain CloudFormation functions run too, as `sam local` runs them: code in `Code` (a local path or `ZipFile`). */
export const LAMBDA_FUNCTION = 'AWS::Lambda::Function';
export const SERVERLESS_API = 'AWS::Serverless::Api';
export const SERVERLESS_HTTP_API = 'AWS::Serverless::HttpApi';
export const SERVERLESS_LAYER_VERSION = 'AWS::Serverless::LayerVersion';
export const LAMBDA_LAYER_VERSION = 'AWS::Lambda::LayerVersion';
/** Logical id of the REST API SAM creates for `Api` events without `RestApiId`. */
export const IMPLICIT_REST_API = 'ServerlessRestApi';
/** Logical id of the HTTP API SAM creates for `HttpApi` events without `ApiId`. */
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';

/** One entry of `Resources`, or an API that SAM creates implicitly. */
export interface ResourceEntry {
  readonly logicalId: string;
  readonly type: string;
  /** Raw `Properties`, before Globals and intrinsics. */
  readonly properties: Record<string, unknown>;
  readonly metadata: unknown;
  readonly condition: string | undefined;
  /** For an implicit API: the functions whose events create it (it exists when one of them does). */
  readonly implicitFor: readonly string[] | undefined;
}

const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/** The `Resources` section as entries, in template order, with SAM's implicit APIs appended when used. */
export function readResources(section: unknown, diag: Diagnostics): ResourceEntry[] {
  if (section === undefined)
    diag.fail([], 'the template has no Resources section; CloudFormation requires one');
  const resources = expectRecord(section, ['Resources'], diag);
  if (Object.keys(resources).length === 0) diag.fail(['Resources'], 'must declare at least one resource');

  const entries: ResourceEntry[] = [];
  for (const [logicalId, raw] of Object.entries(resources)) {
    const path: Path = ['Resources', logicalId];
    if (!LOGICAL_ID.test(logicalId)) diag.fail(path, 'logical ids must be alphanumeric (A-Z, a-z, 0-9)');
    const resource = expectRecord(raw, path, diag);
    if (resource.Type === undefined) diag.fail(path, 'has no Type');
    const type = expectString(resource.Type, [...path, 'Type'], diag);
    const properties =
      resource.Properties === undefined
        ? {}
        : expectRecord(resource.Properties, [...path, 'Properties'], diag);
    const condition =
      resource.Condition === undefined
        ? undefined
        : expectString(resource.Condition, [...path, 'Condition'], diag);
    entries.push({
      logicalId,
      type,
      properties,
      metadata: resource.Metadata,
      condition,
      implicitFor: undefined,
    });
  }

  const restUsers: string[] = [];
  const httpUsers: string[] = [];
  for (const entry of entries) {
    if (entry.type !== SERVERLESS_FUNCTION) continue;
    for (const event of functionEvents(entry, diag)) {
      if (event.type === 'Api' && apiTargetOf(event, diag) === IMPLICIT_REST_API)
        restUsers.push(entry.logicalId);
      if (event.type === 'HttpApi' && apiTargetOf(event, diag) === IMPLICIT_HTTP_API)
        httpUsers.push(entry.logicalId);
    }
  }
  const declared = new Set(entries.map((entry) => entry.logicalId));
  const implicit = (logicalId: string, type: string, users: string[]): ResourceEntry => ({
    logicalId,
    type,
    properties: {},
    metadata: undefined,
    condition: undefined,
    implicitFor: [...new Set(users)],
  });
  if (restUsers.length > 0 && !declared.has(IMPLICIT_REST_API)) {
    entries.push(implicit(IMPLICIT_REST_API, SERVERLESS_API, restUsers));
  }
  if (httpUsers.length > 0 && !declared.has(IMPLICIT_HTTP_API)) {
    entries.push(implicit(IMPLICIT_HTTP_API, SERVERLESS_HTTP_API, httpUsers));
  }
  return entries;
}

/** One entry of a function's `Events`. */
export interface EventEntry {
  readonly eventId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly path: Path;
}

export function functionEvents(entry: ResourceEntry, diag: Diagnostics): EventEntry[] {
  const eventsPath: Path = ['Resources', entry.logicalId, 'Properties', 'Events'];
  if (entry.properties.Events === undefined) return [];
  const events = expectRecord(entry.properties.Events, eventsPath, diag);
  return Object.entries(events).map(([eventId, raw]) => {
    const path: Path = [...eventsPath, eventId];
    const event = expectRecord(raw, path, diag);
    const type = expectString(event.Type, [...path, 'Type'], diag);
    const properties =
      event.Properties === undefined ? {} : expectRecord(event.Properties, [...path, 'Properties'], diag);
    return { eventId, type, properties, path };
  });
}

/**
 * The logical id of the API an `Api`/`HttpApi` event attaches to: its `RestApiId`/`ApiId` (a `Ref` to an API
 * in the same template, or its logical id), else SAM's implicit API.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html
 */
export function apiTargetOf(event: EventEntry, diag: Diagnostics): string {
  const key = event.type === 'Api' ? 'RestApiId' : 'ApiId';
  const target = event.properties[key];
  if (target === undefined) return event.type === 'Api' ? IMPLICIT_REST_API : IMPLICIT_HTTP_API;
  if (typeof target === 'string') return target;
  if (intrinsicName(target) === 'Ref' && isRecord(target) && typeof target.Ref === 'string')
    return target.Ref;
  return diag.fail(
    [...event.path, 'Properties', key],
    'must be a Ref to an API declared in this template (SAM cannot attach events to an API elsewhere)',
  );
}
