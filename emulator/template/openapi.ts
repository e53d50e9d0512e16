import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { type Diagnostics, TemplateError } from './errors.ts';
import { mergeGlobals } from './globals.ts';
import type { Resolver } from './intrinsics.ts';
import type {
  ApiAuthModel,
  ApiKind,
  ApiModel,
  HttpCors,
  MockIntegration,
  RouteAuth,
  RouteIntegration,
  RouteModel,
} from './model.ts';
import { DefinitionSecurity } from './openapi-auth.ts';
import { PropertyReader } from './properties.ts';
import {
  expectBoolean,
  expectInteger,
  expectRecord,
  expectString,
  intrinsicName,
  isRecord,
  type Path,
} from './values.ts';
import { parseYaml, YamlSyntaxError } from './yaml.ts';

export type DefinitionSource = 'DefinitionBody' | 'DefinitionUri';

/** One method of one path of an OpenAPI definition. */
export interface DefinitionOperation {
  /** Upper-case, or `ANY` for `x-amazon-apigateway-any-method`. */
  readonly method: string;
  /** As written under `paths`; `$default` for an HTTP API's default route. */
  readonly path: string;
  /** `undefined` when the method has no `x-amazon-apigateway-integration`. */
  readonly integration: RouteIntegration | undefined;
  /** What its `security` (or SAM's default authorizer) requires; absent: open. */
  readonly auth?: RouteAuth;
  readonly payloadVersion: '1.0' | '2.0';
  readonly timeoutMs: number;
  /** Where the method is written, reported through `diag` (the template's, or an included file's). */
  readonly location: Path;
  readonly diag: Diagnostics;
}

/** What an API's OpenAPI definition adds to its model. */
export interface ApiDefinition {
  readonly source: DefinitionSource;
  /** The file the document was read from; `undefined` for an inline DefinitionBody. */
  readonly file: string | undefined;
  readonly operations: readonly DefinitionOperation[];
  /** `x-amazon-apigateway-binary-media-types` (REST). */
  readonly binaryMediaTypes: readonly string[];
  /** `x-amazon-apigateway-cors` (HTTP API). */
  readonly cors: HttpCors | undefined;
  /** SAM's `MergeDefinitions` (REST): function events are merged over the definition instead of beside it. */
  readonly mergeDefinitions: boolean;
}

export interface DefinitionContext {
  readonly kind: ApiKind;
  readonly resolver: Resolver;
  readonly diag: Diagnostics;
  /** Relative `DefinitionUri` and `AWS::Include` locations are read from here. */
  readonly templateDirectory: string;
  /** Deployed function name → logical id, for every function the stack creates. */
  readonly functionsByName: ReadonlyMap<string, string>;
  readonly stageVariables: Readonly<Record<string, string>> | undefined;
  /** The API's SAM `Auth`, whose authorizers SAM writes into a DefinitionBody. */
  readonly samAuth?: ApiAuthModel;
}

/** Where a resource type keeps its OpenAPI document. */
export interface DefinitionKeys {
  readonly body: string;
  readonly uri: string;
}

/** `AWS::Serverless::Api` and `AWS::Serverless::HttpApi`. */
export const SAM_DEFINITION_KEYS: DefinitionKeys = { body: 'DefinitionBody', uri: 'DefinitionUri' };
/** `AWS::ApiGateway::RestApi` and `AWS::ApiGatewayV2::Api`, which `sam local start-api` also reads. */
export const CLOUDFORMATION_DEFINITION_KEYS: DefinitionKeys = { body: 'Body', uri: 'BodyS3Location' };

const REST_TIMEOUT_MS = 29_000;
const HTTP_TIMEOUT_MS = 30_000;
const INTEGRATION = 'x-amazon-apigateway-integration';
const ANY_METHOD = 'x-amazon-apigateway-any-method';
const OPERATION_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch']);

/**
 * The API's OpenAPI definition, when it has one the emulator can read: an inline `DefinitionBody` (intrinsics
 * resolved), `DefinitionBody: {Fn::Transform: {Name: AWS::Include, Parameters: {Location: <local file>}}}` or a
 * local `DefinitionUri` file, Swagger 2.0 or OpenAPI 3.x, YAML or JSON. Documents in S3 are warned about.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html#sam-api-definitionbody
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html#sam-httpapi-definitionbody
 */
