import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sqsEvent } from '../../../emulator/sources/sqs.ts';

const IDENTITY = { region: 'eu-west-1', accountId: '111122223333' };
const TIME = new Date('2026-01-02T03:04:05.678Z');

describe('sqs receive-message event', () => {
  it('has the documented record shape: one message with its attributes, source aws:sqs and the queue ARN', () => {
    const event = sqsEvent({ ...IDENTITY, queueName: 'orders', body: '{"id":7}', time: TIME });

    expect(event.Records).to.have.lengthOf(1);
    const [record] = event.Records;
    expect(record).to.deep.include({
      body: '{"id":7}',
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:orders',
      awsRegion: 'eu-west-1',
    });
    expect(record?.attributes).to.deep.equal({
      ApproximateReceiveCount: '1',
      SentTimestamp: String(TIME.getTime()),
      SenderId: '111122223333',
      ApproximateFirstReceiveTimestamp: String(TIME.getTime() + 1),
    });
    expect(record?.messageId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(record?.receiptHandle).to.be.a('string').that.is.not.empty;
  });

  it('md5OfBody is the MD5 of the body', () => {
    const body = 'Grüße from SQS';
    const [record] = sqsEvent({ ...IDENTITY, body }).Records;

    expect(record?.md5OfBody).to.equal(createHash('md5').update(Buffer.from(body, 'utf8')).digest('hex'));
  });

  it("defaults to SAM's queue MyQueue and body 'Hello from SQS!'", () => {
    const [record] = sqsEvent(IDENTITY).Records;

    expect(record?.body).to.equal('Hello from SQS!');
    // md5 -s 'Hello from SQS!'
    expect(record?.md5OfBody).to.equal('7b270e59b47ff90a553787216d55d91d');
    expect(record?.eventSourceARN).to.equal('arn:aws:sqs:eu-west-1:111122223333:MyQueue');
  });

  it('a FIFO queue (.fifo) adds MessageGroupId, MessageDeduplicationId and SequenceNumber', () => {
    const [record] = sqsEvent({ ...IDENTITY, queueName: 'orders.fifo', body: 'x', time: TIME }).Records;

    expect(record?.attributes).to.include({ MessageGroupId: '1' });
    expect(record?.attributes.MessageDeduplicationId).to.equal(
      createHash('sha256').update('x').digest('hex'),
    );
    expect(record?.attributes.SequenceNumber).to.match(/^\d{20}$/);
  });

  it('names the partition of a China region in the ARN', () => {
    const [record] = sqsEvent({ region: 'cn-north-1', accountId: '1', queueName: 'q' }).Records;

    expect(record?.eventSourceARN).to.equal('arn:aws-cn:sqs:cn-north-1:1:q');
  });
});
