import { readApiAuth } from './auth.ts';
import { readHttpCors, readRestCors } from './cors.ts';
import type { Diagnostics } from './errors.ts';
import type { ApiAuthModel, ApiModel, StageThrottleModel } from './model.ts';
import { apiPhysicalId } from './physical-ids.ts';
import type { PropertyReader } from './properties.ts';
import { type ResourceEntry, SERVERLESS_API } from './resources.ts';
import { readStageThrottle } from './throttling.ts';
import { expectNonEmptyString, expectOneOf, expectScalarText, expectString } from './values.ts';

/**
 * An `AWS::Serverless::Api` (stage from the required `StageName`, `Prod` for the implicit `ServerlessRestApi`)
 * or `AWS::Serverless::HttpApi` (stage `$default` unless `StageName`), Globals merged. Its OpenAPI definition is
 * read by `readDefinition` (openapi.ts).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html
 */
export function buildApi(entry: ResourceEntry, properties: PropertyReader, diag: Diagnostics): ApiModel {
  const implicit = entry.implicitFor !== undefined;

  if (entry.type === SERVERLESS_API) {
    let stageName = 'Prod';
    if (!implicit) {
      const stage = properties.value(['StageName']);
      if (stage === undefined)
        diag.fail(properties.pathOf([]), 'StageName is required for an AWS::Serverless::Api');
      stageName = expectNonEmptyString(stage, properties.pathOf(['StageName']), diag);
    }
    return {
      logicalId: entry.logicalId,
      kind: 'rest',
      physicalId: apiPhysicalId(entry.logicalId),
      stageName,
      stageVariables: readStringMap(properties, 'Variables', diag),
      binaryMediaTypes: readBinaryMediaTypes(properties, diag),
      cors: readRestCors(properties, diag),
      ...withAuth(readApiAuth(properties, 'rest', diag)),
      ...withThrottle(readStageThrottle(properties, 'rest', diag)),
      ...withApiKeySource(properties, diag),
    };
  }

  const stage = properties.value(['StageName']);
  return {
    logicalId: entry.logicalId,
    kind: 'http',
    physicalId: apiPhysicalId(entry.logicalId),
    stageName:
      stage === undefined ? '$default' : expectNonEmptyString(stage, properties.pathOf(['StageName']), diag),
    stageVariables: readStringMap(properties, 'StageVariables', diag),
    binaryMediaTypes: [],
    cors: readHttpCors(properties, diag),
    ...withAuth(readApiAuth(properties, 'http', diag)),
    ...withThrottle(readStageThrottle(properties, 'http', diag)),
  };
}

function withAuth(auth: ApiAuthModel | undefined): { auth?: ApiAuthModel } {
  return auth === undefined ? {} : { auth };
}

function withThrottle(throttle: StageThrottleModel | undefined): { throttle?: StageThrottleModel } {
  return throttle === undefined ? {} : { throttle };
}

/**
 * `ApiKeySourceType`: `HEADER` (`x-api-key`, the default) or `AUTHORIZER` (the Lambda authorizer's
 * `usageIdentifierKey`).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
 */
function withApiKeySource(
  properties: PropertyReader,
  diag: Diagnostics,
): { apiKeySource?: 'HEADER' | 'AUTHORIZER' } {
  const value = properties.value(['ApiKeySourceType']);
  if (value === undefined) return {};
  const path = properties.pathOf(['ApiKeySourceType']);
  return { apiKeySource: expectOneOf(value, ['HEADER', 'AUTHORIZER'] as const, path, diag) };
}

/** A map of strings (stage variables), numbers and booleans as their text. */
export function readStringMap(
  properties: PropertyReader,
  key: string,
  diag: Diagnostics,
): Record<string, string> | undefined {
  const map = properties.map([key]);
  if (map === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const name of Object.keys(map)) {
    const value = properties.value([key, name]);
    if (value !== undefined) result[name] = expectScalarText(value, properties.pathOf([key, name]), diag);
  }
  return result;
}

/**
 * SAM and CloudFormation's `AWS::ApiGateway::RestApi` let `~1` stand for `/` in media types (`image~1png`), as in
 * JSON Pointer.
 */
export function readBinaryMediaTypes(properties: PropertyReader, diag: Diagnostics): string[] {
  return (properties.list(['BinaryMediaTypes']) ?? []).flatMap((_item, index) => {
    const value = properties.value(['BinaryMediaTypes', index]);
    if (value === undefined) return [];
    return [expectString(value, properties.pathOf(['BinaryMediaTypes', index]), diag).replaceAll('~1', '/')];
  });
}
