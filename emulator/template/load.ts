import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { buildApi } from './apis.ts';
import { Diagnostics, TemplateError } from './errors.ts';
import { readEvents } from './events.ts';
import { readFunctionUrl } from './function-url.ts';
import { buildFunction } from './functions.ts';
import { mergeGlobals, readGlobals } from './globals.ts';
import { Resolver, type ResolverContext } from './intrinsics.ts';
import type { ApiModel, AppModel, FunctionModel, RouteModel, ScheduleModel } from './model.ts';
import { partitionOf, pseudoParameters, resolveParameters } from './parameters.ts';
import { PropertyReader } from './properties.ts';
import { checkReferences } from './references.ts';
import { readResources, SERVERLESS_API, SERVERLESS_FUNCTION, SERVERLESS_HTTP_API } from './resources.ts';
import { expectRecord, isRecord, type Path } from './values.ts';
import { parseYaml, YamlSyntaxError } from './yaml.ts';

export { TemplateError } from './errors.ts';

export interface LoadOptions {
  /** Parameter values, as `sam --parameter-overrides` gives them. */
  parameterOverrides?: Record<string, string>;
  /** `AWS::Region`; default `us-east-1`. */
  region?: string;
  /** `AWS::AccountId`; default `123456789012`. */
  accountId?: string;
  /** `AWS::StackName`; default `local`. */
  stackName?: string;
  /**
   * The local URL (`http://127.0.0.1:PORT/`) each function URL is served on, by function logical id: what
   * `!GetAtt <Id>Url.FunctionUrl` resolves to. Functions missing here resolve to the URL Lambda would give.
   */
  functionUrls?: ReadonlyMap<string, string>;
}

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/**
 * Top-level sections CloudFormation accepts (plus SAM's Globals); anything else fails deployment.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
 */
const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
  'Globals',
]);

/** Reads and loads a SAM template file; throws a TemplateError naming the line when it cannot be run. */
export function loadTemplate(templatePath: string, options: LoadOptions = {}): AppModel {
  let text: string;
  try {
    text = readFileSync(templatePath, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemplateError(templatePath, '', undefined, `cannot read the template: ${reason}`);
  }
  return parseTemplate(text, templatePath, options);
}

/**
 * The application a SAM template describes, with parameters, conditions, intrinsics and Globals resolved and
 * SAM's implicit APIs made explicit. Pure: reads no file (CodeUri is made absolute, not checked).
 */
export function parseTemplate(text: string, templatePath: string, options: LoadOptions = {}): AppModel {
  const stack = {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    stackName: options.stackName ?? 'local',
  };
  let parsed: ReturnType<typeof parseYaml>;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    if (error instanceof YamlSyntaxError)
      throw new TemplateError(templatePath, '', error.line, error.message);
    throw error;
  }
  const diag = new Diagnostics(templatePath, parsed.lineOf);
  if (parsed.value === null || parsed.value === undefined) diag.fail([], 'the template is empty');
  const template = expectRecord(parsed.value, [], diag);
  checkSections(template, diag);

  const parameters = resolveParameters(template.Parameters, options.parameterOverrides ?? {}, diag);
  const pseudo = pseudoParameters(stack);
  const mappings = template.Mappings === undefined ? {} : expectRecord(template.Mappings, ['Mappings'], diag);
  const conditions =
    template.Conditions === undefined ? {} : expectRecord(template.Conditions, ['Conditions'], diag);
  const globals = readGlobals(template.Globals, diag);
  const entries = readResources(template.Resources, diag);
  const resources = new Map(entries.map((entry) => [entry.logicalId, entry]));
  checkTransform(template.Transform, entries, diag);
  checkReferences(
    template,
    {
      parameters: new Set(parameters.keys()),
      pseudoParameters: new Set(pseudo.keys()),
      conditions: new Set(Object.keys(conditions)),
      resources,
    },
    diag,
  );

  const functionUrls = new Map<string, string | undefined>();
  for (const entry of entries) {
    const declared =
      entry.properties.FunctionUrlConfig !== undefined || globals.function?.FunctionUrlConfig !== undefined;
    if (entry.type === SERVERLESS_FUNCTION && declared) {
      functionUrls.set(entry.logicalId, options.functionUrls?.get(entry.logicalId));
    }
  }
  const resolverContext: ResolverContext = {
    stack: { ...stack, ...partitionOf(stack.region) },
    parameters,
    pseudoParameters: pseudo,
    mappings,
    conditions,
    resources,
    diag,
    functionUrls,
  };
  const resolver = new Resolver(resolverContext);
  const templateDirectory = dirname(resolvePath(templatePath));

  const apis = new Map<string, ApiModel>();
  for (const entry of entries) {
    if (entry.type !== SERVERLESS_API && entry.type !== SERVERLESS_HTTP_API) continue;
    if (!resolver.isCreated(entry)) continue;
    const globalPath: Path = ['Globals', entry.type === SERVERLESS_API ? 'Api' : 'HttpApi'];
    const merged = mergeGlobals(
      entry.type === SERVERLESS_API ? globals.api : globals.httpApi,
      globalPath,
      entry.properties,
      ['Resources', entry.logicalId, 'Properties'],
    );
    apis.set(entry.logicalId, buildApi(entry, new PropertyReader(merged, resolver, diag), diag));
  }

  const functions = new Map<string, FunctionModel>();
  const routes: RouteModel[] = [];
  const schedules: ScheduleModel[] = [];
  const routeOwners = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type === SERVERLESS_API || entry.type === SERVERLESS_HTTP_API) continue;
    const resourcePath: Path = ['Resources', entry.logicalId];
    if (entry.type !== SERVERLESS_FUNCTION) {
      diag.warn(resourcePath, `${entry.type} is not emulated; resource ignored`);
      continue;
    }
    if (!resolver.isCreated(entry)) continue;
    const merged = mergeGlobals(globals.function, ['Globals', 'Function'], entry.properties, [
      ...resourcePath,
      'Properties',
    ]);
    const reader = new PropertyReader(merged, resolver, diag);
    const built = buildFunction(entry, reader, resolver, diag, templateDirectory);
    if (built === undefined) continue;
    const functionUrl = readFunctionUrl(entry.logicalId, reader, diag, functionUrls.get(entry.logicalId));
    const model = functionUrl === undefined ? built : { ...built, functionUrl };
    functions.set(entry.logicalId, model);

    const events = readEvents(entry, { apis, resources, resolver, diag });
    for (const route of events.routes) {
      const key = `${route.apiId} ${route.method} ${route.path}`;
      const owner = routeOwners.get(key);
      if (owner !== undefined) {
        diag.fail(
          [...resourcePath, 'Properties', 'Events', route.eventId],
          `${route.method} ${route.path} on ${route.apiId} is already routed to ${owner}`,
        );
      }
      routeOwners.set(key, `${route.functionId} (event ${route.eventId})`);
      routes.push(route);
    }
    schedules.push(...events.schedules);
  }

  return {
    templatePath: resolvePath(templatePath),
    region: stack.region,
    accountId: stack.accountId,
    stackName: stack.stackName,
    functions,
    apis,
    routes,
    schedules,
    warnings: diag.warnings,
    outputs: resolveOutputs(template.Outputs, {
      ...resolverContext,
      diag: new Diagnostics(templatePath, parsed.lineOf),
    }),
  };
}

