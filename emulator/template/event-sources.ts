import { nameInArn } from '../sources/arn.ts';
import type { Diagnostics } from './errors.ts';
import type { Resolver } from './intrinsics.ts';
import type { EventSourceModel } from './model.ts';
import type { PropertyReader } from './properties.ts';
import type { EventEntry, ResourceEntry } from './resources.ts';
import { expectInteger, expectString, intrinsicName, isRecord, type Path } from './values.ts';

/** What reading an event needs from the template around it. */
export interface SourceContext {
  readonly functionId: string;
  readonly resources: ReadonlyMap<string, ResourceEntry>;
  readonly resolver: Resolver;
  readonly diag: Diagnostics;
}

interface SourceType {
  /** The property naming the source (`Queue`, `Stream`…). */
  readonly sourceKey?: string;
  /** SAM's transform rejects the event without `sourceKey`. */
  readonly required?: boolean;
  /** The `generate-event` arguments for an event from the source named `name`. */
  readonly command?: (name: string | undefined, properties: PropertyReader, diag: Diagnostics) => string[];
}

const flag = (name: string, value: string | undefined): string[] =>
  value === undefined ? [] : [name, value];

/**
 * The event types whose services cannot reach the emulator, the property that names their source, and the
 * `generate-event` command for each (SAM's names for the property:
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventsource.html).
 */
const SOURCE_TYPES: Readonly<Record<string, SourceType>> = {
  SQS: {
    sourceKey: 'Queue',
    required: true,
    command: (name) => ['sqs', 'receive-message', ...flag('--queue-name', name)],
  },
  SNS: {
    sourceKey: 'Topic',
    required: true,
    command: (name) => ['sns', 'notification', ...flag('--topic', name)],
  },
  Kinesis: {
    sourceKey: 'Stream',
    required: true,
    command: (name) => ['kinesis', 'get-records', ...flag('--stream', name)],
  },
  DynamoDB: {
    sourceKey: 'Stream',
    required: true,
    command: (name) => ['dynamodb', 'update', ...flag('--table', name)],
  },
  S3: { sourceKey: 'Bucket', required: true, command: s3Command },
  EventBridgeRule: {
    sourceKey: 'EventBusName',
    command: (_name, properties, diag) => ruleCommand(properties, diag),
  },
  CloudWatchEvent: {
    sourceKey: 'EventBusName',
    command: (_name, properties, diag) => ruleCommand(properties, diag),
  },
  CloudWatchLogs: {
    sourceKey: 'LogGroupName',
    required: true,
    command: (name) => ['cloudwatch', 'logs', ...flag('--log-group', name)],
  },
  MSK: { sourceKey: 'Stream' },
  MQ: { sourceKey: 'Broker' },
  DocumentDB: { sourceKey: 'Cluster' },
  SelfManagedKafka: {},
  IoTRule: {},
  Cognito: { sourceKey: 'UserPool' },
  AlexaSkill: { sourceKey: 'SkillId' },
};

/** Whether the emulator reads this event type as an event source (run by hand) rather than warning about it. */
export function isEventSourceType(type: string): boolean {
  return Object.hasOwn(SOURCE_TYPES, type);
}

/**
 * Resource types and the property holding their physical name. Without it CloudFormation makes up a name, and
 * the emulator uses the logical id, which is also what `!Ref` gives locally.
 */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Serverless::SimpleTable': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

/** One event of a type in SOURCE_TYPES as the model's entry. */
export function readEventSource(
  event: EventEntry,
  properties: PropertyReader,
  context: SourceContext,
): EventSourceModel {
  const { diag } = context;
  const type = SOURCE_TYPES[event.type] ?? {};
  const source = type.sourceKey === undefined ? {} : sourceReference(properties, type.sourceKey, context);
  if (type.required && type.sourceKey !== undefined && properties.raw([type.sourceKey]) === undefined) {
    diag.fail(properties.pathOf([]), `${type.sourceKey} is required for ${event.type} events`);
  }
  const batchValue = properties.value(['BatchSize']);
  const inputValue =
    event.type === 'EventBridgeRule' || event.type === 'CloudWatchEvent'
      ? properties.value(['Input'])
      : undefined;
  return {
    functionId: context.functionId,
    eventId: event.eventId,
    type: event.type,
    sourceId: source.sourceId,
    sourceArn: source.sourceArn,
    batchSize:
      batchValue === undefined
        ? undefined
        : expectInteger(batchValue, properties.pathOf(['BatchSize']), diag, { min: 1 }),
    generateEvent: withArnIdentity(type.command?.(sourceName(source, context), properties, diag), source),
    ...(inputValue === undefined
      ? {}
      : { input: expectString(inputValue, properties.pathOf(['Input']), diag) }),
  };
}

/** generate-event's defaults for `--region` and `--account-id` (emulator/cli.ts). */
const DEFAULT_IDENTITY = { region: 'us-east-1', accountId: '123456789012' };

/** A literal source ARN in another region or account: the flags that put them in the generated event's ARNs. */
function withArnIdentity(command: string[] | undefined, source: SourceReference): string[] | undefined {
  const [prefix, , , region, accountId] = source.sourceArn?.split(':') ?? [];
  if (command === undefined || prefix !== 'arn') return command;
  return [
    ...command,
    ...flag('--region', region === '' || region === DEFAULT_IDENTITY.region ? undefined : region),
    ...flag(
      '--account-id',
      accountId === '' || accountId === DEFAULT_IDENTITY.accountId ? undefined : accountId,
    ),
  ];
}

