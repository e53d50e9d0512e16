import { partitionOf } from '../template/parameters.ts';

/** Where an event comes from: the region and account its ARNs name. */
export interface SourceIdentity {
  readonly region: string;
  readonly accountId: string;
}

/**
 * `arn:<partition>:<service>:<region>:<account>:<resource>`, the partition taken from the region (`aws-cn` for
 * `cn-*`, `aws-us-gov` for `us-gov-*`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function arnOf(service: string, identity: SourceIdentity, resource: string): string {
  const { partition } = partitionOf(identity.region);
  return `arn:${partition}:${service}:${identity.region}:${identity.accountId}:${resource}`;
}

/** The last `:`-separated part of an ARN (a queue's, topic's or function's name); the text itself when it is no ARN. */
export function nameInArn(arn: string): string {
  if (!arn.startsWith('arn:')) return arn;
  const resource = arn.split(':').slice(5).join(':');
  const slash = resource.indexOf('/');
  // `table/Orders/stream/…`, `stream/orders`: the name follows the resource type.
  if (slash !== -1) return resource.slice(slash + 1).split('/')[0] ?? resource;
  return resource;
}
