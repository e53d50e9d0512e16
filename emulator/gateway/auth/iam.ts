import { type SigningCredentials, verifySigV4 } from '../../function-url/sigv4.ts';
import { httpJson, missingAuthenticationToken, restJson } from '../gatewayErrors.ts';
import type { GatewayResponse } from '../responses.ts';
import type { AuthorizationInput, AuthorizationOutcome } from './authorize.ts';

/**
 * `AWS_IAM` authorization: the request must carry a SigV4 signature for `execute-api` (header or presigned
 * query) made with the credentials the emulator was given (the shell's `AWS_ACCESS_KEY_ID`…, or `--profile`'s),
 * within the 15-minute window. Unsigned: 403 Missing Authentication Token; a signature that does not verify:
 * 403 with the SigV4 error AWS answers. The caller reaches the function as `requestContext.identity` (REST and
 * payload 1.0) and `requestContext.authorizer.iam` (payload 2.0). Whether IAM policies of that caller allow
 * `execute-api:Invoke` is not evaluated: the emulator's credentials stand for an identity that may call it.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
export function authorizeWithIam(
  input: AuthorizationInput,
  credentials: SigningCredentials | undefined,
  now: number,
): AuthorizationOutcome {
  const kind = input.match.api.kind;
  if (credentials === undefined) {
    return {
      allowed: false,
      response: missingAuthenticationToken(),
      reason:
        'AWS_IAM: the emulator has no credentials to check signatures with (set AWS_ACCESS_KEY_ID and ' +
        'AWS_SECRET_ACCESS_KEY, or pass --profile); request refused',
    };
  }
  const verified = verifySigV4(input.request, {
    credentials,
    region: input.region,
    service: 'execute-api',
    now,
  });
  if (!verified.ok) {
    if (verified.unsigned) {
      return {
        allowed: false,
        response: missingAuthenticationToken(),
        reason: 'AWS_IAM: the request is not signed',
      };
    }
    return {
      allowed: false,
      response: signatureRejected(kind, verified.errorType, verified.message),
      reason: `AWS_IAM: ${verified.errorType}: ${verified.message}`,
    };
  }
  const accountId = input.context.accountId;
  if (input.match.route.payloadVersion === '2.0') {
    return {
      allowed: true,
      authorizer: {
        iam: {
          accessKey: verified.accessKeyId,
          accountId,
          callerId: null,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: null,
          userId: null,
        },
      },
    };
  }
  return { allowed: true, identity: { accessKey: verified.accessKeyId, accountId } };
}

/** 403 with the SigV4 error's type and message, as API Gateway answers a signature that does not verify. */
function signatureRejected(kind: 'rest' | 'http', errorType: string, message: string): GatewayResponse {
  const body = JSON.stringify({ message });
  return kind === 'rest' ? restJson(403, body, errorType) : httpJson(403, body);
}
