import { resolve as resolvePath } from 'node:path';
import { isDeprecated, nodeRuntime, supportedRuntimeIds } from '../runtime/runtimes.ts';
import { checkCodeLocation } from './code-uri.ts';
import type { Diagnostics } from './errors.ts';
import { readEsbuild } from './esbuild.ts';
import { referencedResource } from './event-sources.ts';
import type { Resolver } from './intrinsics.ts';
import { readFunctionLayers } from './layers.ts';
import type { AsyncDestination, AsyncDestinations, FunctionModel, LayerModel } from './model.ts';
import type { PropertyReader } from './properties.ts';
import { LAMBDA_FUNCTION, type ResourceEntry } from './resources.ts';
import {
  expectInteger,
  expectNonEmptyString,
  expectOneOf,
  expectScalarText,
  expectString,
  isRecord,
} from './values.ts';

const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
const ENVIRONMENT_KEY = /^[a-zA-Z]\w+$/;

/** What a function's model depends on beyond its own properties. */
export interface FunctionContext {
  /** The template's local layers, by version ARN. */
  readonly layers: ReadonlyMap<string, LayerModel>;
  /** For runtime deprecation. */
  readonly today: Date;
  /** Check that CodeUri is a folder or an archive on disk (loadTemplate does; parseTemplate reads no file). */
  readonly checkCode?: boolean;
}

/**
 * An `AWS::Serverless::Function` (Globals merged) as the emulator runs it, with SAM's and Lambda's defaults:
 * Timeout 3 s, MemorySize 128 MB, Architectures [x86_64], LogFormat Text, FunctionName = logical id.
 * `undefined` (with a warning) for functions the emulator cannot run: container images, S3 code, runtimes other
 * than Node.js. Without `CodeUri` the code is in the template's folder, as SAM CLI reads it.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
 */
export function buildFunction(
  entry: ResourceEntry,
  properties: PropertyReader,
  resolver: Resolver,
  diag: Diagnostics,
  templateDirectory: string,
  context: FunctionContext = { layers: new Map(), today: new Date() },
): FunctionModel | undefined {
  const propertiesPath = properties.pathOf([]);
  const required = (key: string): string => {
    const value = properties.value([key]);
    if (value === undefined) {
      return diag.fail(propertiesPath, `${key} is required: set it on the function or in Globals.Function`);
    }
    return expectNonEmptyString(value, properties.pathOf([key]), diag);
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const value = properties.value([key]);
    return value === undefined
      ? fallback
      : expectInteger(value, properties.pathOf([key]), diag, { min, max });
  };

  if (properties.value(['PackageType']) === 'Image') {
    diag.warn(propertiesPath, 'container image functions are not emulated; function ignored');
    return undefined;
  }

  const handler = required('Handler');
  if (!handler.includes('.')) {
    diag.fail(properties.pathOf(['Handler']), `expected file.export, got ${JSON.stringify(handler)}`);
  }
  const runtime = required('Runtime');
  if (!runtime.startsWith('nodejs')) {
    diag.warn(
      properties.pathOf(['Runtime']),
      `runtime ${runtime} is not Node.js, the only one emulated; function ignored`,
    );
    return undefined;
  }
  checkRuntime(runtime, properties.pathOf(['Runtime']), context.today, diag);

  const code = entry.type === LAMBDA_FUNCTION ? readLambdaCode(properties, diag) : undefined;
  const inlineCode = code === undefined ? readInlineCode(properties, diag) : code.inlineCode;
  const codeUri =
    code === undefined ? (inlineCode === undefined ? readCodeUri(properties, diag) : '.') : code.codeUri;
  if (codeUri === undefined) return undefined;
  const codePath = properties.pathOf([entry.type === LAMBDA_FUNCTION ? 'Code' : 'CodeUri']);
  const codeKind =
    context.checkCode === true && inlineCode === undefined
      ? checkCodeLocation(
          { logicalId: entry.logicalId, written: codeUri, handler, path: codePath },
          templateDirectory,
          diag,
        )
      : 'folder';

  const environment = readEnvironment(properties, diag);
  const esbuild = readEsbuild(
    entry.metadata,
    ['Resources', entry.logicalId, 'Metadata'],
    handler,
    environment,
    diag,
  );
  if (codeKind === 'archive' && esbuild?.build !== undefined) {
    diag.fail(
      codePath,
      `${codeUri} is an archive, and Metadata BuildMethod esbuild bundles the sources of a folder: set CodeUri to ` +
        'the folder, or drop the build metadata to run the archive as it is',
    );
  }
  const reserved = properties.value(['ReservedConcurrentExecutions']);

  return {
    logicalId: entry.logicalId,
    functionName: resolver.functionName(entry),
    codeUri: resolvePath(templateDirectory, codeUri),
    inlineCode,
    handler,
    runtime,
    architectures: readArchitectures(properties, diag),
    timeout: integer('Timeout', 3, 1, 900),
    memorySize: integer('MemorySize', 128, 128, 10240),
    environment: esbuild?.environment ?? environment,
    reservedConcurrency:
      reserved === undefined
        ? undefined
        : expectInteger(reserved, properties.pathOf(['ReservedConcurrentExecutions']), diag, { min: 0 }),
    ...readLogging(properties, diag),
    build: esbuild?.build,
    ...readEventInvokeConfig(properties, diag),
    ...readDestinations(properties, entry.type === LAMBDA_FUNCTION),
    layers: readFunctionLayers(properties, context.layers, runtime, diag),
  };
}

