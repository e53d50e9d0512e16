import { expect } from 'chai';
import { eventBridgeEvent } from '../../../emulator/sources/eventbridge.ts';

describe('eventbridge custom event', () => {
  it('wraps source, detail-type and detail in the EventBridge envelope, time in whole seconds', () => {
    const event = eventBridgeEvent({
      region: 'eu-west-1',
      accountId: '111122223333',
      source: 'my.app',
      detailType: 'OrderPlaced',
      detail: { id: 7 },
      resources: ['arn:aws:s3:::b'],
      time: new Date('2026-01-02T03:04:05.678Z'),
    });

    expect(event).to.deep.include({
      version: '0',
      source: 'my.app',
      'detail-type': 'OrderPlaced',
      account: '111122223333',
      region: 'eu-west-1',
      time: '2026-01-02T03:04:05Z',
      resources: ['arn:aws:s3:::b'],
      detail: { id: 7 },
    });
    expect(event.id).to.match(/^[0-9a-f-]{36}$/);
  });

  it('defaults to an empty detail and no resources', () => {
    const event = eventBridgeEvent({ region: 'us-east-1', accountId: '1' });

    expect(event).to.deep.include({ detail: {}, resources: [], source: 'com.example.app' });
  });
});
