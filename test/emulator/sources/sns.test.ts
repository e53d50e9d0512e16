import { expect } from 'chai';
import { snsEvent } from '../../../emulator/sources/sns.ts';

const IDENTITY = { region: 'us-east-1', accountId: '123456789012' };

describe('sns notification event', () => {
  it('has the documented shape: one aws:sns record with a Notification for the topic ARN', () => {
    const time = new Date('2026-01-02T03:04:05.678Z');
    const event = snsEvent({ ...IDENTITY, topic: 'alerts', subject: 'Hi', message: '{"a":1}', time });

    expect(event.Records).to.have.lengthOf(1);
    const [record] = event.Records;
    expect(record).to.include({ EventVersion: '1.0', EventSource: 'aws:sns' });
    expect(record?.Sns).to.deep.include({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      Subject: 'Hi',
      Message: '{"a":1}',
      Timestamp: '2026-01-02T03:04:05.678Z',
      SignatureVersion: '1',
      MessageAttributes: {},
    });
    expect(record?.EventSubscriptionArn).to.match(
      /^arn:aws:sns:us-east-1:123456789012:alerts:[0-9a-f]{8}-[0-9a-f-]{27}$/,
    );
    expect(record?.Sns.UnsubscribeUrl).to.include(record?.EventSubscriptionArn);
  });

  it("defaults to SAM's ExampleTopic, 'example subject' and 'example message'", () => {
    const [record] = snsEvent(IDENTITY).Records;

    expect(record?.Sns).to.include({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ExampleTopic',
      Subject: 'example subject',
      Message: 'example message',
    });
  });
});
