/**
 * Nested stacks as `sam local` runs them (aws-sam-cli `samcli/lib/providers/sam_stack_provider.py`): an
 * `AWS::Serverless::Application` whose `Location` or an `AWS::CloudFormation::Stack` whose `TemplateURL` is a
 * template on disk is loaded with the parameters its resource passes, and its functions, APIs and events join
 * the parent's under "full path" ids (`Child/Function`, `Child/Grandchild/Function`).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-template-nested-applications.html
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostics } from './errors.ts';
import type { Resolver } from './intrinsics.ts';
import type {
  ApiModel,
  AppModel,
  AsyncDestinations,
  EventSourceModel,
  FunctionModel,
  LayerModel,
  ResourceGroup,
  RouteModel,
  ScheduleModel,
} from './model.ts';
import { apiPhysicalId } from './physical-ids.ts';
import type { ResourceEntry } from './resources.ts';
import { describe, isRecord, type Path } from './values.ts';

const SERVERLESS_APPLICATION = 'AWS::Serverless::Application';
const CLOUDFORMATION_STACK = 'AWS::CloudFormation::Stack';

/**
 * How deep stacks may nest here. CloudFormation documents no depth limit; a cycle is refused on its own, so this
 * only stops a runaway chain of distinct files.
 */
const MAX_NESTING_DEPTH = 10;

/** A nested stack resource, and whether its template can be loaded here. */
export type NestedLocation =
  | { readonly kind: 'local'; readonly file: string }
  | { readonly kind: 'remote'; readonly description: string };

/** Whether the resource is a nested stack: `AWS::Serverless::Application` or `AWS::CloudFormation::Stack`. */
export function isNestedStack(entry: ResourceEntry): boolean {
  return entry.type === SERVERLESS_APPLICATION || entry.type === CLOUDFORMATION_STACK;
}

/**
 * Where the child template is: a path relative to the parent template's folder, an absolute path or a
 * `file://` URL are local; `s3://`, `http(s)://` and a SAR application (`{ApplicationId, SemanticVersion}`) are
 * not, as sam local's `is_remote_url` decides.
 */