/**
 * The Outputs that resolve to text here. They change nothing the emulator runs, so resolving them is best
 * effort: warnings go to a diagnostics of their own and are dropped, and an output that fails is left out.
 */
function resolveOutputs(section: unknown, context: ResolverContext): ReadonlyMap<string, string> {
  const outputs = new Map<string, string>();
  if (!isRecord(section)) return outputs;
  const resolver = new Resolver(context);
  for (const [name, output] of Object.entries(section)) {
    if (!isRecord(output)) continue;
    try {
      if (typeof output.Condition === 'string' && !resolver.condition(output.Condition, ['Outputs', name]))
        continue;
      const value = resolver.resolve(output.Value, ['Outputs', name, 'Value']);
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        outputs.set(name, String(value));
      }
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
    }
  }
  return outputs;
}

function checkSections(template: Record<string, unknown>, diag: Diagnostics): void {
  for (const key of Object.keys(template)) {
    if (!SECTIONS.has(key)) diag.fail([key], `${key} is not a template section (CloudFormation rejects it)`);
  }
  const version = template.AWSTemplateFormatVersion;
  if (version !== undefined && version !== '2010-09-09') {
    diag.fail(
      ['AWSTemplateFormatVersion'],
      `the only template format version is '2010-09-09', got ${JSON.stringify(version)}`,
    );
  }
}

/** Without SAM's transform, CloudFormation does not know AWS::Serverless resources. */
function checkTransform(transform: unknown, entries: readonly { type: string }[], diag: Diagnostics): void {
  const transforms = Array.isArray(transform) ? transform : [transform];
  const hasSam = transforms.some(
    (item) => item === SAM_TRANSFORM || (isRecord(item) && item.Name === SAM_TRANSFORM),
  );
  if (!hasSam && entries.some((entry) => entry.type.startsWith('AWS::Serverless::'))) {
    diag.warn(
      ['Transform'],
      `add "Transform: ${SAM_TRANSFORM}": CloudFormation rejects AWS::Serverless resources without it`,
    );
  }
}
