import { randomBytes } from 'node:crypto';
import type { S3EventRecord } from 'aws-lambda';
import { partitionOf } from '../template/parameters.ts';
import type { SourceIdentity } from './arn.ts';

export type S3EventKind = 'put' | 'delete';

type S3Object = S3EventRecord['s3']['object'];
/** A delete notification names the object by key and sequencer only (no size or ETag, unlike @types/aws-lambda says). */
export type S3NotificationRecord = Omit<S3EventRecord, 's3'> & {
  s3: Omit<S3EventRecord['s3'], 'object'> & { object: S3Object | Pick<S3Object, 'key' | 'sequencer'> };
};
export interface S3NotificationEvent {
  Records: S3NotificationRecord[];
}

export interface S3EventOptions extends SourceIdentity {
  /** `example-bucket` by default, as `sam local generate-event s3 put`. */
  readonly bucket?: string;
  /** The object key as stored (not encoded); `test/key` by default. */
  readonly key?: string;
  /** The object's size in bytes (put only); 1024 by default. */
  readonly size?: number;
  readonly time?: Date;
}

/**
 * The object key as S3 writes it in event notifications: URL-encoded as an HTML form is (space as `+`), with
 * `/` left as is, e.g. `photos/red flower.jpg` → `photos/red+flower.jpg`. Handlers decode it with
 * `decodeURIComponent(key.replace(/\+/g, ' '))`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/**
 * The event an S3 bucket notification sends: `ObjectCreated:Put` (with size and ETag) or
 * `ObjectRemoved:Delete`, the key URL-encoded.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html
 */
export function s3Event(kind: S3EventKind, options: S3EventOptions): S3NotificationEvent {
  const bucket = options.bucket ?? 'example-bucket';
  const key = encodeS3Key(options.key ?? 'test/key');
  const time = options.time ?? new Date();
  // The sequencer orders events for one key: a hex string that grows with time.
  const sequencer = time.getTime().toString(16).toUpperCase().padStart(16, '0');
  const record: S3NotificationRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: options.region,
    eventTime: time.toISOString(),
    eventName: kind === 'put' ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
    userIdentity: { principalId: 'EXAMPLE' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'testConfigRule',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'EXAMPLE' },
        arn: `arn:${partitionOf(options.region).partition}:s3:::${bucket}`,
      },
      object:
        kind === 'put'
          ? {
              key,
              size: options.size ?? 1024,
              eTag: '0123456789abcdef0123456789abcdef',
              sequencer,
            }
          : { key, sequencer },
    },
  };
  return { Records: [record] };
}