function nestedLocation(
  entry: ResourceEntry,
  resolver: Resolver,
  diag: Diagnostics,
  templateDirectory: string,
): NestedLocation {
  const key = entry.type === SERVERLESS_APPLICATION ? 'Location' : 'TemplateURL';
  const path: Path = ['Resources', entry.logicalId, 'Properties', key];
  const location = resolver.property(entry.properties, key, path);
  if (isRecord(location) && typeof location.ApplicationId === 'string') {
    return {
      kind: 'remote',
      description: `the Serverless Application Repository (${location.ApplicationId})`,
    };
  }
  if (typeof location !== 'string' || location === '') {
    return diag.fail(path, `expected the path of a template, got ${describe(location)}`);
  }
  if (/^(s3|https?):\/\//.test(location)) return { kind: 'remote', description: location };
  if (location.startsWith('file://')) return { kind: 'local', file: fileURLToPath(location) };
  return { kind: 'local', file: isAbsolute(location) ? location : resolvePath(templateDirectory, location) };
}

/**
 * The child's parameter values: the resource's `Parameters`, resolved in the parent. CloudFormation passes
 * every value as a string; a list (a `CommaDelimitedList` parameter passed on) is joined with commas.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html
 */
function childParameters(
  entry: ResourceEntry,
  resolver: Resolver,
  diag: Diagnostics,
): Record<string, string> {
  const path: Path = ['Resources', entry.logicalId, 'Properties', 'Parameters'];
  const section = resolver.property(entry.properties, 'Parameters', path);
  if (section === undefined) return {};
  if (!isRecord(section))
    return diag.fail(path, `expected a map of parameter values, got ${describe(section)}`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(section)) {
    const text = parameterText(value);
    if (text === undefined) {
      diag.fail(
        [...path, name],
        `a parameter value must be a string or a list of strings, got ${describe(value)}`,
      );
    }
    values[name] = text;
  }
  return values;
}

function parameterText(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (!Array.isArray(value)) return undefined;
  const items = value.map(parameterText);
  return items.every((item) => item !== undefined) ? items.join(',') : undefined;
}

/**
 * CloudFormation names a nested stack `<parent stack name>-<logical id>-<random suffix>`: what the child's
 * `AWS::StackName` gives. The suffix here is stable, so every load names it the same.
 */
export function nestedStackName(parentStackName: string, logicalId: string): string {
  return `${parentStackName}-${logicalId}-${apiPhysicalId(`${parentStackName}/${logicalId}`).toUpperCase()}`;
}

/** A full-path id (`Child/Function`) as a folder name: `/` would make one function's folder hold another's. */
export function folderNameOf(id: string): string {
  // Logical ids are alphanumeric, so a dot cannot meet one.
  return id.replaceAll('/', '.');
}

/** The logical id inside its own stack: the last part of a full path. */
function shortIdOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/**
 * The functions a name that is not a full path (`Child/Function`) designates: those whose own logical id or
 * deployed name it is, in every stack, sorted by full path ignoring case. sam local's `SamFunctionProvider.get`
 * runs the first of them and warns, listing all, when there are several.
 */
export function functionsNamed(functions: ReadonlyMap<string, FunctionModel>, name: string): FunctionModel[] {
  return [...functions.values()]
    .filter((fn) => shortIdOf(fn.logicalId) === name || fn.functionName === name)
    .sort((a, b) => compareText(a.logicalId.toLowerCase(), b.logicalId.toLowerCase()));
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The parts of a child's model that join the parent's, every id put under the child's logical id. */
export interface NestedParts {
  readonly functions: ReadonlyMap<string, FunctionModel>;
  readonly apis: ReadonlyMap<string, ApiModel>;
  readonly routes: readonly RouteModel[];
  readonly schedules: readonly ScheduleModel[];
  readonly eventSources: readonly EventSourceModel[];
  readonly ignoredResources: readonly ResourceGroup[];
  readonly warnings: readonly string[];
  readonly definitionFiles: readonly string[];
  /** The child's template and the templates it nests, absolute paths. */
  readonly templates: readonly string[];
}

/** The child's model with every logical id written as a full path under `stackId`. */
export function underStack(child: AppModel, stackId: string): NestedParts {
  const id = (logicalId: string) => `${stackId}/${logicalId}`;
  return {
    functions: new Map(
      [...child.functions.values()].map((fn) => [
        id(fn.logicalId),
        // Layers keep their objects (and own logical ids): stacks share them, and each is extracted once.
        { ...fn, logicalId: id(fn.logicalId), destinations: destinationsUnder(fn.destinations, id) },
      ]),
    ),
    apis: new Map(
      [...child.apis.values()].map((api) => [id(api.logicalId), { ...api, logicalId: id(api.logicalId) }]),
    ),
    routes: child.routes.map((route) => {
      const moved: RouteModel = {
        ...route,
        apiId: id(route.apiId),
        functionId: route.functionId === '' ? '' : id(route.functionId),
      };
      if (route.integration?.kind !== 'lambda') return moved;
      return { ...moved, integration: { kind: 'lambda', functionId: id(route.integration.functionId) } };
    }),
    schedules: child.schedules.map((schedule) => ({ ...schedule, functionId: id(schedule.functionId) })),
    eventSources: child.eventSources.map((source) => ({
      ...source,
      functionId: id(source.functionId),
      sourceId: source.sourceId === undefined ? undefined : id(source.sourceId),
    })),
    ignoredResources: child.ignoredResources.map((group) => ({
      type: group.type,
      logicalIds: group.logicalIds.map(id),
    })),
    warnings: child.warnings,
    definitionFiles: child.definitionFiles ?? [],
    templates: [child.templatePath, ...(child.nestedTemplates ?? [])],
  };
}

function destinationsUnder(
  destinations: AsyncDestinations | undefined,
  id: (logicalId: string) => string,
): AsyncDestinations | undefined {
  if (destinations === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(destinations).map(([kind, destination]) => [
      kind,
      destination.resourceId === undefined
        ? destination
        : { ...destination, resourceId: id(destination.resourceId) },
    ]),
  );
}

/** What loads one child template: the loader's own entry point, given the child's options. */
type ChildLoader = (file: string, stack: ChildStack) => AppModel;

export interface ChildStack {
  /** The nested stack resource's logical id in the parent. */
  readonly logicalId: string;
  readonly parameters: Record<string, string>;
  readonly stackName: string;
  /** Absolute paths of the templates above the child, the root first. */
  readonly ancestors: readonly string[];
  /** The local URLs of the child's function URLs, by the child's own logical ids. */
  readonly functionUrls: ReadonlyMap<string, string> | undefined;
}

/**
 * The nested stacks of one template, each loaded once, when first needed: by a `!GetAtt Child.Outputs.Name`
 * anywhere in the parent, or at the end to merge them all.
 */
export class NestedStacks {
  readonly #loaded = new Map<string, AppModel | undefined>();
  readonly #inProgress = new Set<string>();
  readonly #remote = new Set<string>();

  constructor(
    private readonly entries: readonly ResourceEntry[],
    private readonly context: {
      readonly resolver: () => Resolver;
      readonly diag: Diagnostics;
      readonly templatePath: string;
      readonly templateDirectory: string;
      readonly stackName: string;
      readonly ancestors: readonly string[];
      readonly functionUrls: ReadonlyMap<string, string> | undefined;
      readonly load: ChildLoader;
    },
  ) {}

  /** The child's resolved Outputs; `undefined` when the child is not loaded here (remote, or not created). */
  outputsOf(logicalId: string): ReadonlyMap<string, string> | undefined {
    const entry = this.entries.find((candidate) => candidate.logicalId === logicalId);
    if (entry === undefined || !isNestedStack(entry)) return undefined;
    return this.#model(entry)?.outputs;
  }

  /** Every created child that is loaded here, in template order, with its logical id. */
  all(): { readonly logicalId: string; readonly model: AppModel }[] {
    const children: { logicalId: string; model: AppModel }[] = [];
    for (const entry of this.entries) {
      if (!isNestedStack(entry)) continue;
      const model = this.#model(entry);
      if (model !== undefined) children.push({ logicalId: entry.logicalId, model });
    }
    return children;
  }

  /** A layer of a nested stack loaded so far (its children's included), by version ARN. */
  layerOf(arn: string): LayerModel | undefined {
    for (const model of this.#loaded.values()) {
      const layer = model?.layers?.get(arn);
      if (layer !== undefined) return layer;
    }
    return undefined;
  }

  /** The child's model, its ids its own; `undefined` when it is not loaded here (remote, or not created). */
  load(entry: ResourceEntry): AppModel | undefined {
    return this.#model(entry);
  }

  /** The nested stacks whose templates are not on disk, in template order. */
  remote(): ResourceEntry[] {
    return this.entries.filter((entry) => this.#remote.has(entry.logicalId));
  }

  #model(entry: ResourceEntry): AppModel | undefined {
    if (this.#loaded.has(entry.logicalId)) return this.#loaded.get(entry.logicalId);
    const { diag } = this.context;
    const path: Path = ['Resources', entry.logicalId];
    if (this.#inProgress.has(entry.logicalId)) {
      return diag.fail(
        [...path, 'Properties', 'Parameters'],
        `the parameters of ${entry.logicalId} depend on its own Outputs`,
      );
    }
    this.#inProgress.add(entry.logicalId);
    try {
      const model = this.#load(entry, path);
      this.#loaded.set(entry.logicalId, model);
      return model;
    } finally {
      this.#inProgress.delete(entry.logicalId);
    }
  }

  #load(entry: ResourceEntry, path: Path): AppModel | undefined {
    const { diag, templatePath, ancestors } = this.context;
    const resolver = this.context.resolver();
    if (!resolver.isCreated(entry)) return undefined;
    const location = nestedLocation(entry, resolver, diag, this.context.templateDirectory);
    if (location.kind === 'remote') {
      this.#remote.add(entry.logicalId);
      diag.warn(
        path,
        `its template is in ${location.description}, which is not available locally: its functions and APIs are not served (sam local loads only nested templates on disk)`,
      );
      return undefined;
    }
    const locationPath: Path = [
      ...path,
      'Properties',
      entry.type === SERVERLESS_APPLICATION ? 'Location' : 'TemplateURL',
    ];
    const chain = [...ancestors, resolvePath(templatePath)];
    const file = resolvePath(location.file);
    if (chain.includes(file)) {
      diag.fail(locationPath, `nests a template already above it: ${[...chain, file].join(' -> ')}`);
    }
    if (chain.length >= MAX_NESTING_DEPTH) {
      diag.fail(
        locationPath,
        `stacks nest more than ${MAX_NESTING_DEPTH} deep here; refusing to load ${file}`,
      );
    }
    if (!existsSync(file)) diag.fail(locationPath, `the nested template ${file} does not exist`);
    const prefix = `${entry.logicalId}/`;
    const urls = this.context.functionUrls;
    return this.context.load(file, {
      logicalId: entry.logicalId,
      parameters: childParameters(entry, resolver, diag),
      stackName: nestedStackName(this.context.stackName, entry.logicalId),
      ancestors: chain,
      functionUrls:
        urls === undefined
          ? undefined
          : new Map(
              [...urls]
                .filter(([id]) => id.startsWith(prefix))
                .map(([id, url]) => [id.slice(prefix.length), url]),
            ),
    });
  }
}
