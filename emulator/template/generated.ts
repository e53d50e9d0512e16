import { type ResourceEntry, SERVERLESS_API, SERVERLESS_FUNCTION, SERVERLESS_HTTP_API } from './resources.ts';
import { isRecord } from './values.ts';

/**
 * A resource that SAM's transform adds for a SAM resource, named from its logical id. Templates refer to them by
 * those names (`DependsOn: ServerlessRestApiProdStage`, `!GetAtt MyFunctionRole.Arn`), although they appear
 * nowhere in the template.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html
 */
export type GeneratedResource =
  /** `<Function>Role`, the execution role made when the function sets no `Role`. */
  | { readonly kind: 'role'; readonly owner: ResourceEntry }
  /** `<Api><Stage>Stage`, `<HttpApi>ApiGatewayDefaultStage`: `Ref` gives the stage name. */
  | { readonly kind: 'stage'; readonly owner: ResourceEntry; readonly stageName: string }
  /** `<Api>Deployment<hash>`. */
  | { readonly kind: 'deployment'; readonly owner: ResourceEntry }
  /** `<Function>Alias<Name>` and `<Function>Version<hash>` of `AutoPublishAlias`. */
  | { readonly kind: 'alias'; readonly owner: ResourceEntry; readonly alias: string }
  | { readonly kind: 'version'; readonly owner: ResourceEntry }
  /** `<Function>Url` (AWS::Lambda::Url) of `FunctionUrlConfig`. */
  | { readonly kind: 'url'; readonly owner: ResourceEntry }
  /** `<Function><Event>`: the rule, subscription or event source mapping an event makes. */
  | {
      readonly kind: 'event';
      readonly owner: ResourceEntry;
      readonly eventId: string;
      readonly eventType: string;
    }
  /** Anything else named after a SAM resource: permissions, invoke configs, usage plans… */
  | { readonly kind: 'other'; readonly owner: ResourceEntry };

/** What identifying a generated resource needs to read from its owner, resolved. */
export interface OwnerProperties {
  /** The stage of an API (`Prod` for the implicit REST API, `$default` for an HTTP API without StageName). */
  stageName(owner: ResourceEntry): string;
  /** A function's `AutoPublishAlias`, when it has one. */
  autoPublishAlias(owner: ResourceEntry): string | undefined;
}

const HASH_SUFFIX = /^[0-9a-f]{10}$/;

/** SAM writes stage and alias names into logical ids with everything but letters and digits removed. */
function alphanumeric(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * The generated resource `name` stands for, or `undefined` when no SAM resource's logical id prefixes it. Of
 * several owners whose ids prefix the name, the longest id wins (`Api` and `ApiV2` both prefix `ApiV2ProdStage`).
 */
export function generatedResource(
  name: string,
  resources: ReadonlyMap<string, ResourceEntry>,
  read: OwnerProperties,
): GeneratedResource | undefined {
  const deployed = stackWideOwner(name, resources);
  if (deployed !== undefined) return { kind: 'other', owner: deployed };
  let owner: ResourceEntry | undefined;
  for (const entry of resources.values()) {
    if (!entry.type.startsWith('AWS::Serverless::') || entry.logicalId === name) continue;
    if (!name.startsWith(entry.logicalId)) continue;
    if (owner === undefined || entry.logicalId.length > owner.logicalId.length) owner = entry;
  }
  if (owner === undefined) return undefined;
  const suffix = name.slice(owner.logicalId.length);

  if (owner.type === SERVERLESS_FUNCTION) {
    if (suffix === 'Role') return { kind: 'role', owner };
    if (suffix === 'Url') return { kind: 'url', owner };
    const alias = read.autoPublishAlias(owner);
    if (alias !== undefined && suffix === `Alias${alphanumeric(alias)}`)
      return { kind: 'alias', owner, alias };
    if (alias !== undefined && suffix.startsWith('Version') && HASH_SUFFIX.test(suffix.slice(7))) {
      return { kind: 'version', owner };
    }
    const events = isRecord(owner.properties.Events) ? owner.properties.Events : {};
    const event = Object.entries(events).find(([eventId]) => suffix === eventId);
    if (event !== undefined) {
      const eventType = isRecord(event[1]) && typeof event[1].Type === 'string' ? event[1].Type : '';
      return { kind: 'event', owner, eventId: event[0], eventType };
    }
  }
  if (owner.type === SERVERLESS_API || owner.type === SERVERLESS_HTTP_API) {
    const stageName = read.stageName(owner);
    const stageSuffix =
      stageName === '$default' ? 'ApiGatewayDefaultStage' : `${alphanumeric(stageName)}Stage`;
    if (suffix === stageSuffix) return { kind: 'stage', owner, stageName };
    if (
      owner.type === SERVERLESS_API &&
      suffix.startsWith('Deployment') &&
      HASH_SUFFIX.test(suffix.slice(10))
    ) {
      return { kind: 'deployment', owner };
    }
  }
  return { kind: 'other', owner };
}

/**
 * SAM makes one CodeDeploy application, `ServerlessDeploymentApplication`, and its `CodeDeployServiceRole` for
 * the whole stack once a function has a `DeploymentPreference`; hook functions name them in their policies.
 * The function that brings them about stands as their owner.
 */
const STACK_WIDE_NAMES = new Set(['ServerlessDeploymentApplication', 'CodeDeployServiceRole']);

export function stackWideOwner(
  name: string,
  resources: ReadonlyMap<string, ResourceEntry>,
): ResourceEntry | undefined {
  if (!STACK_WIDE_NAMES.has(name) || resources.has(name)) return undefined;
  for (const entry of resources.values()) {
    if (entry.type === SERVERLESS_FUNCTION && entry.properties.DeploymentPreference !== undefined)
      return entry;
  }
  return undefined;
}
