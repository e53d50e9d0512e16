import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import type { SourceIdentity } from './arn.ts';

export interface CloudWatchLogsEventOptions extends SourceIdentity {
  /** `/aws/lambda/example` by default. */
  readonly logGroup?: string;
  /** A stream named like Lambda's (`2026/01/01/[$LATEST]…`) by default. */
  readonly logStream?: string;
  /** The subscription filter's name; `LambdaStream_example` by default. */
  readonly filterName?: string;
  /** The log lines, one log event each; two sample lines by default. */
  readonly messages?: readonly string[];
  readonly time?: Date;
}

/**
 * The event a CloudWatch Logs subscription filter sends: `awslogs.data` is the gzip-compressed, base64-encoded
 * JSON of a `DATA_MESSAGE` holding the log events.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html
 */
export function cloudWatchLogsEvent(options: CloudWatchLogsEventOptions): CloudWatchLogsEvent {
  const time = options.time ?? new Date();
  const day = time.toISOString().slice(0, 10).replaceAll('-', '/');
  const messages = options.messages ?? ['[ERROR] First test message', '[ERROR] Second test message'];
  const decoded: CloudWatchLogsDecodedData = {
    messageType: 'DATA_MESSAGE',
    owner: options.accountId,
    logGroup: options.logGroup ?? '/aws/lambda/example',
    logStream: options.logStream ?? `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    subscriptionFilters: [options.filterName ?? 'LambdaStream_example'],
    logEvents: messages.map((message, index) => ({
      // Log event ids are 56-digit decimal strings.
      id: `${time.getTime()}${String(index).padStart(43, '0')}`.slice(0, 56),
      timestamp: time.getTime() + index,
      message,
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(decoded)).toString('base64') } };
}
