import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { nodeRuntime, runtimeNotice } from '../runtime/runtimes.ts';
import { buildApi } from './apis.ts';
import {
  CLOUDFORMATION_HTTP_API,
  CLOUDFORMATION_REST_API,
  readCloudFormationApi,
} from './cloudformation-apis.ts';
import { Diagnostics, TemplateError } from './errors.ts';
import { readEvents } from './events.ts';
import { readFunctionUrl } from './function-url.ts';
import { buildFunction } from './functions.ts';
import { mergeGlobals, readGlobals } from './globals.ts';
import { Resolver, type ResolverContext } from './intrinsics.ts';
import { buildLayer, isLayer } from './layers.ts';
import type {
  ApiModel,
  AppModel,
  EventSourceModel,
  FunctionModel,
  LayerModel,
  ResourceGroup,
  RouteModel,
  ScheduleModel,
} from './model.ts';
import { isNestedStack, NestedStacks, underStack } from './nested.ts';
import { type ApiDefinition, mergeDefinitionRoutes, readDefinition, withDefinition } from './openapi.ts';
import { type ParameterFallbacks, partitionOf, pseudoParameters, resolveParameters } from './parameters.ts';
import { PropertyReader } from './properties.ts';
import { checkReferences } from './references.ts';
import {
  LAMBDA_FUNCTION,
  type ResourceEntry,
  readResources,
  SERVERLESS_API,
  SERVERLESS_FUNCTION,
  SERVERLESS_HTTP_API,
} from './resources.ts';
import { withEventRouteSettings } from './throttling.ts';
import {
  mergeUsagePlans,
  readSamUsagePlan,
  readUsagePlans,
  type SamUsagePlan,
  USAGE_PLAN_TYPES,
  usagePlansUnder,
  warnKeyedApisWithoutPlan,
} from './usage-plans.ts';
import { expectRecord, isRecord, type Path } from './values.ts';
import { parseYaml, YamlSyntaxError } from './yaml.ts';

export { TemplateError } from './errors.ts';

