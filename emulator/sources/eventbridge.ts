import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { eventTime } from '../schedule/events.ts';
import type { SourceIdentity } from './arn.ts';

export interface EventBridgeEventOptions extends SourceIdentity {
  /** `com.example.app` by default. */
  readonly source?: string;
  /** `Example Event` by default. */
  readonly detailType?: string;
  /** The `detail` object; `{}` by default. */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** ARNs of the resources the event is about; none by default. */
  readonly resources?: readonly string[];
  readonly time?: Date;
}

/**
 * A custom event as an EventBridge rule delivers it: the envelope (`version` 0, `id`, `account`, `region`,
 * `time` in whole seconds) around the `source`, `detail-type` and `detail` the producer put.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
export function eventBridgeEvent(
  options: EventBridgeEventOptions,
): EventBridgeEvent<string, Readonly<Record<string, unknown>>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': options.detailType ?? 'Example Event',
    source: options.source ?? 'com.example.app',
    account: options.accountId,
    time: eventTime(options.time ?? new Date()),
    region: options.region,
    resources: [...(options.resources ?? [])],
    detail: options.detail ?? {},
  };
}