export function readDefinition(
  properties: PropertyReader,
  context: DefinitionContext,
  keys: DefinitionKeys = SAM_DEFINITION_KEYS,
): ApiDefinition | undefined {
  const { diag } = context;
  const body = properties.raw([keys.body]);
  const uri = properties.raw([keys.uri]);
  if (body !== undefined && uri !== undefined) {
    diag.fail(
      properties.pathOf([keys.uri]),
      `specify either '${keys.uri}' or '${keys.body}', not both (${keys === SAM_DEFINITION_KEYS ? 'SAM' : 'CloudFormation'} rejects both)`,
    );
  }
  const mergeValue = context.kind === 'rest' ? properties.value(['MergeDefinitions']) : undefined;
  const mergeDefinitions =
    mergeValue !== undefined && expectBoolean(mergeValue, properties.pathOf(['MergeDefinitions']), diag);

  if (body !== undefined) {
    if (intrinsicName(body) === 'Fn::Transform') {
      const location = includeLocation(properties, keys.body, context);
      if (location === undefined) return undefined;
      return readFile(location.value, location.path, 'DefinitionBody', mergeDefinitions, context);
    }
    const node = properties.node([keys.body]);
    if (node === undefined) return undefined;
    const path = properties.pathOf([keys.body]);
    const document = new PropertyReader(
      mergeGlobals(undefined, [], expectRecord(node, path, diag), path),
      context.resolver,
      diag,
    );
    return readDocument(document, 'DefinitionBody', mergeDefinitions, context, diag);
  }
  if (uri === undefined) return undefined;
  const path = properties.pathOf([keys.uri]);
  const value = properties.value([keys.uri]);
  if (typeof value !== 'string') {
    diag.warn(path, 'an S3 location is not read by the emulator; routes come from function events only');
    return undefined;
  }
  return readFile(value, path, 'DefinitionUri', mergeDefinitions, context);
}

/**
 * The local file of an `AWS::Include` transform; other transforms, and S3 locations, are warned about.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-include.html
 */
function includeLocation(
  properties: PropertyReader,
  bodyKey: string,
  context: DefinitionContext,
): { value: string; path: Path } | undefined {
  const { diag } = context;
  const transformPath = properties.pathOf([bodyKey, 'Fn::Transform']);
  const transform = expectRecord(properties.raw([bodyKey, 'Fn::Transform']), transformPath, diag);
  const name = context.resolver.resolve(transform.Name, [...transformPath, 'Name']);
  if (name !== 'AWS::Include') {
    diag.warn(
      transformPath,
      `the ${String(name)} transform is not emulated; routes come from function events only`,
    );
    return undefined;
  }
  const parameters = isRecord(transform.Parameters) ? transform.Parameters : {};
  const path: Path = [...transformPath, 'Parameters', 'Location'];
  if (parameters.Location === undefined) diag.fail(path, 'AWS::Include needs Parameters.Location');
  const location = expectString(context.resolver.resolve(parameters.Location, path), path, diag);
  return { value: location, path };
}

function readFile(
  location: string,
  locationPath: Path,
  source: DefinitionSource,
  mergeDefinitions: boolean,
  context: DefinitionContext,
): ApiDefinition | undefined {
  const { diag } = context;
  if (/^(s3|https?):\/\//i.test(location)) {
    diag.warn(
      locationPath,
      `${location} is not read by the emulator (only local files are); routes come from function events only`,
    );
    return undefined;
  }
  const file = resolvePath(context.templateDirectory, location);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return diag.fail(locationPath, `cannot read the OpenAPI document ${file}: ${reason}`);
  }
  let parsed: ReturnType<typeof parseYaml>;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw new TemplateError(file, '', error.line, error.message);
    throw error;
  }
  const fileDiag = diag.forFile(file, parsed.lineOf);
  const root = expectRecord(parsed.value, [], fileDiag);
  if (source === 'DefinitionUri' && containsIntrinsic(root)) {
    diag.warn(
      locationPath,
      'CloudFormation does not resolve intrinsic functions in a DefinitionUri document (use DefinitionBody with ' +
        'AWS::Include); the emulator resolves them anyway',
    );
  }
  const resolver = context.resolver.withDiagnostics(fileDiag);
  const document = new PropertyReader(mergeGlobals(undefined, [], root, []), resolver, fileDiag);
  return { ...readDocument(document, source, mergeDefinitions, { ...context, resolver }, fileDiag), file };
}

function containsIntrinsic(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsIntrinsic);
  if (!isRecord(value)) return false;
  return intrinsicName(value) !== undefined || Object.values(value).some(containsIntrinsic);
}

