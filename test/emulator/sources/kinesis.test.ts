import { expect } from 'chai';
import { kinesisEvent } from '../../../emulator/sources/kinesis.ts';

const IDENTITY = { region: 'us-east-2', accountId: '123456789012' };

describe('kinesis get-records event', () => {
  it('has the documented shape: one aws:kinesis:record from the stream, eventID shard:sequence', () => {
    const time = new Date('2026-01-02T03:04:05.678Z');
    const event = kinesisEvent({
      ...IDENTITY,
      stream: 'clicks',
      data: '{"page":"/"}',
      partitionKey: 'user-1',
      sequence: '42',
      time,
    });

    expect(event.Records).to.have.lengthOf(1);
    const [record] = event.Records;
    expect(record).to.include({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventID: 'shardId-000000000000:42',
      awsRegion: 'us-east-2',
      eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/clicks',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    });
    expect(record?.kinesis).to.include({
      kinesisSchemaVersion: '1.0',
      partitionKey: 'user-1',
      sequenceNumber: '42',
      approximateArrivalTimestamp: 1767323045.678,
    });
  });

  it('kinesis.data is the payload base64-encoded', () => {
    const [record] = kinesisEvent({ ...IDENTITY, data: 'Grüße, 123' }).Records;

    expect(Buffer.from(record?.kinesis.data ?? '', 'base64').toString('utf8')).to.equal('Grüße, 123');
  });

  it("defaults to SAM's data, partition key and sequence number", () => {
    const [record] = kinesisEvent(IDENTITY).Records;

    expect(record?.kinesis).to.include({
      data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0IDEyMy4=',
      partitionKey: 'partitionKey-03',
      sequenceNumber: '49545115243490985018280067714973144582180062593244200961',
    });
  });
});