/**
 * Lambda refuses a runtime it does not know. A deprecated runtime still runs, as Lambda keeps invoking existing
 * functions on one (it only blocks creating and then updating them), so it is a warning.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtime-support-policy
 */
function checkRuntime(
  runtime: string,
  path: readonly (string | number)[],
  today: Date,
  diag: Diagnostics,
): void {
  const known = nodeRuntime(runtime);
  if (known === undefined) {
    diag.fail(
      path,
      `${runtime} is not a Lambda runtime; Node.js runtimes are ${supportedRuntimeIds(today).join(', ')}`,
    );
  }
  if (known.unknown === true) {
    diag.warn(
      path,
      `${runtime} is newer than the runtimes this emulator knows; it runs with the rules of the newest one`,
    );
  } else if (isDeprecated(known, today)) {
    diag.warn(
      path,
      `${runtime} is deprecated since ${known.deprecation}: Lambda no longer patches it and blocks creating, then ` +
        `updating, functions on it; it still runs here. Supported: ${supportedRuntimeIds(today).join(', ')}`,
    );
  }
}

/**
 * `CodeUri` as written (a folder relative to the template); `undefined` for code in S3, which is not emulated.
 * Without one, SAM CLI reads the code from the template's own folder (its `DEFAULT_CODEURI` is '.').
 */
function readCodeUri(properties: PropertyReader, diag: Diagnostics): string | undefined {
  const value = properties.value(['CodeUri']);
  if (value === undefined) return '.';
  if (isRecord(value) || (typeof value === 'string' && value.startsWith('s3://'))) {
    diag.warn(properties.pathOf(['CodeUri']), 'code in S3 is not emulated; function ignored');
    return undefined;
  }
  return expectNonEmptyString(value, properties.pathOf(['CodeUri']), diag);
}

/**
 * `Code` of an `AWS::Lambda::Function`: `ZipFile` (inline code), a local path (what `aws cloudformation package`
 * and SAM CLI accept before upload) or S3 (not emulated); absent, SAM CLI reads the template's folder.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html
 */
function readLambdaCode(
  properties: PropertyReader,
  diag: Diagnostics,
): { codeUri: string | undefined; inlineCode: string | undefined } {
  const value = properties.value(['Code']);
  if (value === undefined) return { codeUri: '.', inlineCode: undefined };
  if (typeof value === 'string' && !value.startsWith('s3://')) {
    return { codeUri: expectNonEmptyString(value, properties.pathOf(['Code']), diag), inlineCode: undefined };
  }
  if (isRecord(value) && value.ZipFile !== undefined) {
    const path = properties.pathOf(['Code', 'ZipFile']);
    checkInlineHandler(properties, diag);
    return { codeUri: '.', inlineCode: expectNonEmptyString(value.ZipFile, path, diag) };
  }
  diag.warn(properties.pathOf(['Code']), 'code in S3 or an image is not emulated; function ignored');
  return { codeUri: undefined, inlineCode: undefined };
}

