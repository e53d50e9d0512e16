import { createHash } from 'node:crypto';
import type { Diagnostics } from './errors.ts';
import { referencedResource } from './event-sources.ts';
import { mergeGlobals } from './globals.ts';
import type { Resolver } from './intrinsics.ts';
import type {
  ApiKeyModel,
  ApiModel,
  QuotaModel,
  RouteModel,
  ThrottleModel,
  UsagePlanModel,
  UsagePlansModel,
} from './model.ts';
import { PropertyReader } from './properties.ts';
import type { ResourceEntry } from './resources.ts';
import { readThrottle, resourcePathOf } from './throttling.ts';
import { expectBoolean, expectInteger, expectOneOf, expectString, type Path } from './values.ts';

export const API_KEY = 'AWS::ApiGateway::ApiKey';
export const USAGE_PLAN = 'AWS::ApiGateway::UsagePlan';
export const USAGE_PLAN_KEY = 'AWS::ApiGateway::UsagePlanKey';
/** The resource types read here: the start screen does not list them as resources only AWS has. */
export const USAGE_PLAN_TYPES: ReadonlySet<string> = new Set([API_KEY, USAGE_PLAN, USAGE_PLAN_KEY]);

/** SAM's names for what `CreateUsagePlan: SHARED` generates, shared by every API that says SHARED. */
const SHARED_PLAN = 'ServerlessUsagePlan';
const SHARED_KEY = 'ServerlessApiKey';

/** What `Auth.UsagePlan` of one `AWS::Serverless::Api` asks SAM to generate. */
export interface SamUsagePlan {
  readonly apiId: string;
  readonly mode: 'PER_API' | 'SHARED';
  readonly throttle: ThrottleModel | undefined;
  readonly quota: QuotaModel | undefined;
}

/**
 * `Auth.UsagePlan` of a REST API (Globals merged): `CreateUsagePlan` `PER_API` or `SHARED`; `undefined` for
 * `NONE` or no usage plan.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiusageplan.html
 */
export function readSamUsagePlan(
  apiId: string,
  properties: PropertyReader,
  diag: Diagnostics,
): SamUsagePlan | undefined {
  const at: Path = ['Auth', 'UsagePlan'];
  if (properties.map(at) === undefined) return undefined;
  const create = properties.value([...at, 'CreateUsagePlan']);
  if (create === undefined)
    diag.fail(properties.pathOf(at), 'CreateUsagePlan is required (PER_API, SHARED or NONE)');
  const mode = expectOneOf(
    create,
    ['PER_API', 'SHARED', 'NONE'] as const,
    properties.pathOf([...at, 'CreateUsagePlan']),
    diag,
  );
  if (mode === 'NONE') return undefined;
  return {
    apiId,
    mode,
    throttle: readThrottle(properties, [...at, 'Throttle'], '', diag),
    quota: readQuota(properties, [...at, 'Quota'], diag),
  };
}

/**
 * The API keys and usage plans of a template: SAM's generated ones (`PER_API`: `<Api>UsagePlan` and
 * `<Api>ApiKey`; `SHARED`: `ServerlessUsagePlan` and `ServerlessApiKey`, with the settings of the last API that
 * shares it, since SAM writes the plan again for each), then the `AWS::ApiGateway::ApiKey`, `UsagePlan` and
 * `UsagePlanKey` resources. Each API has a single stage here, so `ApiStages` is read by its `ApiId` alone.
 * `undefined` when there is no key.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html#sam-api-auth
 */