function readDocument(
  document: PropertyReader,
  source: DefinitionSource,
  mergeDefinitions: boolean,
  context: DefinitionContext,
  diag: Diagnostics,
): ApiDefinition {
  checkVersion(document, diag);
  warnBasePath(document, diag);
  warnNotEmulated(document, diag);
  const operations: DefinitionOperation[] = [];
  const security = new DefinitionSecurity(
    document,
    context.kind,
    context.functionsByName,
    context.samAuth,
    diag,
  );
  const paths = optionalMap(document, ['paths'], diag) ?? {};
  let withoutPayloadVersion = 0;
  for (const pathKey of Object.keys(paths)) {
    if (pathKey.startsWith('x-')) continue;
    const item = optionalMap(document, ['paths', pathKey], diag);
    if (item === undefined) continue;
    const routePath = routePathOf(pathKey, document.pathOf(['paths', pathKey]), context.kind, diag);
    for (const methodKey of Object.keys(item)) {
      const lower = methodKey.toLowerCase();
      if (lower !== ANY_METHOD && !OPERATION_METHODS.has(lower)) continue;
      const relative: Path = ['paths', pathKey, methodKey];
      if (optionalMap(document, relative, diag) === undefined) continue;
      const method = lower === ANY_METHOD ? 'ANY' : lower.toUpperCase();
      if (routePath === '$default' && method !== 'ANY') {
        diag.warn(
          document.pathOf(relative),
          'the $default route takes only x-amazon-apigateway-any-method; ignored',
        );
        continue;
      }
      const read = readIntegration(document, [...relative, INTEGRATION], context, diag);
      if (read.missingPayloadVersion) withoutPayloadVersion += 1;
      // SAM edits a DefinitionBody (adding its authorizers), never a DefinitionUri document.
      const auth = security.operationAuth(relative, source === 'DefinitionBody');
      operations.push({
        method,
        path: routePath,
        ...(auth === undefined ? {} : { auth }),
        integration: read.integration,
        payloadVersion: read.payloadVersion,
        timeoutMs: read.timeoutMs,
        location: document.pathOf(relative),
        diag,
      });
    }
  }
  if (withoutPayloadVersion > 0) {
    diag.warn(
      document.pathOf(['paths']),
      `${withoutPayloadVersion} Lambda integration(s) have no payloadFormatVersion, which API Gateway requires ` +
        'for HTTP APIs; they get 2.0, as with sam local',
    );
  }
  return {
    source,
    file: undefined,
    operations,
    binaryMediaTypes: readBinaryMediaTypes(document, context.kind, diag),
    cors: readCorsExtension(document, context.kind, diag),
    mergeDefinitions,
  };
}

/** The map at `relative`; `undefined` when absent or written empty (`get:` with nothing under it). */
function optionalMap(
  document: PropertyReader,
  relative: Path,
  diag: Diagnostics,
): Readonly<Record<string, unknown>> | undefined {
  const node = document.node(relative);
  if (node === undefined || node === null) return undefined;
  return expectRecord(node, document.pathOf(relative), diag);
}

/** Swagger `2.0` or OpenAPI `3.x`, as API Gateway imports. */
function checkVersion(document: PropertyReader, diag: Diagnostics): void {
  const swagger = document.value(['swagger']);
  const openapi = document.value(['openapi']);
  if (swagger === undefined && openapi === undefined) {
    diag.fail(
      document.pathOf([]),
      "expected an OpenAPI document: it has neither 'swagger: 2.0' nor 'openapi: 3.x'",
    );
  }
  if (swagger !== undefined && String(swagger) !== '2' && String(swagger) !== '2.0') {
    diag.fail(
      document.pathOf(['swagger']),
      `API Gateway imports Swagger 2.0 only, got ${JSON.stringify(swagger)}`,
    );
  }
  if (openapi !== undefined && !/^3(\.\d+){0,2}$/.test(String(openapi))) {
    diag.fail(
      document.pathOf(['openapi']),
      `API Gateway imports OpenAPI 3.x only, got ${JSON.stringify(openapi)}`,
    );
  }
}

/**
 * API Gateway ignores a base path on import unless told otherwise (`basepath=ignore` is the default, and SAM passes
 * no other), so routes are served from `paths` as written.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html
 */
function warnBasePath(document: PropertyReader, diag: Diagnostics): void {
  const basePath = document.value(['basePath']);
  if (typeof basePath === 'string' && basePath !== '/' && basePath !== '') {
    diag.warn(
      document.pathOf(['basePath']),
      `API Gateway ignores the base path ${basePath} on import; routes are served without it`,
    );
  }
  const servers = document.value(['servers']);
  if (!Array.isArray(servers)) return;
  for (const server of servers) {
    if (!isRecord(server)) continue;
    const variables = isRecord(server.variables) ? server.variables : {};
    const variable = isRecord(variables.basePath) ? variables.basePath.default : undefined;
    const url = typeof server.url === 'string' ? server.url : '';
    const path = typeof variable === 'string' ? variable : url.replace(/^[a-z]+:\/\/[^/]*/i, '');
    if (path !== '' && path !== '/' && !path.startsWith('{')) {
      diag.warn(
        document.pathOf(['servers']),
        `API Gateway ignores the base path ${path} on import; routes are served without it`,
      );
      return;
    }
  }
}

