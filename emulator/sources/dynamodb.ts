import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isRecord } from '../template/values.ts';
import { arnOf, type SourceIdentity } from './arn.ts';

export interface DynamoDbEventOptions extends SourceIdentity {
  /** `ExampleTableWithStream` by default, as `sam local generate-event dynamodb update`. */
  readonly table?: string;
  readonly time?: Date;
}

type Item = Record<string, AttributeValue>;

/**
 * A JSON value in DynamoDB's attribute-value form: strings `S`, numbers `N` (as text), booleans `BOOL`, null
 * `NULL`, lists `L`, maps `M`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
 */
export function toAttributeValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null || value === undefined) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (isRecord(value)) return { M: toItem(value) };
  return { S: String(value) };
}

/** A plain object as a DynamoDB item (`{"Id": {"N": "101"}}`). */
export function toItem(value: Readonly<Record<string, unknown>>): Item {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toAttributeValue(item)]));
}

/**
 * The event a DynamoDB stream (view type `NEW_AND_OLD_IMAGES`) sends: an INSERT, a MODIFY and a REMOVE of one
 * item, as `sam local generate-event dynamodb update` does. `Keys`, `NewImage` and `OldImage` are in
 * attribute-value form; INSERT has no `OldImage`, REMOVE no `NewImage`.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
export function dynamoDbEvent(options: DynamoDbEventOptions): DynamoDBStreamEvent {
  const table = options.table ?? 'ExampleTableWithStream';
  const created = Math.floor((options.time ?? new Date()).getTime() / 1000);
  const streamArn = arnOf('dynamodb', options, `table/${table}/stream/2015-06-27T00:48:05.899`);
  const keys = toItem({ Id: 101 });
  const first = toItem({ Id: 101, Message: 'New item!' });
  const changed = toItem({ Id: 101, Message: 'This item has changed' });
  const record = (
    index: number,
    eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
    images: { NewImage?: Item; OldImage?: Item },
  ): DynamoDBRecord => ({
    eventID: createHash('md5').update(String(index)).digest('hex'),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: options.region,
    dynamodb: {
      ApproximateCreationDateTime: created,
      Keys: keys,
      ...images,
      SequenceNumber: String(4421584500000000017450439090n + BigInt(index)),
      SizeBytes: JSON.stringify({ keys, ...images }).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: streamArn,
  });
  return {
    Records: [
      record(1, 'INSERT', { NewImage: first }),
      record(2, 'MODIFY', { NewImage: changed, OldImage: first }),
      record(3, 'REMOVE', { OldImage: changed }),
    ],
  };
}