export function readUsagePlans(
  sam: readonly SamUsagePlan[],
  entries: readonly ResourceEntry[],
  context: {
    readonly apis: ReadonlyMap<string, ApiModel>;
    readonly resolver: Resolver;
    readonly diag: Diagnostics;
    readonly stackName: string;
  },
): UsagePlansModel | undefined {
  const { resolver, diag } = context;
  const keys: ApiKeyModel[] = [];
  const plans = new Map<string, UsagePlanModel>();
  const generatedKey = (logicalId: string): ApiKeyModel => ({
    logicalId,
    id: keyId(logicalId),
    value: generatedValue(context.stackName, logicalId),
    enabled: true,
    generated: true,
  });
  for (const plan of sam.filter((each) => each.mode === 'PER_API')) {
    const key = generatedKey(`${plan.apiId}ApiKey`);
    keys.push(key);
    plans.set(`${plan.apiId}UsagePlan`, samPlan(`${plan.apiId}UsagePlan`, [plan.apiId], key, plan));
  }
  const shared = sam.filter((each) => each.mode === 'SHARED');
  const last = shared.at(-1);
  if (last !== undefined) {
    const key = generatedKey(SHARED_KEY);
    keys.push(key);
    plans.set(SHARED_PLAN, samPlan(SHARED_PLAN, [...new Set(shared.map((each) => each.apiId))], key, last));
  }

  const planKeys: { planId: string; keyId: string }[] = [];
  for (const entry of entries) {
    if (!USAGE_PLAN_TYPES.has(entry.type) || !resolver.isCreated(entry)) continue;
    const path: Path = ['Resources', entry.logicalId, 'Properties'];
    const properties = new PropertyReader(
      mergeGlobals(undefined, [], entry.properties, path),
      resolver,
      diag,
    );
    if (entry.type === API_KEY) keys.push(readApiKey(entry.logicalId, properties, context));
    if (entry.type === USAGE_PLAN)
      plans.set(entry.logicalId, readUsagePlan(entry.logicalId, properties, context));
    if (entry.type === USAGE_PLAN_KEY) {
      const planId = referencedResource(properties.raw(['UsagePlanId']));
      const keyRef = referencedResource(properties.raw(['KeyId']));
      if (planId === undefined || keyRef === undefined) {
        diag.warn(
          path,
          'KeyId and UsagePlanId must be a Ref to an ApiKey and a UsagePlan of this template to be emulated',
        );
        continue;
      }
      planKeys.push({ planId, keyId: keyRef });
    }
  }
  for (const { planId, keyId: key } of planKeys) {
    const plan = plans.get(planId);
    if (plan !== undefined) plans.set(planId, { ...plan, keyIds: [...plan.keyIds, key] });
  }
  if (keys.length === 0) return undefined;
  return { keys, plans: [...plans.values()] };
}

function samPlan(logicalId: string, apiIds: string[], key: ApiKeyModel, plan: SamUsagePlan): UsagePlanModel {
  return {
    logicalId,
    apiIds,
    keyIds: [key.logicalId],
    throttle: plan.throttle,
    methodThrottles: new Map(),
    quota: plan.quota,
  };
}

/**
 * `Enabled` defaults to false in CloudFormation (SAM's generated keys set it to true): a disabled key is refused.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-apikey.html
 */
function readApiKey(
  logicalId: string,
  properties: PropertyReader,
  context: { readonly diag: Diagnostics; readonly stackName: string },
): ApiKeyModel {
  const { diag } = context;
  const value = properties.value(['Value']);
  const enabled = properties.value(['Enabled']);
  const text = value === undefined ? undefined : expectString(value, properties.pathOf(['Value']), diag);
  if (text !== undefined && text.length < 20) {
    diag.warn(
      properties.pathOf(['Value']),
      'API Gateway refuses an API key Value shorter than 20 characters',
    );
  }
  return {
    logicalId,
    id: keyId(logicalId),
    value: text ?? generatedValue(context.stackName, logicalId),
    enabled: enabled === undefined ? false : expectBoolean(enabled, properties.pathOf(['Enabled']), diag),
    generated: text === undefined,
  };
}

function readUsagePlan(
  logicalId: string,
  properties: PropertyReader,
  context: { readonly apis: ReadonlyMap<string, ApiModel>; readonly diag: Diagnostics },
): UsagePlanModel {
  const { diag } = context;
  const apiIds: string[] = [];
  const methodThrottles = new Map<string, ThrottleModel>();
  (properties.list(['ApiStages']) ?? []).forEach((_stage, index) => {
    const at: Path = ['ApiStages', index];
    const raw = properties.raw([...at, 'ApiId']);
    const apiId = referencedResource(raw) ?? (typeof raw === 'string' ? raw : undefined);
    if (apiId === undefined || context.apis.get(apiId)?.kind !== 'rest') {
      diag.warn(
        properties.pathOf([...at, 'ApiId']),
        'names no REST API of this template; this stage is not emulated',
      );
      return;
    }
    apiIds.push(apiId);
    for (const key of Object.keys(properties.map([...at, 'Throttle']) ?? {})) {
      const throttle = readThrottle(properties, [...at, 'Throttle', key], '', diag);
      const method = methodOfThrottleKey(key);
      if (throttle === undefined) continue;
      if (method === undefined) {
        diag.warn(properties.pathOf([...at, 'Throttle', key]), 'expected a key like /path/GET; ignored');
        continue;
      }
      methodThrottles.set(`${apiId} ${method}`, throttle);
    }
  });
  return {
    logicalId,
    apiIds,
    keyIds: [],
    throttle: readThrottle(properties, ['Throttle'], '', diag),
    methodThrottles,
    quota: readQuota(properties, ['Quota'], diag),
  };
}

