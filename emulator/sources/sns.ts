import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import { partitionOf } from '../template/parameters.ts';
import { arnOf, type SourceIdentity } from './arn.ts';

export interface SnsEventOptions extends SourceIdentity {
  /** The topic name; `ExampleTopic` by default, as `sam local generate-event sns notification`. */
  readonly topic?: string;
  /** `example subject` by default. */
  readonly subject?: string;
  /** `example message` by default. */
  readonly message?: string;
  readonly time?: Date;
}

/**
 * The event SNS sends a subscribed function: one `Notification` record with the topic's ARN, the subscription's
 * ARN (the topic's plus a UUID) and the message as a string.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export function snsEvent(options: SnsEventOptions): SNSEvent {
  const topicArn = arnOf('sns', options, options.topic ?? 'ExampleTopic');
  const endpoint = `https://sns.${options.region}.${partitionOf(options.region).urlSuffix}`;
  const subscriptionArn = `${topicArn}:${randomUUID()}`;
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: (options.time ?? new Date()).toISOString(),
          Signature: 'EXAMPLE',
          SigningCertUrl: `${endpoint}/SimpleNotificationService-0000000000000000000000.pem`,
          MessageId: randomUUID(),
          Message: options.message ?? 'example message',
          MessageAttributes: {},
          Type: 'Notification',
          UnsubscribeUrl: `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          TopicArn: topicArn,
          Subject: options.subject ?? 'example subject',
        },
      },
    ],
  };
}