/** Extensions and sections that change what API Gateway lets through or answers, which the emulator does not model. */
const NOT_EMULATED: readonly (readonly [Path, string])[] = [
  [['x-amazon-apigateway-request-validators'], 'request validation'],
  [['x-amazon-apigateway-gateway-responses'], 'custom gateway responses'],
  [['x-amazon-apigateway-policy'], 'the resource policy'],
  [['x-amazon-apigateway-api-key-source'], 'API keys'],
];

function warnNotEmulated(document: PropertyReader, diag: Diagnostics): void {
  const found = new Set<string>();
  for (const [relative, what] of NOT_EMULATED) {
    if (document.raw(relative) !== undefined) found.add(what);
  }
  if (found.size > 0) {
    diag.warn(
      document.pathOf([]),
      `${[...found].join(', ')} in the definition are not emulated; every request is let through as if none were set`,
    );
  }
}

function routePathOf(pathKey: string, path: Path, kind: ApiKind, diag: Diagnostics): string {
  // SAM writes the HTTP API default route as `$default`; API Gateway's own exports write `/$default`.
  if (kind === 'http' && (pathKey === '$default' || pathKey === '/$default')) return '$default';
  if (!pathKey.startsWith('/')) diag.fail(path, `a path must start with '/', got ${JSON.stringify(pathKey)}`);
  const segments = pathKey.split('/');
  segments.forEach((segment, index) => {
    if (segment.endsWith('+}') && index !== segments.length - 1) {
      diag.fail(path, `a greedy path variable such as ${segment} must be the last segment`);
    }
  });
  return pathKey;
}

interface ReadIntegration {
  readonly integration: RouteIntegration | undefined;
  readonly payloadVersion: '1.0' | '2.0';
  readonly timeoutMs: number;
  readonly missingPayloadVersion: boolean;
}

/**
 * One `x-amazon-apigateway-integration`: `aws_proxy` to a function of this template, REST `mock`, `http_proxy`;
 * anything else is kept as unsupported, with the reason, so that the route answers 500 saying why.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
 */
function readIntegration(
  document: PropertyReader,
  relative: Path,
  context: DefinitionContext,
  diag: Diagnostics,
): ReadIntegration {
  const { kind } = context;
  const defaultTimeout = kind === 'rest' ? REST_TIMEOUT_MS : HTTP_TIMEOUT_MS;
  const node = optionalMap(document, relative, diag);
  if (node === undefined) {
    return {
      integration: undefined,
      payloadVersion: defaultVersion(kind),
      timeoutMs: defaultTimeout,
      missingPayloadVersion: false,
    };
  }
  const at = (key: string): Path => [...relative, key];
  const timeout = document.value(at('timeoutInMillis'));
  const timeoutMs =
    timeout === undefined
      ? defaultTimeout
      : expectInteger(timeout, document.pathOf(at('timeoutInMillis')), diag, {
          min: 50,
          // REST APIs can raise the 29 s default with a quota increase; HTTP APIs cannot pass 30 s.
          ...(kind === 'http' ? { max: HTTP_TIMEOUT_MS } : {}),
        });
  const typeValue = document.value(at('type'));
  const type =
    typeValue === undefined ? '' : expectString(typeValue, document.pathOf(at('type')), diag).toLowerCase();
  const result = (integration: RouteIntegration, payloadVersion = defaultVersion(kind), missing = false) => ({
    integration,
    payloadVersion,
    timeoutMs,
    missingPayloadVersion: missing,
  });
  const unsupported = (reason: string) => result({ kind: 'unsupported', reason });

  switch (type) {
    case 'aws_proxy': {
      const integration = lambdaIntegration(document, relative, context, diag);
      if (kind === 'rest' || integration.kind !== 'lambda') return result(integration);
      const version = document.value(at('payloadFormatVersion'));
      if (version === undefined) return result(integration, '2.0', true);
      return result(
        integration,
        payloadVersionOf(version, document.pathOf(at('payloadFormatVersion')), diag),
      );
    }
    case 'mock':
      if (kind === 'http') return unsupported('HTTP APIs have no mock integrations');
      return result(mockIntegration(document, relative, diag));
    case 'http_proxy':
      return result(httpIntegration(document, relative, kind, diag));
    case 'aws': {
      const uri = document.value(at('uri'));
      const service =
        typeof uri === 'string' ? /^arn:[^:]+:apigateway:[^:]*:([^:]+):/.exec(uri)?.[1] : undefined;
      return unsupported(
        `a non-proxy 'aws' integration${service === undefined ? '' : ` with ${service}`} (VTL mapping templates) is not emulated`,
      );
    }
    case 'http':
      return unsupported("a non-proxy 'http' integration (VTL mapping templates) is not emulated");
    case '':
      return unsupported('the integration has no type');
    default:
      return unsupported(`'${type}' is not an API Gateway integration type`);
  }
}

