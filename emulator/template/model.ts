/**
 * The application as the emulator runs it: what `template.yaml` says once parameters, intrinsics and
 * Globals are resolved and SAM's implicit APIs are made explicit. Plain data, built once per template load.
 */

export interface AppModel {
  /** Absolute path of the template file; CodeUri and EntryPoints are relative to its folder. */
  readonly templatePath: string;
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** Keyed by logical id, in template order. */
  readonly functions: ReadonlyMap<string, FunctionModel>;
  /** Keyed by logical id (`ServerlessRestApi`, `ServerlessHttpApi` or an explicit API's id). */
  readonly apis: ReadonlyMap<string, ApiModel>;
  readonly routes: readonly RouteModel[];
  readonly schedules: readonly ScheduleModel[];
  /** Events from services that cannot reach the emulator (SQS, S3, …), in template order: run by hand. */
  readonly eventSources: readonly EventSourceModel[];
  /** One line per unsupported feature met, each said once. */
  readonly warnings: readonly string[];
  /**
   * `Outputs` values that resolve locally to text (a function URL's local address, an ARN…), by output name;
   * outputs whose Condition is false, or that name what only a deployment knows, are left out.
   */
  readonly outputs?: ReadonlyMap<string, string>;
  /** Absolute paths of the OpenAPI files the template reads (`AWS::Include`, `DefinitionUri`), watched with it. */
  readonly definitionFiles?: readonly string[];
  /**
   * Absolute paths of the nested stacks' templates loaded into this model (children, grandchildren…), watched
   * with it. Their functions, APIs and events are in this model under full-path ids (`Child/Function`).
   */
  readonly nestedTemplates?: readonly string[];
  /** The local layers of this template and of its nested stacks, by version ARN. */
  readonly layers?: ReadonlyMap<string, LayerModel>;
  /**
   * One line per distinct runtime whose Node major differs from the emulator's own Node: what differs, and that
   * AWS runs the declared one. For the start screen.
   */
  readonly notices: readonly string[];
  /** Resources that exist only in AWS (tables, queues, roles…), grouped by type: nothing local stands for them. */
  readonly ignoredResources: readonly ResourceGroup[];
  /** API keys and the usage plans that let them in, SAM's generated ones included; absent: there are none. */
  readonly usagePlans?: UsagePlansModel;
}

export interface ResourceGroup {
  readonly type: string;
  /** In template order. */
  readonly logicalIds: readonly string[];
}

export interface FunctionModel {
  readonly logicalId: string;
  /** The `FunctionName` property, or the logical id when the template sets none. */
  readonly functionName: string;
  /** Absolute path of the CodeUri folder (the template's folder when the template sets none). */
  readonly codeUri: string;
  /** `InlineCode`: the source of `index.js`, which the emulator writes to a folder of its own. */
  readonly inlineCode: string | undefined;
  /** `file.export`, e.g. `handler.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly architectures: readonly string[];
  /** Seconds; SAM's default is 3. */
  readonly timeout: number;
  /** MB; SAM's default is 128. */
  readonly memorySize: number;
  /** Template `Environment.Variables`, resolved to strings (Globals merged in). */
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency: number | undefined;
  readonly logFormat: 'Text' | 'JSON';
  readonly applicationLogLevel: string | undefined;
  readonly systemLogLevel: string | undefined;
  /** `undefined` when the function has no `Metadata.BuildMethod: esbuild` (its CodeUri is run as is). */
  readonly build: EsbuildProperties | undefined;
  /** From `EventInvokeConfig`; Lambda's defaults apply when absent. */
  readonly maximumRetryAttempts: number | undefined;
  readonly maximumEventAgeInSeconds: number | undefined;
  /** Where Lambda sends the records of asynchronous invocations. */
  readonly destinations?: AsyncDestinations;
  /** The template's layers the function uses (Globals first), in the order Lambda extracts them into /opt. */
  readonly layers: readonly LayerModel[];
  /** `FunctionUrlConfig`; `undefined` when the function has no function URL. */
  readonly functionUrl?: FunctionUrlModel | undefined;
}

/** `EventInvokeConfig.DestinationConfig` and the dead-letter queue of a function. */
export interface AsyncDestinations {
  readonly onSuccess?: AsyncDestination;
  readonly onFailure?: AsyncDestination;
  readonly deadLetterQueue?: AsyncDestination;
}