/** A usage plan's per-method key `/items/{id}/GET` (or `/~1items/GET`) as `GET /items/{id}`. */
function methodOfThrottleKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  if (slash <= 0) return undefined;
  return `${key.slice(slash + 1).toUpperCase()} ${resourcePathOf(key.slice(0, slash))}`;
}

/**
 * `Quota`: `Limit` requests per `Period` (DAY, WEEK or MONTH), the period starting `Offset` days in.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-usageplan-quotasettings.html
 */
function readQuota(properties: PropertyReader, at: Path, diag: Diagnostics): QuotaModel | undefined {
  if (properties.map(at) === undefined) return undefined;
  const limit = properties.value([...at, 'Limit']);
  if (limit === undefined) return undefined;
  const period = properties.value([...at, 'Period']);
  const offset = properties.value([...at, 'Offset']);
  const periodValue =
    period === undefined
      ? 'DAY'
      : expectOneOf(period, ['DAY', 'WEEK', 'MONTH'] as const, properties.pathOf([...at, 'Period']), diag);
  return {
    limit: expectInteger(limit, properties.pathOf([...at, 'Limit']), diag, { min: 0 }),
    period: periodValue,
    offset:
      offset === undefined
        ? 0
        : expectInteger(offset, properties.pathOf([...at, 'Offset']), diag, {
            min: 0,
            max: periodValue === 'WEEK' ? 6 : periodValue === 'MONTH' ? 27 : 0,
          }),
  };
}

const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_VALUE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A stable stand-in for the 10-character id API Gateway gives a key (`requestContext.identity.apiKeyId`). */
function keyId(logicalId: string): string {
  const digest = createHash('sha256').update(`api-key-id:${logicalId}`).digest();
  return [...digest.subarray(0, 10)].map((byte) => KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length]).join('');
}

/**
 * The 40 letters and digits of a key API Gateway would generate. Derived from the stack and logical id rather
 * than random, so a key stays the same across restarts and reloads and scripts that send it keep working; it
 * guards nothing but a local emulator, so being predictable is no loss.
 */
function generatedValue(stackName: string, logicalId: string): string {
  const digest = createHash('sha256').update(`api-key:${stackName}/${logicalId}`).digest();
  return [...digest, ...digest.subarray(0, 8)]
    .slice(0, 40)
    .map((byte) => KEY_VALUE_ALPHABET[byte % KEY_VALUE_ALPHABET.length])
    .join('');
}

/**
 * A warning for each REST API with methods that require a key no usage plan of the template opens to it: in AWS
 * those methods answer 403 to every request, as they do here.
 */
export function warnKeyedApisWithoutPlan(
  routes: readonly RouteModel[],
  usagePlans: UsagePlansModel | undefined,
  diag: Diagnostics,
): void {
  const keyed = new Set(routes.filter((route) => route.auth?.apiKeyRequired).map((route) => route.apiId));
  for (const apiId of keyed) {
    const opened = usagePlans?.plans.some((plan) => plan.apiIds.includes(apiId) && plan.keyIds.length > 0);
    if (opened) continue;
    diag.warn(
      ['Resources', apiId],
      'has methods with ApiKeyRequired but no usage plan with a key includes it: they answer 403 Forbidden to every request (add Auth.UsagePlan, or an AWS::ApiGateway::UsagePlan and UsagePlanKey)',
    );
  }
}

/** A nested stack's keys and plans with every logical id written as a full path under `stackId`. */
export function usagePlansUnder(plans: UsagePlansModel, stackId: string): UsagePlansModel {
  const id = (logicalId: string) => `${stackId}/${logicalId}`;
  return {
    keys: plans.keys.map((key) => ({ ...key, logicalId: id(key.logicalId) })),
    plans: plans.plans.map((plan) => ({
      ...plan,
      logicalId: id(plan.logicalId),
      apiIds: plan.apiIds.map(id),
      keyIds: plan.keyIds.map(id),
      methodThrottles: new Map([...plan.methodThrottles].map(([key, throttle]) => [id(key), throttle])),
    })),
  };
}

/** Keys and plans of several stacks as one; `undefined` when none has a key. */
export function mergeUsagePlans(all: readonly (UsagePlansModel | undefined)[]): UsagePlansModel | undefined {
  const present = all.filter((plans) => plans !== undefined);
  if (present.length === 0) return undefined;
  return { keys: present.flatMap((plans) => plans.keys), plans: present.flatMap((plans) => plans.plans) };
}
