import type { Diagnostics } from './errors.ts';
import { type GeneratedResource, generatedResource } from './generated.ts';
import { isNestedStack, nestedStackName } from './nested.ts';
import { type ParameterValue, pseudoParameters, type StackIdentity } from './parameters.ts';
import { apiPhysicalId, functionArn, functionUrlId, layerVersionArn, roleArn } from './physical-ids.ts';
import {
  LAMBDA_LAYER_VERSION,
  type ResourceEntry,
  SERVERLESS_API,
  SERVERLESS_FUNCTION,
  SERVERLESS_HTTP_API,
  SERVERLESS_LAYER_VERSION,
} from './resources.ts';
import {
  describe,
  expectBoolean,
  expectInteger,
  expectList,
  expectRecord,
  expectString,
  intrinsicName,
  isRecord,
  type Path,
} from './values.ts';

const COGNITO_USER_POOL = 'AWS::Cognito::UserPool';

/** What `Ref: AWS::NoValue` resolves to: the enclosing key or list item is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface ResolverContext {
  readonly stack: StackIdentity & { readonly partition: string; readonly urlSuffix: string };
  readonly parameters: ReadonlyMap<string, ParameterValue>;
  readonly pseudoParameters: ReadonlyMap<string, ParameterValue>;
  readonly mappings: Readonly<Record<string, unknown>>;
  readonly conditions: Readonly<Record<string, unknown>>;
  readonly resources: ReadonlyMap<string, ResourceEntry>;
  readonly diag: Diagnostics;
  /**
   * Functions that have a `FunctionUrlConfig` (Globals included), by logical id, with the local URL each is
   * served on when known: SAM generates `<Id>Url` and `<Id>UrlPublicPermissions` for them.
   */
  readonly functionUrls?: ReadonlyMap<string, string | undefined>;
  /**
   * The resolved Outputs of a nested stack of this template, by its logical id; `undefined` when the stack is
   * not loaded locally (its template is remote, or the stack is not created).
   */
  readonly nestedOutputs?: (logicalId: string) => ReadonlyMap<string, string> | undefined;
}

/** Event types for which SAM makes an EventBridge rule named `<Function><Event>`. */
const RULE_EVENTS = new Set(['Schedule', 'EventBridgeRule', 'CloudWatchEvent']);

const FUNCTION_TYPES = new Set([SERVERLESS_FUNCTION, 'AWS::Lambda::Function']);
const LAYER_TYPES = new Set([SERVERLESS_LAYER_VERSION, LAMBDA_LAYER_VERSION]);
const API_TYPES = new Set([
  SERVERLESS_API,
  SERVERLESS_HTTP_API,
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGatewayV2::Api',
]);

/**
 * Evaluates CloudFormation intrinsic functions and conditions against a local stack. Values that only a real
 * deployment knows (`Fn::ImportValue`, most `Fn::GetAtt` attributes) resolve to '' with a warning.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 */
export class Resolver {
  readonly #conditionValues = new Map<string, boolean>();
  readonly #conditionsInProgress = new Set<string>();
  readonly #namesInProgress = new Set<string>();
  #conditionDepth = 0;

  constructor(private readonly ctx: ResolverContext) {}

  /** The same stack, reporting through `diag`: for values written in another file (an `AWS::Include`d document). */
  withDiagnostics(diag: Diagnostics): Resolver {
    return new Resolver({ ...this.ctx, diag });
  }

