import type { Diagnostics } from './errors.ts';
import type { FunctionUrlModel, HttpCors } from './model.ts';
import { functionUrlId } from './physical-ids.ts';
import type { PropertyReader } from './properties.ts';
import { expectBoolean, expectInteger, expectOneOf, expectString, type Path } from './values.ts';

const KEYS = new Set(['AuthType', 'Cors', 'InvokeMode']);
const CORS_KEYS = new Set([
  'AllowCredentials',
  'AllowHeaders',
  'AllowMethods',
  'AllowOrigins',
  'ExposeHeaders',
  'MaxAge',
]);
/** Lambda's `Cors` limits: items per list and characters per item. https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html */
const CORS_LISTS = {
  AllowHeaders: { items: 100, length: 1024 },
  AllowMethods: { items: 6, length: 6 },
  AllowOrigins: { items: 100, length: 253 },
  ExposeHeaders: { items: 100, length: 1024 },
} as const;
const METHODS = new Set(['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * `FunctionUrlConfig` of a function (Globals merged): `AuthType` required (NONE or AWS_IAM), `InvokeMode`
 * BUFFERED by default, `Cors` with Lambda's limits. Unknown keys are refused, as SAM's schema and
 * CloudFormation refuse them. `url` is the local URL when the caller knows the port it is served on.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-functionurlconfig.html
 */
export function readFunctionUrl(
  logicalId: string,
  properties: PropertyReader,
  diag: Diagnostics,
  url: string | undefined,
): FunctionUrlModel | undefined {
  const config = properties.map(['FunctionUrlConfig']);
  if (config === undefined) return undefined;
  const at = (...relative: Path): Path => properties.pathOf(['FunctionUrlConfig', ...relative]);
  for (const key of Object.keys(config)) {
    if (!KEYS.has(key)) {
      diag.fail(at(key), `${key} is not a FunctionUrlConfig property (AuthType, Cors, InvokeMode)`);
    }
  }
  const authType = properties.value(['FunctionUrlConfig', 'AuthType']);
  if (authType === undefined) {
    diag.fail(at(), 'AuthType is required: NONE (public) or AWS_IAM (SigV4-signed requests only)');
  }
  const invokeMode = properties.value(['FunctionUrlConfig', 'InvokeMode']);
  return {
    authType: expectOneOf(authType, ['NONE', 'AWS_IAM'], at('AuthType'), diag),
    invokeMode:
      invokeMode === undefined
        ? 'BUFFERED'
        : expectOneOf(invokeMode, ['BUFFERED', 'RESPONSE_STREAM'], at('InvokeMode'), diag),
    cors: readUrlCors(properties, diag),
    urlId: functionUrlId(logicalId),
    url,
  };
}

function readUrlCors(properties: PropertyReader, diag: Diagnostics): HttpCors | undefined {
  const relative = ['FunctionUrlConfig', 'Cors'];
  const cors = properties.map(relative);
  if (cors === undefined) return undefined;
  for (const key of Object.keys(cors)) {
    if (!CORS_KEYS.has(key)) {
      diag.fail(
        properties.pathOf([...relative, key]),
        `${key} is not a valid property for configuring Cors (${[...CORS_KEYS].join(', ')})`,
      );
    }
  }
  const list = (key: keyof typeof CORS_LISTS): string[] => {
    const items = properties.list([...relative, key]) ?? [];
    const limit = CORS_LISTS[key];
    if (items.length > limit.items) {
      diag.fail(properties.pathOf([...relative, key]), `Lambda allows at most ${limit.items} items`);
    }
    return items.map((_item, index) => {
      const path = properties.pathOf([...relative, key, index]);
      const text = expectString(properties.value([...relative, key, index]), path, diag);
      if (text.length > limit.length) diag.fail(path, `Lambda allows at most ${limit.length} characters`);
      return text;
    });
  };
  const allowMethods = list('AllowMethods').map((method, index) => {
    const upper = method.toUpperCase();
    if (!METHODS.has(upper)) {
      diag.fail(
        properties.pathOf([...relative, 'AllowMethods', index]),
        `${JSON.stringify(method)} is not an HTTP method Lambda accepts (${[...METHODS].join(', ')})`,
      );
    }
    return upper;
  });
  const credentials = properties.value([...relative, 'AllowCredentials']);
  const maxAge = properties.value([...relative, 'MaxAge']);
  return {
    kind: 'http',
    allowOrigins: list('AllowOrigins'),
    allowMethods,
    allowHeaders: list('AllowHeaders'),
    exposeHeaders: list('ExposeHeaders'),
    maxAge:
      maxAge === undefined
        ? undefined
        : expectInteger(maxAge, properties.pathOf([...relative, 'MaxAge']), diag, { min: 0, max: 86400 }),
    allowCredentials:
      credentials === undefined
        ? false
        : expectBoolean(credentials, properties.pathOf([...relative, 'AllowCredentials']), diag),
  };
}