function defaultVersion(kind: ApiKind): '1.0' | '2.0' {
  return kind === 'rest' ? '1.0' : '2.0';
}

/** `'1.0'` or `'2.0'`; YAML reads an unquoted `1.0` as the number 1, which means the same version. */
function payloadVersionOf(value: unknown, path: Path, diag: Diagnostics): '1.0' | '2.0' {
  const text = String(value);
  if (text === '1' || text === '1.0') return '1.0';
  if (text === '2' || text === '2.0') return '2.0';
  return diag.fail(path, `must be 1.0 or 2.0, got ${JSON.stringify(value)}`);
}

/** `${Fn.Arn}` / `${Fn.Alias}` in a `Fn::Sub` names the function directly, as `sam local` reads it. */
const SUB_FUNCTION = /\$\{([A-Za-z0-9]+)\.(?:Arn|Alias)\}/g;
/** A function ARN, possibly with a version or alias qualifier: the name is the part after `function:`. */
const FUNCTION_ARN = /arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:/]+)/;
/** The invocation URI form `.../functions/<arn or name>/invocations`. */
const INVOCATIONS = /\/functions\/([^/]+)\/invocations/;

/**
 * An `aws_proxy` integration's function: its uri is
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations` (REST and HTTP APIs) or
 * the function ARN itself (HTTP APIs), usually written with `Fn::Sub` and `${Function.Arn}`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
function lambdaIntegration(
  document: PropertyReader,
  relative: Path,
  context: DefinitionContext,
  diag: Diagnostics,
): RouteIntegration {
  const uriPath: Path = [...relative, 'uri'];
  const byLogicalId = new Set(context.functionsByName.values());
  const raw = document.raw(uriPath);
  if (intrinsicName(raw) === 'Fn::Sub' && isRecord(raw)) {
    const argument = raw['Fn::Sub'];
    const template = Array.isArray(argument) ? argument[0] : argument;
    if (typeof template === 'string') {
      for (const match of template.matchAll(SUB_FUNCTION)) {
        const logicalId = match[1] ?? '';
        if (byLogicalId.has(logicalId)) return { kind: 'lambda', functionId: logicalId };
      }
    }
  }
  const subtype = document.value([...relative, 'integrationSubtype']);
  if (subtype !== undefined) {
    return { kind: 'unsupported', reason: `the AWS service integration ${String(subtype)} is not emulated` };
  }
  const value = document.value(uriPath);
  if (value === undefined) return { kind: 'unsupported', reason: 'the aws_proxy integration has no uri' };
  const uri = substituteStageVariables(
    expectString(value, document.pathOf(uriPath), diag),
    context.stageVariables,
  );
  const target = FUNCTION_ARN.exec(uri)?.[1] ?? INVOCATIONS.exec(uri)?.[1];
  if (target === undefined)
    return { kind: 'unsupported', reason: `${uri} is not a Lambda function invocation URI` };
  if (target.includes('${stageVariables.')) {
    return {
      kind: 'unsupported',
      reason: `the function name in ${uri} comes from a stage variable the stage does not set`,
    };
  }
  const functionId = context.functionsByName.get(target) ?? (byLogicalId.has(target) ? target : undefined);
  if (functionId === undefined) {
    return {
      kind: 'unsupported',
      reason: `Lambda function ${target} is not a function of this template (functions of other stacks are not run locally)`,
    };
  }
  return { kind: 'lambda', functionId };
}

/**
 * The template function a Lambda ARN or invocation URI names (`Target` of a quick-create HTTP API), by its
 * deployed name or logical id; `undefined` when it names none.
 */
export function functionOfUri(uri: string, functionsByName: ReadonlyMap<string, string>): string | undefined {
  const target = FUNCTION_ARN.exec(uri)?.[1] ?? INVOCATIONS.exec(uri)?.[1];
  if (target === undefined) return undefined;
  return functionsByName.get(target) ?? ([...functionsByName.values()].includes(target) ? target : undefined);
}

