import { readBinaryMediaTypes, readStringMap } from './apis.ts';
import { readHttpCors } from './cors.ts';
import type { Diagnostics } from './errors.ts';
import { mergeGlobals } from './globals.ts';
import type { Resolver } from './intrinsics.ts';
import type { ApiKind, ApiModel, RouteModel, StageThrottleModel } from './model.ts';
import {
  type ApiDefinition,
  CLOUDFORMATION_DEFINITION_KEYS,
  type DefinitionContext,
  functionOfUri,
  readDefinition,
} from './openapi.ts';
import { apiPhysicalId } from './physical-ids.ts';
import { PropertyReader } from './properties.ts';
import type { ResourceEntry } from './resources.ts';
import { readStageThrottle } from './throttling.ts';
import { expectString, isRecord, type Path } from './values.ts';

export const CLOUDFORMATION_REST_API = 'AWS::ApiGateway::RestApi';
export const CLOUDFORMATION_HTTP_API = 'AWS::ApiGatewayV2::Api';

/** A plain CloudFormation API the gateway serves: its model, its OpenAPI `Body`, and a quick-create route. */
export interface CloudFormationApi {
  readonly api: ApiModel;
  readonly definition: ApiDefinition | undefined;
  readonly routes: readonly RouteModel[];
}

const HTTP_INTEGRATION_TIMEOUT_MS = 30_000;

/**
 * An `AWS::ApiGateway::RestApi` or `AWS::ApiGatewayV2::Api` with an OpenAPI `Body` (inline or `AWS::Include`),
 * or an HTTP API made by quick create (`Target`: one `$default` route, payload 2.0), as `sam local start-api`
 * serves them. The stage is the one an `AWS::ApiGateway::Stage` (or a `Deployment`'s `StageName`) or an
 * `AWS::ApiGatewayV2::Stage` names for it. APIs built from `Resource`/`Method` or `Route`/`Integration`
 * resources are not read: `undefined`, with a warning.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-restapi.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-api.html
 */
export function readCloudFormationApi(
  entry: ResourceEntry,
  resources: ReadonlyMap<string, ResourceEntry>,
  context: Omit<DefinitionContext, 'kind' | 'stageVariables'>,
): CloudFormationApi | undefined {
  const { diag, resolver } = context;
  const path: Path = ['Resources', entry.logicalId, 'Properties'];
  const properties = new PropertyReader(mergeGlobals(undefined, [], entry.properties, path), resolver, diag);
  const kind: ApiKind = entry.type === CLOUDFORMATION_REST_API ? 'rest' : 'http';
  const protocol = kind === 'http' ? properties.value(['ProtocolType']) : undefined;
  if (protocol !== undefined && protocol !== 'HTTP') {
    diag.warn(properties.pathOf(['ProtocolType']), `${String(protocol)} APIs are not emulated; API ignored`);
    return undefined;
  }
  const target = kind === 'http' ? properties.value(['Target']) : undefined;
  if (
    properties.raw(['Body']) === undefined &&
    properties.raw(['BodyS3Location']) === undefined &&
    target === undefined
  ) {
    diag.warn(
      ['Resources', entry.logicalId],
      `only an ${entry.type} with an OpenAPI Body${kind === 'http' ? ' or a quick-create Target' : ''} is served; routes made of ${kind === 'rest' ? 'Resource and Method' : 'Route and Integration'} resources are not read`,
    );
    return undefined;
  }
  const stage = stageOf(entry, kind, resources, resolver, diag);
  const api: ApiModel = {
    logicalId: entry.logicalId,
    kind,
    physicalId: apiPhysicalId(entry.logicalId),
    stageName: stage.name,
    stageVariables: stage.variables,
    binaryMediaTypes: kind === 'rest' ? readBinaryMediaTypes(properties, diag) : [],
    cors: kind === 'http' ? readHttpCors(properties, diag) : undefined,
    ...(stage.throttle === undefined ? {} : { throttle: stage.throttle }),
  };
  const definition = readDefinition(
    properties,
    { ...context, kind, stageVariables: stage.variables },
    CLOUDFORMATION_DEFINITION_KEYS,
  );
  const routes: RouteModel[] = [];
  if (target !== undefined) {
    const uri = expectString(target, properties.pathOf(['Target']), diag);
    const functionId = functionOfUri(uri, context.functionsByName);
    if (functionId === undefined) {
      diag.warn(
        properties.pathOf(['Target']),
        `${uri} names no function of this template; no route is served`,
      );
    } else {
      const routeKey = properties.value(['RouteKey']);
      const key =
        routeKey === undefined ? '$default' : expectString(routeKey, properties.pathOf(['RouteKey']), diag);
      const [method, routePath] = key === '$default' ? ['ANY', '$default'] : key.split(' ', 2);
      routes.push({
        apiId: entry.logicalId,
        kind,
        method: (method ?? 'ANY').toUpperCase(),
        path: routePath ?? '$default',
        functionId,
        eventId: 'Target',
        payloadVersion: '2.0',
        integrationTimeoutMs: HTTP_INTEGRATION_TIMEOUT_MS,
      });
    }
  }
  return { api, definition, routes };
}

/** The stage a plain API is deployed to: REST `Prod` and HTTP `$default` when no stage resource names one. */
function stageOf(
  api: ResourceEntry,
  kind: ApiKind,
  resources: ReadonlyMap<string, ResourceEntry>,
  resolver: Resolver,
  diag: Diagnostics,
): { name: string; variables: Record<string, string> | undefined; throttle?: StageThrottleModel } {
  const stageType = kind === 'rest' ? 'AWS::ApiGateway::Stage' : 'AWS::ApiGatewayV2::Stage';
  const apiKey = kind === 'rest' ? 'RestApiId' : 'ApiId';
  for (const entry of resources.values()) {
    const isStage = entry.type === stageType;
    const isDeployment = kind === 'rest' && entry.type === 'AWS::ApiGateway::Deployment';
    const target = entry.properties[apiKey];
    if (!(isStage || isDeployment) || !isRecord(target) || target.Ref !== api.logicalId) continue;
    const path: Path = ['Resources', entry.logicalId, 'Properties'];
    const stage = new PropertyReader(mergeGlobals(undefined, [], entry.properties, path), resolver, diag);
    const name = stage.value(['StageName']);
    if (name === undefined) continue;
    // A stage's throttles (MethodSettings, DefaultRouteSettings/RouteSettings) are those of SAM's APIs.
    const throttle = isStage ? readStageThrottle(stage, kind, diag) : undefined;
    return {
      name: expectString(name, stage.pathOf(['StageName']), diag),
      variables: isStage
        ? readStringMap(stage, kind === 'rest' ? 'Variables' : 'StageVariables', diag)
        : undefined,
      ...(throttle === undefined ? {} : { throttle }),
    };
  }
  return { name: kind === 'rest' ? 'Prod' : '$default', variables: undefined };
}
