import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { cloudWatchLogsEvent } from '../../../emulator/sources/cloudwatch-logs.ts';

const IDENTITY = { region: 'us-east-1', accountId: '123456789012' };

function decode(data: string): unknown {
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
}

describe('cloudwatch logs event', () => {
  it('awslogs.data is the gzip-compressed, base64-encoded JSON of a DATA_MESSAGE with the log events', () => {
    const time = new Date('2026-01-02T03:04:05.678Z');
    const event = cloudWatchLogsEvent({
      ...IDENTITY,
      logGroup: '/aws/lambda/orders',
      logStream: 'stream-1',
      messages: ['one', 'two'],
      time,
    });

    expect(Object.keys(event)).to.deep.equal(['awslogs']);
    const decoded = decode(event.awslogs.data);
    expect(decoded).to.deep.include({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/aws/lambda/orders',
      logStream: 'stream-1',
      subscriptionFilters: ['LambdaStream_example'],
    });
    expect(decoded).to.have.property('logEvents').that.has.lengthOf(2);
    expect(decoded).to.have.nested.property('logEvents[0].message', 'one');
    expect(decoded).to.have.nested.property('logEvents[1].timestamp', time.getTime() + 1);
    expect(decoded)
      .to.have.nested.property('logEvents[0].id')
      .that.matches(/^\d{56}$/);
  });

  it('defaults to a Lambda log group, a Lambda-style stream name and two sample lines', () => {
    const decoded = decode(cloudWatchLogsEvent(IDENTITY).awslogs.data);

    expect(decoded).to.include({ logGroup: '/aws/lambda/example' });
    expect(decoded)
      .to.have.property('logStream')
      .that.matches(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(decoded).to.have.property('logEvents').that.has.lengthOf(2);
  });
});