/** CloudFormation saves inline code as `index.js`, so the handler must name a function of `index`. */
function checkInlineHandler(properties: PropertyReader, diag: Diagnostics): void {
  const handler = properties.value(['Handler']);
  if (typeof handler === 'string' && !handler.startsWith('index.')) {
    diag.fail(
      properties.pathOf(['Handler']),
      `inline code is saved as index.js, so the handler must be index.<export>, got ${JSON.stringify(handler)}`,
    );
  }
}

/**
 * `InlineCode`: CloudFormation writes it to a file named `index` (`index.js` for Node.js) at the root of the
 * package, so the handler must be `index.<export>`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html
 */
function readInlineCode(properties: PropertyReader, diag: Diagnostics): string | undefined {
  const value = properties.value(['InlineCode']);
  if (value === undefined) return undefined;
  const path = properties.pathOf(['InlineCode']);
  if (properties.value(['CodeUri']) !== undefined) {
    diag.fail(path, 'InlineCode and CodeUri cannot both be set (SAM rejects it): keep one');
  }
  const code = expectNonEmptyString(value, path, diag);
  checkInlineHandler(properties, diag);
  return code;
}

/**
 * Lambda runs on exactly one architecture. SAM concatenates Globals lists with the function's own, so an
 * architecture given in both places is reported rather than silently picked.
 */
function readArchitectures(properties: PropertyReader, diag: Diagnostics): string[] {
  const items = properties.list(['Architectures']);
  if (items === undefined) return ['x86_64'];
  const architectures = items.map((_item, index) =>
    expectOneOf(
      properties.value(['Architectures', index]),
      ['x86_64', 'arm64'],
      properties.pathOf(['Architectures', index]),
      diag,
    ),
  );
  if (architectures.length !== 1) {
    diag.fail(
      properties.pathOf(['Architectures']),
      `Lambda takes exactly one architecture, got [${architectures.join(', ')}]` +
        " (SAM appends the function's list to Globals.Function.Architectures: set it in one place)",
    );
  }
  return architectures;
}

/** `Environment.Variables`, every value as the string Lambda sets (numbers and booleans stringified). */
function readEnvironment(properties: PropertyReader, diag: Diagnostics): Record<string, string> {
  const variables = properties.map(['Environment', 'Variables']);
  const result: Record<string, string> = {};
  for (const key of Object.keys(variables ?? {})) {
    const relative = ['Environment', 'Variables', key];
    if (!ENVIRONMENT_KEY.test(key)) {
      diag.fail(
        properties.pathOf(relative),
        'Lambda variable names start with a letter and hold only letters, digits and _',
      );
    }
    const value = properties.value(relative);
    if (value === undefined) continue;
    const text = expectScalarText(value, properties.pathOf(relative), diag);
    if (DYNAMIC_REFERENCE.test(text)) {
      diag.warn(
        properties.pathOf(relative),
        'holds a dynamic reference ({{resolve:…}}), which CloudFormation resolves at deploy; the text is passed as it is here (give the value with -n env.json)',
      );
    }
    result[key] = text;
  }
  return result;
}