/** `${stageVariables.name}` in an integration URI takes the stage's value, as API Gateway substitutes it. */
function substituteStageVariables(
  uri: string,
  variables: Readonly<Record<string, string>> | undefined,
): string {
  if (variables === undefined) return uri;
  return uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(variables, name) ? (variables[name] ?? whole) : whole,
  );
}

/** The request template's literal `statusCode` (VTL is not run: the first one written is taken). */
const STATUS_CODE = /"?statusCode"?\s*:\s*"?(\d{3})/;
const VTL = /[#$]/;

/**
 * A REST mock integration, answered as configured: the request template's `statusCode` selects the integration
 * response whose key (an HTTP status regex) matches it, else `default`; that response gives the status, the
 * `application/json` (or first) response template as the body, and static `method.response.header.*` values.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
 */
function mockIntegration(document: PropertyReader, relative: Path, diag: Diagnostics): MockIntegration {
  const requestTemplate = pickTemplate(document, [...relative, 'requestTemplates'], diag);
  if (requestTemplate !== undefined && VTL.test(requestTemplate.text)) {
    diag.warn(
      requestTemplate.path,
      'VTL in a mock request template is not evaluated; the first statusCode written is used',
    );
  }
  const selector = requestTemplate === undefined ? undefined : STATUS_CODE.exec(requestTemplate.text)?.[1];
  const responses = document.map([...relative, 'responses']) ?? {};
  const keys = Object.keys(responses);
  const matching =
    selector === undefined ? undefined : keys.find((key) => key !== 'default' && fullMatch(key, selector));
  const key = matching ?? (keys.includes('default') ? 'default' : undefined);
  if (key === undefined) {
    // API Gateway: "No match for output mapping and no default output mapping".
    return {
      kind: 'mock',
      statusCode: 500,
      headers: [['Content-Type', 'application/json']],
      body: '{"message": "Internal server error"}',
    };
  }
  const responsePath: Path = [...relative, 'responses', key];
  const status = document.value([...responsePath, 'statusCode']);
  const statusCode =
    status === undefined
      ? Number(selector ?? 200)
      : expectInteger(status, document.pathOf([...responsePath, 'statusCode']), diag, { min: 100, max: 599 });
  const template = pickTemplate(document, [...responsePath, 'responseTemplates'], diag);
  if (template !== undefined && VTL.test(template.text)) {
    diag.warn(template.path, 'VTL in a mock response template is not evaluated; the text is sent as written');
  }
  const headers: [string, string][] = [['Content-Type', template?.contentType ?? 'application/json']];
  const parameters = document.map([...responsePath, 'responseParameters']) ?? {};
  for (const name of Object.keys(parameters)) {
    const header = /^method\.response\.header\.(.+)$/.exec(name)?.[1];
    const value = document.value([...responsePath, 'responseParameters', name]);
    const literal = typeof value === 'string' ? /^'(.*)'$/s.exec(value)?.[1] : undefined;
    if (header === undefined || literal === undefined) {
      diag.warn(
        document.pathOf([...responsePath, 'responseParameters', name]),
        'only static method.response.header values (in single quotes) are emulated; ignored',
      );
      continue;
    }
    const existing = headers.findIndex(([known]) => known.toLowerCase() === header.toLowerCase());
    if (existing !== -1) headers.splice(existing, 1);
    headers.push([header, literal]);
  }
  return { kind: 'mock', statusCode, headers, body: template?.text ?? '' };
}

/** API Gateway matches a selection pattern against the whole status code (a Java regex, full match). */
function fullMatch(pattern: string, text: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(text);
  } catch {
    return false;
  }
}

/** The `application/json` template of a template map, else its first; the one API Gateway uses for JSON. */
function pickTemplate(
  document: PropertyReader,
  relative: Path,
  diag: Diagnostics,
): { contentType: string; text: string; path: Path } | undefined {
  const templates = document.map(relative);
  if (templates === undefined) return undefined;
  const keys = Object.keys(templates);
  const contentType = keys.find((key) => key.toLowerCase() === 'application/json') ?? keys[0];
  if (contentType === undefined) return undefined;
  const value = document.value([...relative, contentType]);
  const path = document.pathOf([...relative, contentType]);
  return { contentType, text: value === undefined ? '' : expectString(value, path, diag), path };
}

/**
 * An `http_proxy` integration: `uri` must be an http(s) URL (private integrations through a VPC link are not
 * emulated); `httpMethod` ANY passes the request's method on.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html
 */