  /** Resolves every intrinsic inside `value`; keys and items that resolve to `AWS::NoValue` are dropped. */
  resolve(value: unknown, path: Path): unknown {
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      value.forEach((item, index) => {
        const resolved = this.resolve(item, [...path, index]);
        if (resolved !== NO_VALUE) items.push(resolved);
      });
      return items;
    }
    if (!isRecord(value)) return value;
    const name = intrinsicName(value);
    if (name !== undefined && name !== 'Condition') return this.#call(name, value[name], [...path, name]);
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolve(item, [...path, key]);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  /** Resolves one property; `undefined` when it is absent or resolves to `AWS::NoValue`. */
  property(container: Readonly<Record<string, unknown>>, key: string, path: Path): unknown {
    if (!Object.hasOwn(container, key)) return undefined;
    const resolved = this.resolve(container[key], path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /**
   * Resolves `value` only when it is itself an intrinsic function, leaving a plain map's or list's items to be
   * resolved one by one (so each is reported where it was written). `undefined` for `AWS::NoValue`.
   */
  shallow(value: unknown, path: Path): unknown {
    const name = intrinsicName(value);
    if (name === undefined || name === 'Condition') return value;
    const resolved = this.resolve(value, path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** The value of a named condition from the `Conditions` section. */
  condition(name: string, path: Path): boolean {
    const known = this.#conditionValues.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.ctx.conditions, name)) {
      return this.ctx.diag.fail(
        path,
        `refers to condition ${name}, which the Conditions section does not declare`,
      );
    }
    if (this.#conditionsInProgress.has(name)) {
      return this.ctx.diag.fail(['Conditions', name], `condition ${name} depends on itself`);
    }
    this.#conditionsInProgress.add(name);
    this.#conditionDepth += 1;
    try {
      const value = this.#conditionExpression(this.ctx.conditions[name], ['Conditions', name]);
      this.#conditionValues.set(name, value);
      return value;
    } finally {
      this.#conditionDepth -= 1;
      this.#conditionsInProgress.delete(name);
    }
  }

  /** Whether a resource exists in this stack: its `Condition` holds (an implicit API: one of its functions exists). */
  isCreated(entry: ResourceEntry): boolean {
    if (entry.implicitFor !== undefined) {
      return entry.implicitFor.some((functionId) => {
        const user = this.ctx.resources.get(functionId);
        return user !== undefined && this.isCreated(user);
      });
    }
    return (
      entry.condition === undefined ||
      this.condition(entry.condition, ['Resources', entry.logicalId, 'Condition'])
    );
  }

  /** The deployed name of a function: its `FunctionName`, else its logical id (as `sam local` names it). */
  functionName(entry: ResourceEntry): string {
    if (entry.properties.FunctionName === undefined) return entry.logicalId;
    const path: Path = ['Resources', entry.logicalId, 'Properties', 'FunctionName'];
    if (this.#namesInProgress.has(entry.logicalId))
      this.ctx.diag.fail(path, 'the function name depends on itself');
    this.#namesInProgress.add(entry.logicalId);
    try {
      const name = this.property(entry.properties, 'FunctionName', path);
      return name === undefined ? entry.logicalId : expectString(name, path, this.ctx.diag);
    } finally {
      this.#namesInProgress.delete(entry.logicalId);
    }
  }

  /**
   * A layer's version ARN, what `!Ref` to a LayerVersion returns: its `LayerName` (SAM's default: the logical
   * id) at version 1, the first version a new stack publishes.
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-layerversion.html
   */
  layerVersionArn(entry: ResourceEntry): string {
    const path: Path = ['Resources', entry.logicalId, 'Properties', 'LayerName'];
    const name = this.property(entry.properties, 'LayerName', path);
    const { partition, region, accountId } = this.ctx.stack;
    const layerName = name === undefined ? entry.logicalId : expectString(name, path, this.ctx.diag);
    return layerVersionArn(partition, region, accountId, layerName);
  }

  #call(name: string, argument: unknown, path: Path): unknown {
    switch (name) {
      case 'Ref':
        return this.#ref(expectString(argument, path, this.ctx.diag), path);
      case 'Fn::Sub':
        return this.#sub(argument, path);
      case 'Fn::GetAtt':
        return this.#getAtt(argument, path);
      case 'Fn::If':
        return this.#if(argument, path);
      case 'Fn::Join':
        return this.#join(argument, path);
      case 'Fn::Select':
        return this.#select(argument, path);
      case 'Fn::Split':
        return this.#split(argument, path);
      case 'Fn::FindInMap':
        return this.#findInMap(argument, path);
      case 'Fn::Base64':
        return Buffer.from(this.#text(this.resolve(argument, path), path), 'utf8').toString('base64');
      case 'Fn::GetAZs': {
        const region = this.#text(this.resolve(argument, path), path) || this.ctx.stack.region;
        return [`${region}a`, `${region}b`, `${region}c`];
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(argument, path));
      case 'Fn::Length':
        return expectList(this.resolve(argument, path), path, this.ctx.diag).length;
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.#conditionExpression({ [name]: argument }, path.slice(0, -1));
      case 'Fn::ImportValue':
      case 'Fn::Cidr':
      case 'Fn::Transform':
        this.ctx.diag.warn(path, `${name} cannot be resolved locally; using ''`);
        return '';
      default:
        return this.ctx.diag.fail(path, `${name} is not a CloudFormation intrinsic function`);
    }
  }

  #ref(name: string, path: Path): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo = this.ctx.pseudoParameters.get(name);
    if (pseudo !== undefined) return pseudo;
    if (name.startsWith('AWS::'))
      return this.ctx.diag.fail(path, `${name} is not a CloudFormation pseudo parameter`);
    const parameter = this.ctx.parameters.get(name);
    if (parameter !== undefined) return parameter;
    const entry = this.#resource(name, path);
    if (entry !== undefined) return this.#physicalId(entry);

    const urlOwner = this.#functionUrlOwner(name, path);
    // CloudFormation's Ref of an AWS::Lambda::Url is the function's ARN; of an AWS::Lambda::Permission, its id.
    if (urlOwner !== undefined && name.endsWith('Url')) return this.#functionArn(urlOwner);
    if (urlOwner !== undefined) return name;

    const dot = name.indexOf('.');
    const owner = dot === -1 ? undefined : this.#resource(name.slice(0, dot), path);
    if (owner !== undefined) return this.#samReference(owner, name.slice(dot + 1), path);
    const generated = this.#generated(name);
    if (generated !== undefined) return this.#generatedRef(generated, name, path);
    return this.ctx.diag.fail(path, `Ref ${name}: no parameter, pseudo parameter or resource has this name`);
  }

  /** What `Ref` returns for a resource SAM generates, as CloudFormation documents each type's `Ref`. */
  #generatedRef(generated: GeneratedResource, name: string, path: Path): string {
    const { owner } = generated;
    switch (generated.kind) {
      case 'role':
        return this.#roleName(owner);
      case 'stage':
        return generated.stageName;
      case 'deployment':
        return apiPhysicalId(name).slice(0, 6);
      case 'alias':
        return `${this.#functionArn(owner)}:${generated.alias}`;
      case 'version':
        return `${this.#functionArn(owner)}:1`;
      case 'url':
        return this.#functionArn(owner);
      case 'event':
        if (RULE_EVENTS.has(generated.eventType)) return this.#ruleName(name);
        break;
      default:
        break;
    }
    this.ctx.diag.warn(path, `Ref ${name} names a resource SAM generates; using its logical id`);
    return name;
  }

  #generated(name: string): GeneratedResource | undefined {
    return generatedResource(name, this.ctx.resources, {
      stageName: (owner) => this.#stageName(owner),
      autoPublishAlias: (owner) => {
        const path: Path = ['Resources', owner.logicalId, 'Properties', 'AutoPublishAlias'];
        const alias = this.property(owner.properties, 'AutoPublishAlias', path);
        return alias === undefined ? undefined : expectString(alias, path, this.ctx.diag);
      },
    });
  }

  /** The stage SAM deploys an API to: `Prod` for the implicit REST API, `$default` for an HTTP API without one. */
  #stageName(api: ResourceEntry): string {
    const path: Path = ['Resources', api.logicalId, 'Properties', 'StageName'];
    const stage = this.property(api.properties, 'StageName', path);
    if (stage !== undefined) return expectString(stage, path, this.ctx.diag);
    return api.type === SERVERLESS_HTTP_API ? '$default' : 'Prod';
  }

