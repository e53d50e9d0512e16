import { expect } from 'chai';
import { dynamoDbEvent, toAttributeValue, toItem } from '../../../emulator/sources/dynamodb.ts';

const IDENTITY = { region: 'us-east-1', accountId: '123456789012' };

describe('dynamodb update event', () => {
  it('holds an INSERT, a MODIFY and a REMOVE of one item from the table stream', () => {
    const event = dynamoDbEvent({ ...IDENTITY, table: 'Orders' });

    expect(event.Records.map((record) => record.eventName)).to.deep.equal(['INSERT', 'MODIFY', 'REMOVE']);
    for (const record of event.Records) {
      expect(record).to.include({ eventSource: 'aws:dynamodb', eventVersion: '1.1', awsRegion: 'us-east-1' });
      expect(record.eventSourceARN).to.match(
        /^arn:aws:dynamodb:us-east-1:123456789012:table\/Orders\/stream\/\d{4}-\d\d-\d\dT[\d:.]+$/,
      );
      expect(record.eventID).to.match(/^[0-9a-f]{32}$/);
      expect(record.dynamodb).to.include({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      expect(record.dynamodb?.SequenceNumber).to.match(/^\d+$/);
      expect(record.dynamodb?.SizeBytes).to.be.a('number');
      expect(record.dynamodb?.ApproximateCreationDateTime).to.be.a('number');
    }
  });

  it('Keys, NewImage and OldImage are in attribute-value form; INSERT has no OldImage and REMOVE no NewImage', () => {
    const [insert, modify, remove] = dynamoDbEvent(IDENTITY).Records;

    expect(insert?.dynamodb?.Keys).to.deep.equal({ Id: { N: '101' } });
    expect(insert?.dynamodb?.NewImage).to.deep.equal({ Id: { N: '101' }, Message: { S: 'New item!' } });
    expect(insert?.dynamodb).to.not.have.property('OldImage');
    expect(modify?.dynamodb?.OldImage).to.deep.equal(insert?.dynamodb?.NewImage);
    expect(modify?.dynamodb?.NewImage).to.have.nested.property('Message.S', 'This item has changed');
    expect(remove?.dynamodb?.OldImage).to.deep.equal(modify?.dynamodb?.NewImage);
    expect(remove?.dynamodb).to.not.have.property('NewImage');
  });

  it("defaults to SAM's table ExampleTableWithStream", () => {
    const [record] = dynamoDbEvent(IDENTITY).Records;

    expect(record?.eventSourceARN).to.include(':table/ExampleTableWithStream/stream/');
  });

  it('marshals JSON values as DynamoDB attribute values (S, N as text, BOOL, NULL, L, M)', () => {
    expect(toItem({ s: 'x', n: 1.5, b: true, z: null, l: [1, 'a'], m: { k: 2 } })).to.deep.equal({
      s: { S: 'x' },
      n: { N: '1.5' },
      b: { BOOL: true },
      z: { NULL: true },
      l: { L: [{ N: '1' }, { S: 'a' }] },
      m: { M: { k: { N: '2' } } },
    });
    expect(toAttributeValue('only')).to.deep.equal({ S: 'only' });
  });
});