export interface LoadOptions {
  /** Parameter values, as `sam --parameter-overrides` gives them. */
  parameterOverrides?: Record<string, string>;
  /** Values for parameters that have no override and no `Default` (samconfig's deploy section). */
  parameterFallbacks?: ParameterFallbacks;
  /** `AWS::Region`; default `us-east-1`. */
  region?: string;
  /** `AWS::AccountId`; default `123456789012`. */
  accountId?: string;
  /** `AWS::StackName`; default `local`. */
  stackName?: string;
  /** The Node.js version functions run on here (`process.versions.node`), for the runtime notices. */
  hostNodeVersion?: string;
  /** Today, for runtime deprecation; default now. */
  today?: Date;
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

/**
 * Reads and loads a SAM template file, checking that each function's CodeUri is a folder or a .zip on disk;
 * throws a TemplateError naming the line when it cannot be run.
 */
export function loadTemplate(templatePath: string, options: LoadOptions = {}): AppModel {
  return loadStack(templatePath, options, ROOT_STACK);
}

/** Where a stack sits: the templates above it and the layers they make (nothing for the root template). */
interface Nesting {
  /** Absolute paths of the templates above this one, the root first. */
  readonly ancestors: readonly string[];
  /** A layer of the stacks above (or of a sibling loaded before), by version ARN: passed down as a parameter. */
  readonly layerAbove: (arn: string) => LayerModel | undefined;
  /** Where the parameter values come from, for a nested stack: its resource's `Parameters` in the parent. */
  readonly passedBy?: string;
}

const ROOT_STACK: Nesting = { ancestors: [], layerAbove: () => undefined };

/** A template file loaded as the stack below `ancestors` (the templates above it, the root first). */
function loadStack(templatePath: string, options: LoadOptions, nesting: Nesting): AppModel {
  let text: string;
  try {
    text = readFileSync(templatePath, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemplateError(templatePath, '', undefined, `cannot read the template: ${reason}`);
  }
  return parseStack(text, templatePath, options, nesting, { checkCode: true });
}

/**
 * The application a SAM template describes, with parameters, conditions, intrinsics and Globals resolved and
 * SAM's implicit APIs made explicit. Reads no file but the OpenAPI documents the template includes (CodeUri is
 * made absolute, not checked).
 */
export function parseTemplate(text: string, templatePath: string, options: LoadOptions = {}): AppModel {
  return parseStack(text, templatePath, options, ROOT_STACK);
}

function parseStack(
  text: string,
  templatePath: string,
  options: LoadOptions,
  nesting: Nesting,
  files: { checkCode: boolean } = { checkCode: false },
): AppModel {
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
  for (const duplicate of parsed.duplicateKeys) {
    diag.warn(
      duplicate.path,
      `written twice (lines ${duplicate.firstLine} and ${duplicate.lastLine}); the last one is used, as sam local reads it`,
    );
  }
  if (parsed.value === null || parsed.value === undefined) diag.fail([], 'the template is empty');
  const template = withoutNulls(expectRecord(parsed.value, [], diag), [], diag);
  checkSections(template, diag);

  const parameters = resolveParameters(
    template.Parameters,
    options.parameterOverrides ?? {},
    diag,
    options.parameterFallbacks,
    nesting.passedBy,
  );
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
  const templateDirectory = dirname(resolvePath(templatePath));
  // Layers cross stack boundaries as ARNs (a parameter passed down, an Output read up with GetAtt), so a
  // function's layer ARN is looked up in this stack, then in the nested stacks loaded, then in the stacks above.
  const layers = new LayerLookup((arn) => nested.layerOf(arn) ?? nesting.layerAbove(arn));
  const nested = new NestedStacks(entries, {
    resolver: () => resolver,
    diag,
    templatePath,
    templateDirectory,
    stackName: stack.stackName,
    ancestors: nesting.ancestors,
    functionUrls: options.functionUrls,
    load: (file, child) =>
      loadStack(
        file,
        {
          ...options,
          parameterOverrides: child.parameters,
          parameterFallbacks: undefined,
          stackName: child.stackName,
          functionUrls: child.functionUrls,
        },
        {
          ancestors: child.ancestors,
          layerAbove: (arn) => layers.get(arn),
          passedBy: `Resources.${child.logicalId}.Properties.Parameters of ${templatePath}`,
        },
      ),
  });
  const resolverContext: ResolverContext = {
    stack: { ...stack, ...partitionOf(stack.region) },
    parameters,
    pseudoParameters: pseudo,
    mappings,
    conditions,
    resources,
    diag,
    functionUrls,
    nestedOutputs: (logicalId) => nested.outputsOf(logicalId),
  };
  const resolver = new Resolver(resolverContext);

  // Integration URIs name functions by ARN, so definitions need every created function's deployed name.
  const functionsByName = new Map<string, string>();
  for (const entry of entries) {
    if ((entry.type === SERVERLESS_FUNCTION || entry.type === LAMBDA_FUNCTION) && resolver.isCreated(entry)) {
      functionsByName.set(resolver.functionName(entry), entry.logicalId);
    }
  }
  const apis = new Map<string, ApiModel>();
  const definitions = new Map<string, ApiDefinition>();
  const routes: RouteModel[] = [];
  const samUsagePlans: SamUsagePlan[] = [];
  for (const entry of entries) {
    if (entry.type === CLOUDFORMATION_REST_API || entry.type === CLOUDFORMATION_HTTP_API) {
      if (!resolver.isCreated(entry)) continue;
      const plain = readCloudFormationApi(entry, resources, {
        resolver,
        diag,
        templateDirectory,
        functionsByName,
      });
      if (plain === undefined) continue;
      if (plain.definition !== undefined) definitions.set(entry.logicalId, plain.definition);
      apis.set(
        entry.logicalId,
        plain.definition === undefined ? plain.api : withDefinition(plain.api, plain.definition),
      );
      routes.push(...plain.routes);
      continue;
    }
    if (entry.type !== SERVERLESS_API && entry.type !== SERVERLESS_HTTP_API) continue;
    if (!resolver.isCreated(entry)) continue;
    const globalPath: Path = ['Globals', entry.type === SERVERLESS_API ? 'Api' : 'HttpApi'];
    const merged = mergeGlobals(
      entry.type === SERVERLESS_API ? globals.api : globals.httpApi,
      globalPath,
      entry.properties,
      ['Resources', entry.logicalId, 'Properties'],
    );
    const properties = new PropertyReader(merged, resolver, diag);
    const api = buildApi(entry, properties, diag);
    const usagePlan = api.kind === 'rest' ? readSamUsagePlan(entry.logicalId, properties, diag) : undefined;
    if (usagePlan !== undefined) samUsagePlans.push(usagePlan);
    // SAM generates the definition of an implicit API itself, from the function events.
    const definition =
      entry.implicitFor === undefined
        ? readDefinition(properties, {
            kind: api.kind,
            resolver,
            diag,
            templateDirectory,
            functionsByName,
            stageVariables: api.stageVariables,
            ...(api.auth === undefined ? {} : { samAuth: api.auth }),
          })
        : undefined;
    if (definition !== undefined) definitions.set(entry.logicalId, definition);
    apis.set(entry.logicalId, definition === undefined ? api : withDefinition(api, definition));
  }

  for (const entry of entries) {
    if (!isLayer(entry) || !resolver.isCreated(entry)) continue;
    const properties = mergeGlobals(undefined, [], entry.properties, [
      'Resources',
      entry.logicalId,
      'Properties',
    ]);
    const layer = buildLayer(
      entry,
      new PropertyReader(properties, resolver, diag),
      resolver,
      diag,
      templateDirectory,
    );
    if (layer !== undefined) layers.set(layer.arn, layer);
  }
  const functionContext = { layers, today: options.today ?? new Date(), checkCode: files.checkCode };

  const functions = new Map<string, FunctionModel>();
  const schedules: ScheduleModel[] = [];
  const eventSources: EventSourceModel[] = [];
  const routeOwners = new Map<string, string>();
  const ignored = new ResourceGroups();
  const usageEntries: ResourceEntry[] = [];
  for (const entry of entries) {
    if (entry.type === SERVERLESS_API || entry.type === SERVERLESS_HTTP_API || isLayer(entry)) continue;
    if (apis.has(entry.logicalId)) continue;
    if (isNestedStack(entry)) {
      // Loaded here, in template order, so that its warnings come where the resource is written.
      nested.load(entry);
      continue;
    }
    const resourcePath: Path = ['Resources', entry.logicalId];
    // Read by readUsagePlans below; listed as not emulated only when no method needs a key (see there).
    if (USAGE_PLAN_TYPES.has(entry.type)) {
      usageEntries.push(entry);
      continue;
    }
    if (entry.type !== SERVERLESS_FUNCTION && entry.type !== LAMBDA_FUNCTION) {
      ignored.add(entry.type, entry.logicalId);
      continue;
    }
    if (!resolver.isCreated(entry)) continue;
    // Globals apply to SAM's own resource types only.
    const merged = mergeGlobals(
      entry.type === SERVERLESS_FUNCTION ? globals.function : undefined,
      ['Globals', 'Function'],
      entry.properties,
      [...resourcePath, 'Properties'],
    );
    const reader = new PropertyReader(merged, resolver, diag);
    const built = buildFunction(entry, reader, resolver, diag, templateDirectory, functionContext);
    if (built === undefined) continue;
    const functionUrl = readFunctionUrl(entry.logicalId, reader, diag, functionUrls.get(entry.logicalId));
    const model = functionUrl === undefined ? built : { ...built, functionUrl };
    functions.set(entry.logicalId, model);

    if (entry.type === LAMBDA_FUNCTION) continue;
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
      const api = apis.get(route.apiId);
      if (route.kind === 'http' && api !== undefined) {
        apis.set(route.apiId, withEventRouteSettings(api, route, reader, diag));
      }
    }
    schedules.push(...events.schedules);
    eventSources.push(...events.eventSources);
  }

  const servedRoutes =
    definitions.size === 0
      ? routes
      : withDefinitionRoutes(routes, apis, definitions, {
          resources,
          functionIds: new Set(functions.keys()),
          diag,
        });

  const usagePlans = readUsagePlans(samUsagePlans, entries, {
    apis,
    resolver,
    diag,
    stackName: stack.stackName,
  });
  warnKeyedApisWithoutPlan(servedRoutes, usagePlans, diag);
  // Without a method that requires a key, keys and plans change nothing a request gets, here as in AWS.
  if (!servedRoutes.some((route) => route.auth?.apiKeyRequired)) {
    for (const entry of usageEntries) ignored.add(entry.type, entry.logicalId);
  }
  const children = nested.all().map((child) => underStack(child.model, child.logicalId));
  const allUsagePlans = mergeUsagePlans([
    usagePlans,
    ...nested
      .all()
      .map((child) =>
        child.model.usagePlans === undefined
          ? undefined
          : usagePlansUnder(child.model.usagePlans, child.logicalId),
      ),
  ]);
  for (const entry of nested.remote()) ignored.add(entry.type, entry.logicalId);
  const allFunctions = new Map([...functions, ...children.flatMap((child) => [...child.functions])]);
  for (const child of children) {
    for (const group of child.ignoredResources) {
      for (const logicalId of group.logicalIds) ignored.add(group.type, logicalId);
    }
  }

  return {
    templatePath: resolvePath(templatePath),
    region: stack.region,
    accountId: stack.accountId,
    stackName: stack.stackName,
    functions: allFunctions,
    apis: new Map([...apis, ...children.flatMap((child) => [...child.apis])]),
    routes: [...servedRoutes, ...children.flatMap((child) => child.routes)],
    schedules: [...schedules, ...children.flatMap((child) => child.schedules)],
    eventSources: [...eventSources, ...children.flatMap((child) => child.eventSources)],
    warnings: [...new Set([...diag.warnings, ...children.flatMap((child) => child.warnings)])],
    ignoredResources: ignored.groups(),
    ...(allUsagePlans === undefined ? {} : { usagePlans: allUsagePlans }),
    notices: runtimeNotices(allFunctions.values(), options.hostNodeVersion ?? process.versions.node),
    definitionFiles: [
      ...[...definitions.values()].flatMap((definition) =>
        definition.file === undefined ? [] : [definition.file],
      ),
      ...children.flatMap((child) => child.definitionFiles),
    ],
    nestedTemplates: children.flatMap((child) => child.templates),
    layers: new Map([...layers, ...nested.all().flatMap((child) => [...(child.model.layers ?? [])])]),
    outputs: resolveOutputs(template.Outputs, {
      ...resolverContext,
      diag: new Diagnostics(templatePath, parsed.lineOf),
    }),
  };
}

/** One notice per distinct runtime whose Node major is not the one functions run on here. */
function runtimeNotices(functions: Iterable<FunctionModel>, hostVersion: string): string[] {
  const notices = new Set<string>();
  for (const fn of functions) {
    const runtime = nodeRuntime(fn.runtime);
    const notice = runtime === undefined ? undefined : runtimeNotice(runtime, hostVersion);
    if (notice !== undefined) notices.add(notice);
  }
  return [...notices];
}

/** A stack's own layers by version ARN, falling back on those other stacks make. */
class LayerLookup extends Map<string, LayerModel> {
  constructor(private readonly elsewhere: (arn: string) => LayerModel | undefined) {
    super();
  }

