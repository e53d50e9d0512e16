import { createHash } from 'node:crypto';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A stable stand-in for the id API Gateway gives an API (10 lower-case letters and digits, e.g. `a1b2c3d4e5`),
 * derived from the logical id so that `!Ref ServerlessRestApi` and the gateway's `requestContext.apiId` agree
 * on every load.
 */
export function apiPhysicalId(logicalId: string): string {
  const digest = createHash('sha256').update(logicalId).digest();
  let id = '';
  for (const byte of digest.subarray(0, 10)) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** `arn:aws:lambda:{region}:{account}:function:{name}`, what `Fn::GetAtt Function.Arn` returns. */
export function functionArn(
  partition: string,
  region: string,
  accountId: string,
  functionName: string,
): string {
  return `arn:${partition}:lambda:${region}:${accountId}:function:${functionName}`;
}

/** The execution role SAM creates as `<FunctionLogicalId>Role` when a function sets no `Role`. */
export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** `arn:aws:lambda:{region}:{account}:layer:{name}:1`: a layer's first version, what `!Ref` to a LayerVersion returns. */
export function layerVersionArn(
  partition: string,
  region: string,
  accountId: string,
  layerName: string,
): string {
  return `arn:${partition}:lambda:${region}:${accountId}:layer:${layerName}:1`;
}

/**
 * A stable stand-in for the 32-character id Lambda gives a function URL (`https://<url-id>.lambda-url.<region>.on.aws`),
 * derived from the function's logical id so that every load, and the event's `requestContext.apiId`, agree.
 */
export function functionUrlId(logicalId: string): string {
  const digest = createHash('sha256').update(`function-url:${logicalId}`).digest();
  let id = '';
  for (const byte of digest.subarray(0, 32)) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}