function httpIntegration(
  document: PropertyReader,
  relative: Path,
  kind: ApiKind,
  diag: Diagnostics,
): RouteIntegration {
  const at = (key: string): Path => [...relative, key];
  if (document.value(at('connectionType')) === 'VPC_LINK') {
    return { kind: 'unsupported', reason: 'private integrations through a VPC link are not emulated' };
  }
  const value = document.value(at('uri'));
  if (value === undefined) return { kind: 'unsupported', reason: 'the http_proxy integration has no uri' };
  const uri = expectString(value, document.pathOf(at('uri')), diag);
  if (!/^https?:\/\/[^/]/i.test(uri)) {
    return { kind: 'unsupported', reason: `${uri} is not an http(s) URL the emulator can call` };
  }
  const methodValue = document.value(at('httpMethod'));
  const method =
    methodValue === undefined
      ? undefined
      : expectString(methodValue, document.pathOf(at('httpMethod')), diag).toUpperCase();
  const requestParameters: Record<string, string> = {};
  const parameters = document.map(at('requestParameters')) ?? {};
  if (kind === 'http' && Object.keys(parameters).length > 0) {
    diag.warn(
      document.pathOf(at('requestParameters')),
      'HTTP API parameter mapping is not emulated; the request is forwarded as received',
    );
  } else {
    for (const name of Object.keys(parameters)) {
      const parameter = document.value([...relative, 'requestParameters', name]);
      if (parameter !== undefined) {
        requestParameters[name] = expectString(
          parameter,
          document.pathOf([...relative, 'requestParameters', name]),
          diag,
        );
      }
    }
  }
  return { kind: 'http', uri, method: method === 'ANY' ? undefined : method, requestParameters };
}

function readBinaryMediaTypes(document: PropertyReader, kind: ApiKind, diag: Diagnostics): string[] {
  const key = 'x-amazon-apigateway-binary-media-types';
  const list = document.list([key]);
  if (list === undefined) return [];
  if (kind === 'http') {
    diag.warn(document.pathOf([key]), 'HTTP APIs have no binary media types; ignored');
    return [];
  }
  return list.flatMap((_item, index) => {
    const value = document.value([key, index]);
    return value === undefined ? [] : [expectString(value, document.pathOf([key, index]), diag)];
  });
}

/**
 * `x-amazon-apigateway-cors`, the HTTP API CORS configuration (REST APIs configure CORS with OPTIONS methods).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-cors-configuration.html
 */
function readCorsExtension(document: PropertyReader, kind: ApiKind, diag: Diagnostics): HttpCors | undefined {
  const key = 'x-amazon-apigateway-cors';
  if (document.map([key]) === undefined) return undefined;
  if (kind === 'rest') {
    diag.warn(document.pathOf([key]), 'x-amazon-apigateway-cors applies to HTTP APIs only; ignored');
    return undefined;
  }
  const list = (name: string): string[] =>
    (document.list([key, name]) ?? []).flatMap((_item, index) => {
      const value = document.value([key, name, index]);
      return value === undefined ? [] : [expectString(value, document.pathOf([key, name, index]), diag)];
    });
  const maxAge = document.value([key, 'maxAge']);
  const credentials = document.value([key, 'allowCredentials']);
  return {
    kind: 'http',
    allowOrigins: list('allowOrigins'),
    allowMethods: list('allowMethods'),
    allowHeaders: list('allowHeaders'),
    exposeHeaders: list('exposeHeaders'),
    maxAge:
      maxAge === undefined
        ? undefined
        : expectInteger(maxAge, document.pathOf([key, 'maxAge']), diag, { min: -1, max: 86400 }),
    allowCredentials:
      credentials !== undefined &&
      expectBoolean(credentials, document.pathOf([key, 'allowCredentials']), diag),
  };
}

/** The API with what its definition adds: binary media types (merged, as SAM merges `BinaryMediaTypes` into the body) and CORS. */
export function withDefinition(api: ApiModel, definition: ApiDefinition): ApiModel {
  return {
    ...api,
    binaryMediaTypes: [...new Set([...api.binaryMediaTypes, ...definition.binaryMediaTypes])],
    // SAM writes CorsConfiguration over the body's x-amazon-apigateway-cors.
    cors: api.cors ?? definition.cors,
  };
}

/** What the merge needs to know about a function event beyond its route. */
export interface EventRouteInfo {
  /** Where the event is written. */
  readonly path: Path;
  /** Whether the event sets the property itself (HTTP API events copy only explicit settings onto the body). */
  readonly sets: (property: 'PayloadFormatVersion' | 'TimeoutInMillis') => boolean;
}