  override get(arn: string): LayerModel | undefined {
    return super.get(arn) ?? this.elsewhere(arn);
  }
}

/** Logical ids by resource type, types in the order they first appear. */
class ResourceGroups {
  readonly #byType = new Map<string, string[]>();

  add(type: string, logicalId: string): void {
    const ids = this.#byType.get(type);
    if (ids === undefined) this.#byType.set(type, [logicalId]);
    else ids.push(logicalId);
  }

  groups(): ResourceGroup[] {
    return [...this.#byType].map(([type, logicalIds]) => ({ type, logicalIds }));
  }
}

/**
 * The template with `null` values (a key written with nothing after it) taken out, as `sam local` reads them: an
 * absent property, except an environment variable, which it sets to ''. CloudFormation itself refuses them
 * ("'null' values are not allowed in templates"), so each is also reported.
 */
function withoutNulls(
  value: Record<string, unknown>,
  path: Path,
  diag: Diagnostics,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const itemPath = [...path, key];
    if (item === null) {
      const isVariable = path.length >= 2 && path.at(-1) === 'Variables' && path.at(-2) === 'Environment';
      diag.warn(
        itemPath,
        `is null, which CloudFormation refuses at deploy; ${isVariable ? "set to ''" : 'treated as absent'} here, as sam local does`,
      );
      if (isVariable) result[key] = '';
    } else if (isRecord(item)) {
      result[key] = withoutNulls(item, itemPath, diag);
    } else if (Array.isArray(item)) {
      result[key] = item.map((element, index) =>
        isRecord(element) ? withoutNulls(element, [...itemPath, index], diag) : element,
      );
    } else {
      result[key] = item;
    }
  }
  return result;
}

/** Each API with an OpenAPI definition gets its definition's routes, merged with its events' routes. */
function withDefinitionRoutes(
  eventRoutes: readonly RouteModel[],
  apis: ReadonlyMap<string, ApiModel>,
  definitions: ReadonlyMap<string, ApiDefinition>,
  context: {
    resources: ReadonlyMap<string, ResourceEntry>;
    functionIds: ReadonlySet<string>;
    diag: Diagnostics;
  },
): RouteModel[] {
  const infoOf = (route: RouteModel) => {
    const path: Path = ['Resources', route.functionId, 'Properties', 'Events', route.eventId];
    const events = context.resources.get(route.functionId)?.properties.Events;
    const event = isRecord(events) ? events[route.eventId] : undefined;
    const eventProperties = isRecord(event) && isRecord(event.Properties) ? event.Properties : {};
    return { path, sets: (property: string) => eventProperties[property] !== undefined };
  };
  const routes: RouteModel[] = eventRoutes.filter((route) => !definitions.has(route.apiId));
  for (const [apiId, definition] of definitions) {
    const api = apis.get(apiId);
    if (api === undefined) continue;
    const events = eventRoutes.filter((route) => route.apiId === apiId);
    routes.push(...mergeDefinitionRoutes(api, definition, events, infoOf, context.functionIds, context.diag));
  }
  return routes;
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
