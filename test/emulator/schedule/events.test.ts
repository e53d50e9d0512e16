import { expect } from 'chai';
import {
  scheduledEvent,
  scheduledEventEnvelope,
  scheduleName,
  schedulerEventEnvelope,
} from '../../../emulator/schedule/events.ts';
import { isRecord } from '../../../emulator/template/values.ts';
import { schedule } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const stack = { region: 'us-east-2', accountId: '123456789012', stackName: 'binance-price' };
const fireTime = new Date('2026-11-21T10:45:00Z');

describe('scheduled event payloads', () => {
  it('a Schedule sends the EventBridge "Scheduled Event" envelope with an empty detail object', () => {
    const event = scheduledEvent(schedule({ expression: 'rate(5 minutes)', name: 'price-ticker' }), {
      ...stack,
      fireTime,
      id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
    });
    expect(event).to.deep.equal({
      version: '0',
      id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-21T10:45:00Z',
      region: 'us-east-2',
      resources: ['arn:aws:events:us-east-2:123456789012:rule/price-ticker'],
      detail: {},
    });
  });

  it('gives each event a fresh UUID id', () => {
    const model = schedule({ expression: 'rate(5 minutes)' });
    const first = scheduledEventEnvelope({
      region: 'us-east-2',
      accountId: '1',
      ruleName: 'r',
      time: fireTime,
    });
    const second = scheduledEvent(model, { ...stack, fireTime });
    expect(first.id).to.match(UUID);
    expect(second).to.have.property('id').that.matches(UUID).and.not.equal(first.id);
  });

  it('writes time in UTC to the second, with a Z', () => {
    const event = scheduledEventEnvelope({
      region: 'us-east-2',
      accountId: '123456789012',
      ruleName: 'r',
      time: new Date('2026-11-21T10:45:17.999Z'),
    });
    expect(event.time).to.equal('2026-11-21T10:45:17Z');
  });

  it('names an unnamed rule <stack>-<FunctionId><EventId>-<SUFFIX>, the same on every start', () => {
    const model = schedule({ expression: 'rate(5 minutes)' });
    const name = scheduleName(model, 'binance-price');
    expect(name).to.match(/^binance-price-PriceTickerFunctionEvery5Minutes-[A-Z0-9]{12}$/);
    expect(scheduleName(model, 'binance-price')).to.equal(name);
    expect(scheduleName({ ...model, eventId: 'Hourly' }, 'binance-price').slice(-12)).to.not.equal(
      name.slice(-12),
    );
  });

  it('keeps a generated name within the 64 characters a rule name may have', () => {
    const model = schedule({ expression: 'rate(5 minutes)', functionId: 'F'.repeat(60) });
    const name = scheduleName(model, 'a-rather-long-stack-name');
    expect(name).to.have.lengthOf(64);
    expect(name).to.match(/^a-rather-long-stack-name-F+-[A-Z0-9]{12}$/);
  });

  it('uses the partition of the region in the rule ARN', () => {
    const event = scheduledEventEnvelope({
      region: 'cn-north-1',
      accountId: '123456789012',
      ruleName: 'r',
      time: fireTime,
    });
    expect(event.resources).to.deep.equal(['arn:aws-cn:events:cn-north-1:123456789012:rule/r']);
  });

  it('a Schedule with Input sends exactly that JSON, placeholders and all', () => {
    const model = schedule({
      expression: 'rate(5 minutes)',
      input: '{"symbols":["BTCUSDT"],"at":"<aws.scheduler.scheduled-time>"}',
    });
    expect(scheduledEvent(model, { ...stack, fireTime })).to.deep.equal({
      symbols: ['BTCUSDT'],
      at: '<aws.scheduler.scheduled-time>',
    });
  });

  it('a ScheduleV2 sends source aws.scheduler, the schedule ARN in the default group, and detail as the string "{}"', () => {
    const model = schedule({ expression: 'rate(5 minutes)', kind: 'ScheduleV2', name: 'ticker' });
    expect(
      scheduledEvent(model, { ...stack, fireTime, id: '49672d39-8c3a-4cc6-8de5-c57b0acf718f' }),
    ).to.deep.equal({
      version: '0',
      id: '49672d39-8c3a-4cc6-8de5-c57b0acf718f',
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '123456789012',
      time: '2026-11-21T10:45:00Z',
      region: 'us-east-2',
      resources: ['arn:aws:scheduler:us-east-2:123456789012:schedule/default/ticker'],
      detail: '{}',
    });
  });

  it('a ScheduleV2 with Input fills in the scheduler context attributes', () => {
    const model = schedule({
      expression: 'rate(5 minutes)',
      kind: 'ScheduleV2',
      name: 'ticker',
      input:
        '{"arn":"<aws.scheduler.schedule-arn>","time":"<aws.scheduler.scheduled-time>",' +
        '"execution":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>","other":"<aws.x>"}',
    });
    expect(
      scheduledEvent(model, { ...stack, fireTime, attempt: 2, executionId: 'd32c5kddcf5bb8c3' }),
    ).to.deep.equal({
      arn: 'arn:aws:scheduler:us-east-2:123456789012:schedule/default/ticker',
      time: '2026-11-21T10:45:00Z',
      execution: 'd32c5kddcf5bb8c3',
      attempt: '2',
      other: '<aws.x>',
    });
  });

  it('a ScheduleV2 execution id is fresh for each event and its attempt number starts at 1', () => {
    const model = schedule({
      expression: 'rate(5 minutes)',
      kind: 'ScheduleV2',
      input: '{"execution":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>"}',
    });
    const first = scheduledEvent(model, { ...stack, fireTime });
    const second = scheduledEvent(model, { ...stack, fireTime });
    expect(first).to.have.property('attempt', '1');
    expect(first)
      .to.have.property('execution')
      .that.matches(/^[0-9a-f]{16}$/);
    expect(isRecord(first) && isRecord(second) && first.execution !== second.execution).to.equal(true);
  });

  it('builds the Scheduler envelope without a ScheduleModel, with an explicit group', () => {
    const event = schedulerEventEnvelope({
      region: 'eu-central-1',
      accountId: '123456789012',
      scheduleName: 'nightly',
      groupName: 'reports',
      time: fireTime,
    });
    expect(event.resources).to.deep.equal([
      'arn:aws:scheduler:eu-central-1:123456789012:schedule/reports/nightly',
    ]);
    expect(event.detail).to.equal('{}');
  });
});
