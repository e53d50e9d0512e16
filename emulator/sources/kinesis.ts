import type { KinesisStreamEvent } from 'aws-lambda';
import { partitionOf } from '../template/parameters.ts';
import { arnOf, type SourceIdentity } from './arn.ts';

export interface KinesisEventOptions extends SourceIdentity {
  /** The stream name; `example-stream` by default. */
  readonly stream?: string;
  /** The record's data as text (sent base64-encoded); `Hello, this is a test 123.` by default, as SAM's. */
  readonly data?: string;
  /** `partitionKey-03` by default. */
  readonly partitionKey?: string;
  /** The sequence number; SAM's sample one by default. */
  readonly sequence?: string;
  readonly time?: Date;
}

/**
 * The event Lambda's Kinesis poller sends: one record whose `kinesis.data` is the payload base64-encoded,
 * `approximateArrivalTimestamp` in seconds (with a fraction), `eventID` `<shardId>:<sequenceNumber>`.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
export function kinesisEvent(options: KinesisEventOptions): KinesisStreamEvent {
  const sequence = options.sequence ?? '49545115243490985018280067714973144582180062593244200961';
  const shardId = 'shardId-000000000000';
  return {
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: options.partitionKey ?? 'partitionKey-03',
          sequenceNumber: sequence,
          data: Buffer.from(options.data ?? 'Hello, this is a test 123.', 'utf8').toString('base64'),
          approximateArrivalTimestamp: (options.time ?? new Date()).getTime() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${sequence}`,
        eventName: 'aws:kinesis:record',
        // IAM ARNs name no region.
        invokeIdentityArn: `arn:${partitionOf(options.region).partition}:iam::${options.accountId}:role/lambda-role`,
        awsRegion: options.region,
        eventSourceARN: arnOf('kinesis', options, `stream/${options.stream ?? 'example-stream'}`),
      },
    ],
  };
}