/** The destinations of a function, in the order the start screen names them. */
export const DESTINATION_KINDS = ['onSuccess', 'onFailure', 'deadLetterQueue'] as const;

/** What each destination is called in the log and on the start screen. */
export const DESTINATION_ROLES: Readonly<Record<(typeof DESTINATION_KINDS)[number], string>> = {
  onSuccess: 'on-success destination',
  onFailure: 'on-failure destination',
  deadLetterQueue: 'dead-letter queue',
};

/**
 * One destination: a resource of the template (`resourceId`), an ARN, or a queue or topic SAM generates.
 * `type` is SAM's: `SQS`, `SNS`, `S3`, `Lambda` or `EventBridge`.
 */
export interface AsyncDestination {
  readonly type: string;
  readonly resourceId?: string;
  readonly arn?: string;
  readonly generated?: true;
}

/**
 * A function URL (`FunctionUrlConfig`, from which SAM generates `<LogicalId>Url` and
 * `<LogicalId>UrlPublicPermissions`).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-functionurlconfig.html
 */
export interface FunctionUrlModel {
  readonly authType: 'NONE' | 'AWS_IAM';
  readonly invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  /** Same rules as an HTTP API's `CorsConfiguration`, so the gateway's CORS functions apply to it. */
  readonly cors: HttpCors | undefined;
  /** The 32-character `<url-id>` of `https://<url-id>.lambda-url.<region>.on.aws`, stable per logical id. */
  readonly urlId: string;
  /**
   * `http://127.0.0.1:PORT/` (with the trailing slash of Lambda's `FunctionUrl`) when the template was loaded
   * with the port its server listens on; `undefined` otherwise.
   */
  readonly url: string | undefined;
}

/** An `AWS::Serverless::LayerVersion` (or `AWS::Lambda::LayerVersion`) whose content is a local folder. */
export interface LayerModel {
  readonly logicalId: string;
  /** `arn:aws:lambda:<region>:<account>:layer:<LayerName>:1`, what `!Ref` to the layer resolves to. */
  readonly arn: string;
  /**
   * Absolute folder that stands for the layer's `/opt/nodejs`: `<ContentUri>/nodejs`, or ContentUri itself when
   * `Metadata.BuildMethod` is a Node.js runtime (`sam build` installs ContentUri's package.json and places the
   * result under `nodejs/`).
   */
  readonly nodejsDir: string;
  /** Absolute ContentUri folder: what Lambda extracts to `/opt` (when the layer is not built). */
  readonly contentDir: string;
  /** `Metadata.BuildMethod`, lower-cased (`nodejs22.x`, `makefile`); `undefined` when the layer is not built. */
  readonly buildMethod: string | undefined;
  /** `CompatibleRuntimes`; advice only, Lambda attaches the layer to any runtime. */
  readonly compatibleRuntimes: readonly string[] | undefined;
}

/** `Metadata.BuildProperties` for esbuild, with SAM's defaults filled in (cjs, es2020, minify). */
export interface EsbuildProperties {
  readonly entryPoints: readonly string[];
  readonly format: 'cjs' | 'esm';
  readonly target: string;
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly sourcesContent: boolean | undefined;
  /** `{".js": ".mjs"}` from `OutExtension: [.js=.mjs]`. */
  readonly outExtension: Readonly<Record<string, string>>;
  readonly external: readonly string[];
  /** `{".png": "file"}` from `Loader: [.png=file]`. */
  readonly loader: Readonly<Record<string, string>>;
  readonly mainFields: readonly string[] | undefined;
  readonly banner: Readonly<Record<string, string>>;
}

export type ApiKind = 'rest' | 'http';

export interface ApiModel {
  readonly logicalId: string;
  readonly kind: ApiKind;
  /**
   * The 10-character id that `!Ref` to this API resolves to locally (e.g. in Outputs URLs); the gateway can
   * report it as `requestContext.apiId` so both agree.
   */
  readonly physicalId: string;
  /** `Prod` for the implicit REST API, `$default` for the implicit HTTP API. */
  readonly stageName: string;
  readonly stageVariables: Readonly<Record<string, string>> | undefined;
  /** REST only; HTTP APIs have none. */
  readonly binaryMediaTypes: readonly string[];
  readonly cors: RestCors | HttpCors | undefined;
  /** SAM `Auth` (Globals merged); `undefined` when the API has none: every route is open. */
  readonly auth?: ApiAuthModel;
  /** Stage throttling (REST `MethodSettings`, HTTP API `DefaultRouteSettings`/`RouteSettings`); absent: none. */
  readonly throttle?: StageThrottleModel;
  /** REST `ApiKeySourceType`: where a required API key is read from; absent means `HEADER` (`x-api-key`). */
  readonly apiKeySource?: 'HEADER' | 'AUTHORIZER';
}