/** https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html */
const DYNAMIC_REFERENCE = /\{\{resolve:(ssm|ssm-secure|secretsmanager):/;

/**
 * `LoggingConfig`: LogFormat Text unless JSON; the log levels apply only to the JSON format.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html
 */
function readLogging(
  properties: PropertyReader,
  diag: Diagnostics,
): Pick<FunctionModel, 'logFormat' | 'applicationLogLevel' | 'systemLogLevel'> {
  const at = (key: string) => ['LoggingConfig', key];
  const format = properties.value(at('LogFormat'));
  const logFormat =
    format === undefined
      ? 'Text'
      : expectOneOf(format, ['Text', 'JSON'], properties.pathOf(at('LogFormat')), diag);
  const level = (key: string, allowed: readonly string[]): string | undefined => {
    const value = properties.value(at(key));
    if (value === undefined) return undefined;
    const checked = expectOneOf(
      expectString(value, properties.pathOf(at(key)), diag),
      allowed,
      properties.pathOf(at(key)),
      diag,
    );
    if (logFormat === 'JSON') return checked;
    diag.warn(
      properties.pathOf(at(key)),
      `log levels apply only to LogFormat JSON; ignored with ${logFormat}`,
    );
    return undefined;
  };
  return {
    logFormat,
    applicationLogLevel: level('ApplicationLogLevel', APPLICATION_LOG_LEVELS),
    systemLogLevel: level('SystemLogLevel', SYSTEM_LOG_LEVELS),
  };
}

/**
 * Where Lambda sends the record of an asynchronous invocation: SAM's `EventInvokeConfig.DestinationConfig`
 * (`OnSuccess`/`OnFailure`: `Type`, `Destination`; an SQS or SNS one without `Destination` is a queue or topic
 * SAM generates) and the dead-letter queue (`DeadLetterQueue`: `Type`, `TargetArn`; on `AWS::Lambda::Function`
 * `DeadLetterConfig.TargetArn`).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-onfailure.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-deadletterqueue.html
 */
function readDestinations(
  properties: PropertyReader,
  lambdaFunction: boolean,
): { destinations?: AsyncDestinations } {
  const destination = (
    at: readonly string[],
    typeKey: string | undefined,
    arnKey: string,
    generated: boolean,
  ): AsyncDestination | undefined => {
    if (properties.raw([...at]) === undefined) return undefined;
    const type = typeKey === undefined ? undefined : properties.value([...at, typeKey]);
    const raw = properties.raw([...at, arnKey]);
    const resourceId = referencedResource(raw);
    const typeName = typeof type === 'string' ? type : 'SQS';
    if (resourceId !== undefined) return { type: typeName, resourceId };
    const arn = raw === undefined ? undefined : properties.value([...at, arnKey]);
    if (typeof arn === 'string') return { type: typeName, arn };
    return generated && raw === undefined ? { type: typeName, generated: true } : undefined;
  };
  const config = ['EventInvokeConfig', 'DestinationConfig'];
  const onSuccess = destination([...config, 'OnSuccess'], 'Type', 'Destination', true);
  const onFailure = destination([...config, 'OnFailure'], 'Type', 'Destination', true);
  const deadLetterQueue = lambdaFunction
    ? destination(['DeadLetterConfig'], undefined, 'TargetArn', false)
    : destination(['DeadLetterQueue'], 'Type', 'TargetArn', false);
  const destinations = {
    ...(onSuccess === undefined ? {} : { onSuccess }),
    ...(onFailure === undefined ? {} : { onFailure }),
    ...(deadLetterQueue === undefined ? {} : { deadLetterQueue }),
  };
  return Object.keys(destinations).length === 0 ? {} : { destinations };
}

/**
 * `EventInvokeConfig` retry settings for asynchronous invocations (0-2 retries, 60-21600 s).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventinvokeconfiguration.html
 */
function readEventInvokeConfig(
  properties: PropertyReader,
  diag: Diagnostics,
): Pick<FunctionModel, 'maximumRetryAttempts' | 'maximumEventAgeInSeconds'> {
  const integer = (key: string, min: number, max: number): number | undefined => {
    const relative = ['EventInvokeConfig', key];
    const value = properties.value(relative);
    return value === undefined
      ? undefined
      : expectInteger(value, properties.pathOf(relative), diag, { min, max });
  };
  return {
    maximumRetryAttempts: integer('MaximumRetryAttempts', 0, 2),
    maximumEventAgeInSeconds: integer('MaximumEventAgeInSeconds', 60, 21600),
  };
}