/**
 * An API's routes: its definition's operations merged with its function events as SAM merges them.
 * REST: SAM adds `Api` events only to a definition it generates itself, or, with `MergeDefinitions: true`, merges
 * the definition it generates from the events over the DefinitionBody (the event's integration wins); otherwise
 * the events only grant invoke permissions and add no route (samtranslator `Api.to_cloudformation`).
 * HTTP API: `HttpApi` events are added to the DefinitionBody where it has no integration yet; where it has one,
 * SAM keeps it and copies the event's explicit `PayloadFormatVersion` and `TimeoutInMillis` onto it.
 * A `DefinitionUri` document is never edited by SAM, so events add no route to it.
 * A method without an integration that no event fills is not served (API Gateway cannot deploy it).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html#sam-api-mergedefinitions
 */
export function mergeDefinitionRoutes(
  api: ApiModel,
  definition: ApiDefinition,
  events: readonly RouteModel[],
  infoOf: (route: RouteModel) => EventRouteInfo,
  functionIds: ReadonlySet<string>,
  diag: Diagnostics,
): RouteModel[] {
  const key = (method: string, path: string): string => `${method} ${path}`;
  const operations = new Map(
    definition.operations.map((operation) => [key(operation.method, operation.path), operation]),
  );
  const fromEvents = new Map<string, RouteModel>();
  const overrides = new Map<string, RouteModel>();
  for (const route of events) {
    const routeKey = key(route.method, route.path);
    const operation = operations.get(routeKey);
    const info = infoOf(route);
    if (definition.source === 'DefinitionUri') {
      if (operation?.integration === undefined) {
        diag.warn(
          info.path,
          `SAM does not add events to a DefinitionUri document, so the API has no ${routeKey} route; declare it in the document`,
        );
      }
      continue;
    }
    if (api.kind === 'rest' && !definition.mergeDefinitions) {
      if (operation?.integration === undefined) {
        diag.warn(
          info.path,
          `SAM adds Api events to a DefinitionBody only with MergeDefinitions: true, so the API has no ${routeKey} ` +
            'route; declare it in the definition or set MergeDefinitions',
        );
      }
      continue;
    }
    if (operation?.integration === undefined || api.kind === 'rest') {
      // REST with MergeDefinitions: SAM writes the event's generated definition over the body's.
      fromEvents.set(routeKey, route);
    } else {
      overrides.set(routeKey, route);
      const integration = operation.integration;
      if (integration.kind !== 'lambda' || integration.functionId !== route.functionId) {
        diag.warn(
          info.path,
          `the DefinitionBody already integrates ${routeKey}; SAM keeps that integration, so this event adds no route`,
        );
      }
    }
  }

  const routes: RouteModel[] = [];
  for (const [routeKey, operation] of operations) {
    const event = fromEvents.get(routeKey);
    if (event !== undefined) {
      routes.push(event);
      fromEvents.delete(routeKey);
      continue;
    }
    if (operation.integration === undefined) {
      operation.diag.warn(
        operation.location,
        `has no ${INTEGRATION}, so API Gateway cannot serve ${routeKey}; not served`,
      );
      continue;
    }
    const override = overrides.get(routeKey);
    const info = override === undefined ? undefined : infoOf(override);
    routes.push(
      definitionRoute(api, definition.source, operation, functionIds, {
        payloadVersion:
          override !== undefined && info?.sets('PayloadFormatVersion') ? override.payloadVersion : undefined,
        timeoutMs:
          override !== undefined && info?.sets('TimeoutInMillis') ? override.integrationTimeoutMs : undefined,
      }),
    );
  }
  routes.push(...fromEvents.values());
  return routes;
}

function definitionRoute(
  api: ApiModel,
  source: DefinitionSource,
  operation: DefinitionOperation,
  functionIds: ReadonlySet<string>,
  override: { payloadVersion: '1.0' | '2.0' | undefined; timeoutMs: number | undefined },
): RouteModel {
  let integration = operation.integration ?? {
    kind: 'unsupported',
    reason: `the method has no ${INTEGRATION}`,
  };
  if (integration.kind === 'lambda' && !functionIds.has(integration.functionId)) {
    integration = {
      kind: 'unsupported',
      reason: `function ${integration.functionId} is not emulated (see its warning)`,
    };
  }
  const base = {
    apiId: api.logicalId,
    kind: api.kind,
    method: operation.method,
    path: operation.path,
    eventId: source,
    payloadVersion: override.payloadVersion ?? operation.payloadVersion,
    integrationTimeoutMs: override.timeoutMs ?? operation.timeoutMs,
    ...(operation.auth === undefined ? {} : { auth: operation.auth }),
  };
  // A Lambda route reads exactly like one made by a function event.
  if (integration.kind === 'lambda') return { ...base, functionId: integration.functionId };
  return { ...base, functionId: '', integration };
}