/**
 * A token bucket's settings: `burstLimit` tokens, refilled at `rateLimit` per second. A setting left out falls back
 * to the level above (method, then stage, then the account's 10,000 requests per second and burst of 5,000).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export interface ThrottleModel {
  readonly rateLimit: number | undefined;
  readonly burstLimit: number | undefined;
}

/** The throttles of a stage: its default, and those of single methods (REST) or routes (HTTP API). */
export interface StageThrottleModel {
  /** REST `ResourcePath: /*` with `HttpMethod: *`; HTTP API `DefaultRouteSettings`. */
  readonly default: ThrottleModel | undefined;
  /**
   * By `METHOD /resource/path` (REST, `*` for every method of a path) or route key (HTTP API `GET /items/{id}`,
   * `$default`).
   */
  readonly routes: ReadonlyMap<string, ThrottleModel>;
}

/** API keys and usage plans (`AWS::ApiGateway::ApiKey`, `UsagePlan`, `UsagePlanKey` and SAM `Auth.UsagePlan`). */
export interface UsagePlansModel {
  readonly keys: readonly ApiKeyModel[];
  readonly plans: readonly UsagePlanModel[];
}

/**
 * An API key: its `Value`, or one the emulator made up (stable per stack and logical id) when the template sets
 * none, as API Gateway generates one.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-apikey.html
 */
export interface ApiKeyModel {
  readonly logicalId: string;
  /** What `requestContext.identity.apiKeyId` shows (API Gateway's 10-character key id). */
  readonly id: string;
  readonly value: string;
  readonly enabled: boolean;
  /** `true` when the template gave no `Value`: the start screen prints it, since nothing else tells it. */
  readonly generated: boolean;
}

/**
 * A usage plan: the APIs it opens to its keys, and the per-key throttle and quota it sets.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-usageplan.html
 */
export interface UsagePlanModel {
  readonly logicalId: string;
  /** Logical ids of the APIs of `ApiStages` (each API has one stage here). */
  readonly apiIds: readonly string[];
  /** Logical ids of its keys (`UsagePlanKey` resources, or SAM's generated key). */
  readonly keyIds: readonly string[];
  readonly throttle: ThrottleModel | undefined;
  /** `ApiStages[].Throttle`: by `<api logical id> METHOD /path`. */
  readonly methodThrottles: ReadonlyMap<string, ThrottleModel>;
  readonly quota: QuotaModel | undefined;
}

/** Requests a key may make per period, the period starting `offset` days (weeks: 0-6, months: 0-27) in, UTC. */
export interface QuotaModel {
  readonly limit: number;
  readonly period: 'DAY' | 'WEEK' | 'MONTH';
  readonly offset: number;
}

/**
 * SAM `Auth` of an `AWS::Serverless::Api` or `AWS::Serverless::HttpApi`: its authorizers by name and what
 * protects a route whose event says nothing.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-httpapiauth.html
 */
export interface ApiAuthModel {
  readonly authorizers: ReadonlyMap<string, AuthorizerModel>;
  /** An authorizer's name or `AWS_IAM`; `undefined`: routes are open unless their event names one. */
  readonly defaultAuthorizer: string | undefined;
  /** REST: every method needs an API key unless its event says `ApiKeyRequired: false`. */
  readonly apiKeyRequired: boolean;
  /** REST, default true: SAM puts the default authorizer on the OPTIONS method that CORS generates too. */
  readonly addDefaultAuthorizerToCorsPreflight: boolean;
  /** REST, default true: likewise for `ApiKeyRequired`. */
  readonly addApiKeyRequiredToCorsPreflight: boolean;
}

export type AuthorizerModel = LambdaAuthorizerModel | JwtAuthorizerModel | CognitoAuthorizerModel;