interface SourceReference {
  readonly sourceId?: string;
  readonly sourceArn?: string;
}

/**
 * `!Ref X`, `!GetAtt X.Arn` or `!GetAtt X.StreamArn` to a resource of this template names it (resolving would
 * give only a local placeholder); anything else is resolved to the ARN or name it holds.
 */
function sourceReference(properties: PropertyReader, key: string, context: SourceContext): SourceReference {
  const raw = properties.raw([key]);
  if (raw === undefined) return {};
  const target = referencedResource(raw);
  if (target !== undefined && context.resources.has(target)) return { sourceId: target };
  const value = properties.value([key]);
  return typeof value === 'string' && value !== '' ? { sourceArn: value } : {};
}

/** The logical id a `Ref` or `Fn::GetAtt` names; `undefined` for anything else. */
export function referencedResource(raw: unknown): string | undefined {
  const name = intrinsicName(raw);
  if (name === undefined || !isRecord(raw)) return undefined;
  const argument = raw[name];
  if (name === 'Ref') return typeof argument === 'string' ? argument : undefined;
  if (name !== 'Fn::GetAtt') return undefined;
  if (typeof argument === 'string') return argument.split('.')[0];
  return Array.isArray(argument) && typeof argument[0] === 'string' ? argument[0] : undefined;
}

/** The physical name of the source: its name property, else its logical id; the name inside a literal ARN. */
function sourceName(source: SourceReference, context: SourceContext): string | undefined {
  if (source.sourceArn !== undefined) return nameInArn(source.sourceArn);
  if (source.sourceId === undefined) return undefined;
  const entry = context.resources.get(source.sourceId);
  if (entry === undefined) return source.sourceId;
  const nameKey = NAME_PROPERTIES[entry.type];
  const path: Path = ['Resources', entry.logicalId, 'Properties'];
  if (nameKey !== undefined) {
    const name = context.resolver.property(entry.properties, nameKey, [...path, nameKey]);
    if (typeof name === 'string' && name !== '') return name;
  }
  // A FIFO queue's name, generated or not, ends in `.fifo`.
  const fifo =
    entry.type === 'AWS::SQS::Queue' &&
    context.resolver.property(entry.properties, 'FifoQueue', [...path, 'FifoQueue']);
  return fifo === true || fifo === 'true' ? `${entry.logicalId}.fifo` : entry.logicalId;
}

/**
 * `s3 put`, or `s3 delete` when the event only listens to `s3:ObjectRemoved:*`; a `Filter.S3Key` prefix and
 * suffix make the key (`uploads/example.jpg`).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-s3.html
 */
function s3Command(name: string | undefined, properties: PropertyReader, diag: Diagnostics): string[] {
  const eventsValue = properties.value(['Events']);
  if (eventsValue === undefined) diag.fail(properties.pathOf([]), 'Events is required for S3 events');
  const events = (Array.isArray(eventsValue) ? eventsValue : [eventsValue]).map((item, index) =>
    expectString(item, properties.pathOf(Array.isArray(eventsValue) ? ['Events', index] : ['Events']), diag),
  );
  const removedOnly = events.every((item) => item.startsWith('s3:ObjectRemoved:'));
  let prefix = '';
  let suffix = '';
  const rules = properties.value(['Filter', 'S3Key', 'Rules']);
  for (const rule of Array.isArray(rules) ? rules : []) {
    if (!isRecord(rule) || typeof rule.Value !== 'string' || typeof rule.Name !== 'string') continue;
    if (rule.Name.toLowerCase() === 'prefix') prefix = rule.Value;
    if (rule.Name.toLowerCase() === 'suffix') suffix = rule.Value;
  }
  const key = prefix === '' && suffix === '' ? undefined : `${prefix}example${suffix}`;
  return ['s3', removedOnly ? 'delete' : 'put', ...flag('--bucket', name), ...flag('--key', key)];
}

/**
 * `eventbridge event` with the first `source` and `detail-type` of the rule's `Pattern`, and a `detail` made of
 * the first value of each of its `detail` fields, so that the event matches the pattern.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
function ruleCommand(properties: PropertyReader, diag: Diagnostics): string[] {
  const pattern = properties.value(['Pattern']);
  if (pattern === undefined) diag.fail(properties.pathOf([]), 'Pattern is required');
  if (!isRecord(pattern))
    return diag.fail(properties.pathOf(['Pattern']), 'expected a map (an event pattern)');
  const detail = isRecord(pattern.detail) ? matchingValue(pattern.detail) : undefined;
  return [
    'eventbridge',
    'event',
    ...flag('--source', firstText(pattern.source)),
    ...flag('--detail-type', firstText(pattern['detail-type'])),
    ...flag(
      '--detail',
      isRecord(detail) && Object.keys(detail).length > 0 ? JSON.stringify(detail) : undefined,
    ),
  ];
}

/** The first exact value a pattern field lists (`[orders]` → `orders`); content filters (`{prefix: …}`) give none. */
function firstText(field: unknown): string | undefined {
  const values = Array.isArray(field) ? field : [field];
  return values.find((value): value is string => typeof value === 'string');
}

/** A value matching a pattern: a map of matching values for a map, the first exact value for a list. */
function matchingValue(pattern: unknown): unknown {
  if (Array.isArray(pattern)) {
    return pattern.find((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value));
  }
  if (!isRecord(pattern)) return undefined;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const matching = matchingValue(value);
    if (matching !== undefined) result[key] = matching;
  }
  return result;
}