  #functionArn(entry: ResourceEntry): string {
    const { partition, region, accountId } = this.ctx.stack;
    return functionArn(partition, region, accountId, this.functionName(entry));
  }

  /** CloudFormation names a rule it creates `<stack>-<logical id>-<random suffix>`. */
  #ruleName(logicalId: string): string {
    return `${this.ctx.stack.stackName}-${logicalId}-${apiPhysicalId(logicalId).toUpperCase()}`;
  }

  /** SAM's `!Ref MyApi.Stage`, `!Ref MyFunction.Alias` references to generated resources. */
  #samReference(owner: ResourceEntry, attribute: string, path: Path): unknown {
    const propertyPath: Path = ['Resources', owner.logicalId, 'Properties'];
    if (owner.type === SERVERLESS_API && attribute === 'Stage') return this.#stageName(owner);
    if (owner.type === SERVERLESS_FUNCTION && attribute === 'Alias') {
      const alias = this.property(owner.properties, 'AutoPublishAlias', [
        ...propertyPath,
        'AutoPublishAlias',
      ]);
      if (alias !== undefined) return alias;
    }
    this.ctx.diag.warn(path, `Ref ${owner.logicalId}.${attribute} cannot be resolved locally; using ''`);
    return '';
  }

  #resource(logicalId: string, path: Path): ResourceEntry | undefined {
    const entry = this.ctx.resources.get(logicalId);
    if (entry === undefined) return undefined;
    if (this.#conditionDepth > 0) {
      this.ctx.diag.fail(
        path,
        `conditions can refer only to parameters and pseudo parameters, not to ${logicalId}`,
      );
    }
    if (!this.isCreated(entry)) {
      const reason =
        entry.condition === undefined
          ? 'none of the functions that create it exist'
          : `its Condition ${entry.condition} is false`;
      this.ctx.diag.fail(path, `refers to ${logicalId}, which this stack does not create: ${reason}`);
    }
    return entry;
  }

  /**
   * The function whose FunctionUrlConfig makes SAM generate `name` (`<Id>Url` or `<Id>UrlPublicPermissions`).
   * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-function.html#sam-specification-generated-resources-function-functionurl
   */
  #functionUrlOwner(name: string, path: Path): ResourceEntry | undefined {
    const suffix = name.endsWith('UrlPublicPermissions') ? 'UrlPublicPermissions' : 'Url';
    if (!name.endsWith(suffix)) return undefined;
    const logicalId = name.slice(0, -suffix.length);
    const entry = this.ctx.resources.get(logicalId);
    if (entry?.type !== SERVERLESS_FUNCTION) return undefined;
    if (!this.ctx.functionUrls?.has(logicalId)) {
      return this.ctx.diag.fail(
        path,
        `refers to ${name}, which SAM generates only for a function with FunctionUrlConfig; ${logicalId} has none`,
      );
    }
    return this.#resource(logicalId, path);
  }

  /** The local URL when the emulator serves it, else the URL Lambda would give (for `invoke`, say). */
  #functionUrl(entry: ResourceEntry): string {
    const local = this.ctx.functionUrls?.get(entry.logicalId);
    if (local !== undefined) return local;
    return `https://${functionUrlId(entry.logicalId)}.lambda-url.${this.ctx.stack.region}.on.aws/`;
  }

  #roleName(entry: ResourceEntry): string {
    return `${this.ctx.stack.stackName}-${entry.logicalId}Role`;
  }

  #physicalId(entry: ResourceEntry): string {
    if (FUNCTION_TYPES.has(entry.type)) return this.functionName(entry);
    if (API_TYPES.has(entry.type)) return apiPhysicalId(entry.logicalId);
    if (LAYER_TYPES.has(entry.type)) return this.layerVersionArn(entry);
    if (isNestedStack(entry)) return this.#nestedStackId(entry);
    return entry.logicalId;
  }

  /**
   * `Ref` to a nested stack is its stack id, the child's own `AWS::StackId` (SAM makes an
   * `AWS::Serverless::Application` an `AWS::CloudFormation::Stack`).
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html
   */
  #nestedStackId(entry: ResourceEntry): string {
    const { region, accountId, stackName } = this.ctx.stack;
    const child = pseudoParameters({
      region,
      accountId,
      stackName: nestedStackName(stackName, entry.logicalId),
    });
    const stackId = child.get('AWS::StackId');
    return typeof stackId === 'string' ? stackId : entry.logicalId;
  }

  #getAtt(argument: unknown, path: Path): unknown {
    const diag = this.ctx.diag;
    let logicalId: string;
    let attribute: string;
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      if (dot === -1) return diag.fail(path, `expected Resource.Attribute, got ${JSON.stringify(argument)}`);
      logicalId = argument.slice(0, dot);
      attribute = argument.slice(dot + 1);
    } else {
      const parts = expectList(argument, path, diag);
      if (parts.length !== 2)
        return diag.fail(path, `expected [Resource, Attribute], got ${parts.length} items`);
      logicalId = expectString(parts[0], [...path, 0], diag);
      attribute = expectString(this.resolve(parts[1], [...path, 1]), [...path, 1], diag);
    }
    return this.#attribute(logicalId, attribute, path);
  }

  #attribute(logicalId: string, attribute: string, path: Path): string {
    const { partition, region, accountId, urlSuffix } = this.ctx.stack;
    const entry = this.#resource(logicalId, path);
    const urlOwner = entry === undefined ? this.#functionUrlOwner(logicalId, path) : undefined;
    if (urlOwner !== undefined && logicalId.endsWith('Url')) {
      if (attribute === 'FunctionUrl') return this.#functionUrl(urlOwner);
      if (attribute === 'FunctionArn') return this.#functionArn(urlOwner);
      return this.ctx.diag.fail(
        path,
        `Fn::GetAtt ${logicalId}.${attribute}: an AWS::Lambda::Url has only FunctionUrl and FunctionArn`,
      );
    }
    if (entry === undefined) {
      const generated = this.#generated(logicalId);
      if (generated === undefined) {
        return this.ctx.diag.fail(
          path,
          `Fn::GetAtt ${logicalId}.${attribute}: no resource has this logical id`,
        );
      }
      const value = this.#generatedAttribute(generated, logicalId, attribute);
      if (value !== undefined) return value;
    } else if (FUNCTION_TYPES.has(entry.type) && attribute === 'Arn') {
      return functionArn(partition, region, accountId, this.functionName(entry));
    } else if (entry.type === SERVERLESS_HTTP_API && attribute === 'ApiEndpoint') {
      return `https://${apiPhysicalId(logicalId)}.execute-api.${region}.${urlSuffix}`;
    } else if (entry.type === SERVERLESS_API && attribute === 'RootResourceId') {
      return apiPhysicalId(`${logicalId}/`);
    } else if (entry.type === COGNITO_USER_POOL && (attribute === 'Arn' || attribute === 'ProviderURL')) {
      // The pool's id is its Ref (the logical id here), so that a Cognito authorizer's `!GetAtt Pool.Arn` and a
      // JWT authorizer's `!Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}` name one issuer.
      return attribute === 'Arn'
        ? `arn:${partition}:cognito-idp:${region}:${accountId}:userpool/${logicalId}`
        : `cognito-idp.${region}.amazonaws.com/${logicalId}`;
    } else if (entry.type === LAMBDA_LAYER_VERSION && attribute === 'LayerVersionArn') {
      return this.layerVersionArn(entry);
    } else if (isNestedStack(entry) && attribute.startsWith('Outputs.')) {
      // A nested stack's `Outputs.<Name>` attribute is the child's output, known when the child loads here.
      const output = this.ctx.nestedOutputs?.(logicalId)?.get(attribute.slice('Outputs.'.length));
      if (output !== undefined) return output;
    }
    this.ctx.diag.warn(path, `Fn::GetAtt ${logicalId}.${attribute} cannot be resolved locally; using ''`);
    return '';
  }

  /** The attributes of generated resources that have a local value; `undefined` for the others. */
  #generatedAttribute(
    generated: GeneratedResource,
    logicalId: string,
    attribute: string,
  ): string | undefined {
    const { partition, region, accountId } = this.ctx.stack;
    if (generated.kind === 'role' && attribute === 'Arn') {
      return roleArn(partition, accountId, this.#roleName(generated.owner));
    }
    if (generated.kind === 'url' && attribute === 'FunctionArn') return this.#functionArn(generated.owner);
    if (generated.kind === 'version' && attribute === 'Version') return '1';
    if (generated.kind === 'event' && RULE_EVENTS.has(generated.eventType) && attribute === 'Arn') {
      return `arn:${partition}:events:${region}:${accountId}:rule/${this.#ruleName(logicalId)}`;
    }
    return undefined;
  }

  /**
   * `${Name}` is a Ref, `${Resource.Attribute}` a GetAtt, `${!Literal}` the text `${Literal}`; names in the
   * variable map win.
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
   */
  #sub(argument: unknown, path: Path): string {
    const diag = this.ctx.diag;
    let template: string;
    let variables: Readonly<Record<string, unknown>> = {};
    let templatePath: Path = path;
    if (typeof argument === 'string') {
      template = argument;
    } else {
      const parts = expectList(argument, path, diag);
      if (parts.length !== 2)
        return diag.fail(path, `expected a string or [string, variables], got ${parts.length} items`);
      templatePath = [...path, 0];
      template = expectString(parts[0], templatePath, diag);
      variables = expectRecord(parts[1], [...path, 1], diag);
    }
    return template.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      let value: unknown;
      if (Object.hasOwn(variables, name)) {
        value = this.resolve(variables[name], [...path, 1, name]);
      } else if (name.includes('.') && !name.startsWith('AWS::')) {
        const dot = name.indexOf('.');
        value = this.#attribute(name.slice(0, dot), name.slice(dot + 1), templatePath);
      } else {
        value = this.#ref(name, templatePath);
      }
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return String(value);
      return diag.fail(
        templatePath,
        `\${${name}} must resolve to a string, but resolves to ${describe(value)}`,
      );
    });
  }

  #if(argument: unknown, path: Path): unknown {
    const parts = expectList(argument, path, this.ctx.diag);
    if (parts.length !== 3) {
      return this.ctx.diag.fail(
        path,
        `expected [Condition, ValueIfTrue, ValueIfFalse], got ${parts.length} items`,
      );
    }
    const name = expectString(parts[0], [...path, 0], this.ctx.diag);
    return this.condition(name, [...path, 0])
      ? this.resolve(parts[1], [...path, 1])
      : this.resolve(parts[2], [...path, 2]);
  }

  #join(argument: unknown, path: Path): string {
    const parts = expectList(argument, path, this.ctx.diag);
    if (parts.length !== 2)
      return this.ctx.diag.fail(path, `expected [Delimiter, [Values]], got ${parts.length} items`);
    const delimiter = expectString(parts[0], [...path, 0], this.ctx.diag);
    const values = expectList(this.resolve(parts[1], [...path, 1]), [...path, 1], this.ctx.diag);
    return values.map((value, index) => this.#text(value, [...path, 1, index])).join(delimiter);
  }

  #select(argument: unknown, path: Path): unknown {
    const parts = expectList(argument, path, this.ctx.diag);
    if (parts.length !== 2)
      return this.ctx.diag.fail(path, `expected [Index, [Values]], got ${parts.length} items`);
    const index = expectInteger(this.resolve(parts[0], [...path, 0]), [...path, 0], this.ctx.diag, {
      min: 0,
    });
    const values = expectList(this.resolve(parts[1], [...path, 1]), [...path, 1], this.ctx.diag);
    if (index >= values.length) {
      return this.ctx.diag.fail(path, `index ${index} is out of range for a list of ${values.length} items`);
    }
    return values[index];
  }

  #split(argument: unknown, path: Path): string[] {
    const parts = expectList(argument, path, this.ctx.diag);
    if (parts.length !== 2)
      return this.ctx.diag.fail(path, `expected [Delimiter, Source], got ${parts.length} items`);
    const delimiter = expectString(parts[0], [...path, 0], this.ctx.diag);
    return this.#text(this.resolve(parts[1], [...path, 1]), [...path, 1]).split(delimiter);
  }

  /** https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap.html */
  #findInMap(argument: unknown, path: Path): unknown {
    const diag = this.ctx.diag;
    const parts = expectList(argument, path, diag);
    if (parts.length !== 3 && parts.length !== 4) {
      return diag.fail(path, `expected [MapName, TopLevelKey, SecondLevelKey], got ${parts.length} items`);
    }
    const [mapName, topKey, secondKey] = [0, 1, 2].map((index) =>
      this.#text(this.resolve(parts[index], [...path, index]), [...path, index]),
    );
    const options = parts[3] === undefined ? undefined : expectRecord(parts[3], [...path, 3], diag);
    const mapping = mapName === undefined ? undefined : this.ctx.mappings[mapName];
    const topLevel = isRecord(mapping) && topKey !== undefined ? mapping[topKey] : undefined;
    if (isRecord(topLevel) && secondKey !== undefined && Object.hasOwn(topLevel, secondKey)) {
      return this.resolve(topLevel[secondKey], ['Mappings', mapName ?? '', topKey ?? '', secondKey]);
    }
    if (options !== undefined && Object.hasOwn(options, 'DefaultValue')) {
      return this.resolve(options.DefaultValue, [...path, 3, 'DefaultValue']);
    }
    return diag.fail(path, `Mappings has no ${mapName}.${topKey}.${secondKey}`);
  }

  /** Condition functions: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition`. */
  #conditionExpression(expression: unknown, path: Path): boolean {
    const diag = this.ctx.diag;
    const name = intrinsicName(expression);
    if (name === undefined || !isRecord(expression)) return expectBoolean(expression, path, diag);
    const argument = expression[name];
    const argumentPath: Path = [...path, name];
    switch (name) {
      case 'Condition':
        return this.condition(expectString(argument, argumentPath, diag), argumentPath);
      case 'Fn::Equals': {
        const parts = expectList(argument, argumentPath, diag);
        if (parts.length !== 2)
          return diag.fail(argumentPath, `expected [Value1, Value2], got ${parts.length} items`);
        const [left, right] = parts.map((part, index) =>
          comparable(this.resolve(part, [...argumentPath, index])),
        );
        return left === right;
      }
      case 'Fn::Not': {
        const parts = expectList(argument, argumentPath, diag);
        if (parts.length !== 1)
          return diag.fail(argumentPath, `expected [Condition], got ${parts.length} items`);
        return !this.#conditionExpression(parts[0], [...argumentPath, 0]);
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const parts = expectList(argument, argumentPath, diag);
        if (parts.length < 2 || parts.length > 10) {
          return diag.fail(argumentPath, `expected 2 to 10 conditions, got ${parts.length}`);
        }
        const values = parts.map((part, index) => this.#conditionExpression(part, [...argumentPath, index]));
        return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      default:
        return expectBoolean(this.resolve(expression, path), path, diag);
    }
  }

  #text(value: unknown, path: Path): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return this.ctx.diag.fail(path, `expected a string, got ${describe(value)}`);
  }
}

/** `Fn::Equals` compares values as CloudFormation sees them: `1` and `"1"` are equal. */
function comparable(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