/** Where a Lambda authorizer's identity comes from: API Gateway answers 401 without calling it when one is absent. */
export interface IdentitySources {
  readonly headers: readonly string[];
  readonly queryStrings: readonly string[];
  readonly stageVariables: readonly string[];
  /** `$context` variables, e.g. `identity.sourceIp`. */
  readonly context: readonly string[];
}

/**
 * A Lambda authorizer: REST `TOKEN` or `REQUEST` (payload 1.0), or an HTTP API one (`REQUEST`, payload 1.0 or
 * 2.0, simple responses optional).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-lambdatokenauthorizer.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-lambdaauthorizer.html
 */
export interface LambdaAuthorizerModel {
  readonly kind: 'lambda';
  readonly name: string;
  /** The template function that `FunctionArn` refers to; `undefined` for a function outside the template. */
  readonly functionId: string | undefined;
  /** `FunctionArn` as written, for messages when it is not a template function. */
  readonly functionArn: string;
  readonly payloadType: 'TOKEN' | 'REQUEST';
  /** `AuthorizerPayloadFormatVersion` of an HTTP API authorizer; REST authorizers get 1.0 events. */
  readonly payloadVersion: '1.0' | '2.0';
  /** HTTP API `EnableSimpleResponses`: `{isAuthorized, context}` answers instead of IAM policies. */
  readonly simpleResponses: boolean;
  readonly identity: IdentitySources;
  /** TOKEN: `Identity.ValidationExpression`, a regular expression the whole token must match. */
  readonly validationExpression: string | undefined;
  /** `ReauthorizeEvery`: seconds a result is cached per identity; 0 turns caching off. */
  readonly ttlSeconds: number;
}

/**
 * An HTTP API JWT authorizer (SAM `OAuth2Authorizer`): tokens verified against the issuer's keys.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-oauth2authorizer.html
 */
export interface JwtAuthorizerModel {
  readonly kind: 'jwt';
  readonly name: string;
  readonly issuer: string;
  readonly audience: readonly string[];
  /** `IdentitySource`, default `$request.header.Authorization`. */
  readonly identitySource: string;
  /** The authorizer's `AuthorizationScopes`, for routes whose event gives none. */
  readonly authorizationScopes: readonly string[];
}

/**
 * A REST Cognito user pool authorizer: ID or access tokens of the pools in `UserPoolArn`.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-cognitoauthorizer.html
 */
export interface CognitoAuthorizerModel {
  readonly kind: 'cognito';
  readonly name: string;
  /** Each pool's ARN as resolved (a `!GetAtt Pool.Arn` gives the local ARN of that pool). */
  readonly userPoolArns: readonly string[];
  /** `Identity.Header`, default `Authorization`. */
  readonly header: string;
  readonly validationExpression: string | undefined;
  readonly authorizationScopes: readonly string[];
  readonly ttlSeconds: number;
}

/**
 * What protects one route, worked out from the API's `Auth` and the event's own `Auth` as SAM does: the event's
 * `Authorizer` (`NONE` opens it) over the API's `DefaultAuthorizer`, the event's `AuthorizationScopes` over the
 * authorizer's, the event's `ApiKeyRequired` over the API's.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-apifunctionauth.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapifunctionauth.html
 */
export interface RouteAuth {
  /** `undefined`: no authorizer (`NONE`, or none by default). */
  readonly authorizer: AuthorizerModel | { readonly kind: 'iam' } | undefined;
  readonly scopes: readonly string[];
  readonly apiKeyRequired: boolean;
}

/** SAM `Cors` of a REST API, with SAM's inner single quotes removed (`"'*'"` → `*`). */
export interface RestCors {
  readonly kind: 'rest';
  readonly allowOrigin: string;
  /** `undefined`: SAM generates the path's methods plus OPTIONS. */
  readonly allowMethods: string | undefined;
  readonly allowHeaders: string | undefined;
  readonly maxAge: string | undefined;
  readonly allowCredentials: boolean;
}

/** `CorsConfiguration` of an HTTP API. */
export interface HttpCors {
  readonly kind: 'http';
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number | undefined;
  readonly allowCredentials: boolean;
}

