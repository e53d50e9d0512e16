import type { Diagnostics } from './errors.ts';
import type { HttpCors, RestCors } from './model.ts';
import type { PropertyReader } from './properties.ts';
import { expectBoolean, expectInteger, expectString, intrinsicName, isRecord, type Path } from './values.ts';

/**
 * SAM pastes REST `Cors` values into API Gateway response-parameter mappings, where a static value must be a
 * single-quoted literal: `"'*'"` means `*`. Unquoted, API Gateway reads a mapping expression and the
 * deployment fails, so that is a warning here.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-corsconfiguration.html
 */
function unquote(value: string, path: Path, diag: Diagnostics): string {
  const quoted = /^'(.*)'$/s.exec(value);
  if (quoted?.[1] !== undefined) return quoted[1];
  diag.warn(
    path,
    `write it in single quotes inside the string, e.g. "'${value}'": API Gateway rejects it unquoted`,
  );
  return value;
}

/**
 * A REST API's `Cors`: a string (the AllowOrigin) or a map of AllowOrigin (default `'*'`), AllowMethods,
 * AllowHeaders, MaxAge and AllowCredentials, with SAM's inner quotes removed. AllowCredentials with origin `*`
 * is an error, as in SAM.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html#sam-api-cors
 */
export function readRestCors(properties: PropertyReader, diag: Diagnostics): RestCors | undefined {
  const node = properties.node(['Cors']);
  if (node === undefined) return undefined;
  const text = (key: string): string | undefined => {
    const relative = key === '' ? ['Cors'] : ['Cors', key];
    const value = properties.value(relative);
    if (value === undefined) return undefined;
    if (typeof value === 'number') return unquote(String(value), properties.pathOf(relative), diag);
    return unquote(expectString(value, properties.pathOf(relative), diag), properties.pathOf(relative), diag);
  };
  if (!isRecord(node)) {
    return {
      kind: 'rest',
      allowOrigin: text('') ?? '*',
      allowMethods: undefined,
      allowHeaders: undefined,
      maxAge: undefined,
      allowCredentials: false,
    };
  }
  const credentials = properties.value(['Cors', 'AllowCredentials']);
  const allowCredentials =
    credentials === undefined
      ? false
      : expectBoolean(credentials, properties.pathOf(['Cors', 'AllowCredentials']), diag);
  const allowOrigin = text('AllowOrigin') ?? '*';
  if (allowCredentials && allowOrigin === '*') {
    diag.fail(
      properties.pathOf(['Cors', 'AllowCredentials']),
      "AllowCredentials cannot be true when AllowOrigin is '*' (SAM rejects it): name the allowed origin",
    );
  }
  return {
    kind: 'rest',
    allowOrigin,
    allowMethods: text('AllowMethods'),
    allowHeaders: text('AllowHeaders'),
    maxAge: text('MaxAge'),
    allowCredentials,
  };
}

/**
 * An HTTP API's `CorsConfiguration`: `true` allows every origin, an intrinsic gives the allowed origin(s),
 * a map gives the lists. A plain string is rejected, as SAM rejects it, and so is AllowCredentials with
 * origin `*`, which API Gateway refuses.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-httpapicorsconfiguration.html
 */
export function readHttpCors(properties: PropertyReader, diag: Diagnostics): HttpCors | undefined {
  const relative = ['CorsConfiguration'];
  const path = properties.pathOf(relative);
  const node = properties.node(relative);
  if (node === undefined) return undefined;
  const cors = (allowOrigins: string[]): HttpCors => ({
    kind: 'http',
    allowOrigins,
    allowMethods: [],
    allowHeaders: [],
    exposeHeaders: [],
    maxAge: undefined,
    allowCredentials: false,
  });

  if (typeof node === 'boolean') return node ? cors(['*']) : undefined;
  if (!isRecord(node)) {
    if (intrinsicName(properties.raw(relative)) === undefined) {
      return diag.fail(
        path,
        'expected true or a map of AllowOrigins, AllowMethods, … (SAM rejects a plain string)',
      );
    }
    const origins = properties.value(relative);
    return cors(
      Array.isArray(origins)
        ? origins.map((origin) => expectString(origin, path, diag))
        : [expectString(origins, path, diag)],
    );
  }

  const list = (key: string): string[] =>
    (properties.list([...relative, key]) ?? []).flatMap((_item, index) => {
      const itemPath = [...relative, key, index];
      const value = properties.value(itemPath);
      return value === undefined ? [] : [expectString(value, properties.pathOf(itemPath), diag)];
    });
  const maxAge = properties.value([...relative, 'MaxAge']);
  const credentials = properties.value([...relative, 'AllowCredentials']);
  const allowCredentials =
    credentials === undefined
      ? false
      : expectBoolean(credentials, properties.pathOf([...relative, 'AllowCredentials']), diag);
  const allowOrigins = list('AllowOrigins');
  if (allowCredentials && allowOrigins.includes('*')) {
    diag.fail(
      properties.pathOf([...relative, 'AllowCredentials']),
      "AllowCredentials cannot be true when AllowOrigins has '*' (API Gateway rejects it): name the allowed origins",
    );
  }
  return {
    kind: 'http',
    allowOrigins,
    allowMethods: list('AllowMethods'),
    allowHeaders: list('AllowHeaders'),
    exposeHeaders: list('ExposeHeaders'),
    maxAge:
      maxAge === undefined
        ? undefined
        : expectInteger(maxAge, properties.pathOf([...relative, 'MaxAge']), diag, { min: -1, max: 86400 }),
    allowCredentials,
  };
}
