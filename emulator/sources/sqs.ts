import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { arnOf, type SourceIdentity } from './arn.ts';

export interface SqsEventOptions extends SourceIdentity {
  /** `MyQueue` by default, as `sam local generate-event sqs receive-message`. */
  readonly queueName?: string;
  /** `Hello from SQS!` by default. */
  readonly body?: string;
  /** When the message was sent; now by default. */
  readonly time?: Date;
}

/** The hex MD5 digest of the body's UTF-8 bytes, which SQS sends as `md5OfBody`. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * The event Lambda's SQS poller sends: one record per message, `md5OfBody` the MD5 of the body, the queue's ARN
 * in `eventSourceARN`. A FIFO queue (name ending `.fifo`) adds `MessageGroupId`, `MessageDeduplicationId` and
 * `SequenceNumber` to the attributes.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
export function sqsEvent(options: SqsEventOptions): SQSEvent {
  const queueName = options.queueName ?? 'MyQueue';
  const body = options.body ?? 'Hello from SQS!';
  const sent = (options.time ?? new Date()).getTime();
  const record: SQSRecord = {
    messageId: randomUUID(),
    receiptHandle: randomBytes(48).toString('base64'),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sent),
      SenderId: options.accountId,
      ApproximateFirstReceiveTimestamp: String(sent + 1),
      ...(queueName.endsWith('.fifo')
        ? {
            // Content-based deduplication: the SHA-256 of the body.
            MessageDeduplicationId: createHash('sha256').update(body, 'utf8').digest('hex'),
            MessageGroupId: '1',
            SequenceNumber: `1${String(sent).padStart(19, '0')}`,
          }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: md5Hex(body),
    eventSource: 'aws:sqs',
    eventSourceARN: arnOf('sqs', options, queueName),
    awsRegion: options.region,
  };
  return { Records: [record] };
}