export interface RouteModel {
  /** Logical id of the API that owns the route. */
  readonly apiId: string;
  readonly kind: ApiKind;
  /** Upper-case method, or `ANY`. */
  readonly method: string;
  /** Resource template such as `/price`, `/items/{id}`, `/{proxy+}`; `$default` for an HTTP API's default route. */
  readonly path: string;
  /** The Lambda function the route invokes; `''` when `integration` is not a Lambda function. */
  readonly functionId: string;
  /**
   * Logical id of the function's event that made this route, or `DefinitionBody` / `DefinitionUri` for a route
   * written only in the API's OpenAPI definition.
   */
  readonly eventId: string;
  readonly payloadVersion: '1.0' | '2.0';
  /** Integration timeout in ms: REST 29000; HTTP API `TimeoutInMillis` or 30000. */
  readonly integrationTimeoutMs: number;
  /**
   * What answers the route, for routes read from an OpenAPI definition; absent: the Lambda function `functionId`
   * (every route made by a function event).
   */
  readonly integration?: RouteIntegration;
  /** Authorizer, scopes and API key; absent: the route is open. */
  readonly auth?: RouteAuth;
}

/** How API Gateway answers a route: `x-amazon-apigateway-integration` of an OpenAPI definition, as emulated. */
export type RouteIntegration =
  | { readonly kind: 'lambda'; readonly functionId: string }
  | MockIntegration
  | HttpProxyIntegration
  | { readonly kind: 'unsupported'; readonly reason: string };

/** A REST `type: mock` integration, its response worked out at load time from the templates' literals. */
export interface MockIntegration {
  readonly kind: 'mock';
  readonly statusCode: number;
  /** Static `method.response.header.*` values, quotes removed. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** An `http_proxy` integration: the request is forwarded to `uri` and the answer passed back. */
export interface HttpProxyIntegration {
  readonly kind: 'http';
  /** Absolute http(s) URL, possibly with `{name}` path variables. */
  readonly uri: string;
  /** The integration's `httpMethod`; `undefined` (or `ANY`) sends the request's own method. */
  readonly method: string | undefined;
  /** REST `requestParameters`: `integration.request.{path|querystring|header}.name` → a source. */
  readonly requestParameters: Readonly<Record<string, string>>;
}

/** The integration of a route, a function event's route included. */
export function integrationOf(route: RouteModel): RouteIntegration {
  return route.integration ?? { kind: 'lambda', functionId: route.functionId };
}

export interface ScheduleModel {
  readonly functionId: string;
  readonly eventId: string;
  readonly kind: 'Schedule' | 'ScheduleV2';
  /** `rate(5 minutes)`, `cron(0 12 ? * 2 *)` or `at(...)`. */
  readonly expression: string;
  /** IANA zone for ScheduleV2 `ScheduleExpressionTimezone`; UTC otherwise. */
  readonly timezone: string;
  readonly enabled: boolean;
  /** The `Input` JSON text, sent as the whole event when present. */
  readonly input: string | undefined;
  readonly name: string | undefined;
  readonly maximumRetryAttempts: number | undefined;
  /** ScheduleV2 `StartDate` and `EndDate` (ms since the epoch): recurring schedules fire only between them. */
  readonly startDate?: number;
  readonly endDate?: number;
  /** ScheduleV2 `FlexibleTimeWindow` in `FLEXIBLE` mode: each invocation comes up to this many minutes late. */
  readonly flexibleWindowMinutes?: number;
}

/**
 * A function's event from a service that cannot trigger it locally (`SQS`, `SNS`, `Kinesis`, `DynamoDB`, `S3`,
 * `EventBridgeRule`, `CloudWatchEvent`, `CloudWatchLogs`), or one only listed (`MSK`, `MQ`, `DocumentDB`,
 * `SelfManagedKafka`, `IoTRule`, `Cognito`, `AlexaSkill`): the user runs it with `generate-event | invoke`.
 */
export interface EventSourceModel {
  readonly functionId: string;
  readonly eventId: string;
  /** The SAM event `Type`. */
  readonly type: string;
  /** The source resource's logical id when the event refers to one of this template (`!GetAtt MyQueue.Arn`). */
  readonly sourceId: string | undefined;
  /** The source's ARN or name as written, when it is not a resource of this template. */
  readonly sourceArn: string | undefined;
  readonly batchSize: number | undefined;
  /**
   * The `generate-event` arguments (service, event, flags) that print an event like the one this source sends,
   * filled with what the template knows (queue name, bucket, key filter, pattern); `undefined` when there is none.
   */
  readonly generateEvent: readonly string[] | undefined;
  /** An EventBridge rule's `Input`: the JSON text sent instead of the event. */
  readonly input?: string;
}
