/**
 * The errors the Lambda service itself answers to an Invoke request (as opposed to a function error, which is a
 * 200). Each is the HTTP status, `x-amzn-ErrorType: <name>` and a JSON body with `Type` and the message under
 * the member name the Lambda API model gives that exception, which is what `@aws-sdk/client-lambda` reads to
 * throw its modelled exception classes.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
 */
import type { NameProblem } from './function-name.ts';

/** A response of the emulated Lambda API, before it goes on the wire. */
export interface LambdaResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The exception name when this is a service error; for the request log. */
  readonly errorType?: string;
}

/** Lambda's limit on a synchronous (and dry-run) request payload. */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;
/** Lambda's limit on an asynchronous request payload (it was 256 KB until 2025). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;
/** Lambda's limit on the base64 `X-Amz-Client-Context` header. */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

type MessageKey = 'Message' | 'message';

function serviceError(
  statusCode: number,
  errorType: string,
  messageKey: MessageKey,
  message: string,
  extra: Readonly<Record<string, string>> = {},
  headers: Readonly<Record<string, string>> = {},
): LambdaResponse {
  const type = statusCode >= 500 ? 'Service' : 'User';
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorType, ...headers },
    body: Buffer.from(JSON.stringify({ ...extra, Type: type, [messageKey]: message })),
    errorType,
  };
}

/** 404: no such function, or no such version or alias of it (the ARN says which was asked for). */
export function resourceNotFound(arn: string): LambdaResponse {
  return serviceError(404, 'ResourceNotFoundException', 'Message', `Function not found: ${arn}`);
}

/** 400: the payload is not JSON. The detail after the prefix is the parser's own, as on Lambda. */
export function invalidPayload(detail: string): LambdaResponse {
  return serviceError(
    400,
    'InvalidRequestContentException',
    'message',
    `Could not parse request body into json: Could not parse payload into json: ${detail}`,
  );
}

/** 400: `X-Amz-Client-Context` is not base64 of a JSON object (Lambda's wording). */
export function invalidClientContext(): LambdaResponse {
  return serviceError(
    400,
    'InvalidRequestContentException',
    'message',
    'Client context must be a valid Base64-encoded JSON object.',
  );
}

/** 400: a parameter is understood but cannot be honoured. */
export function invalidParameterValue(message: string): LambdaResponse {
  return serviceError(400, 'InvalidParameterValueException', 'message', message);
}

/**
 * 400: a parameter breaks the API model's constraints (pattern, length, enum), reported as AWS's request
 * validation does; the SDK has no class for it and throws a `LambdaServiceException` named `ValidationException`.
 */
export function validationError(problem: NameProblem | EnumProblem): LambdaResponse {
  return serviceError(
    400,
    'ValidationException',
    'message',
    `1 validation error detected: Value '${problem.value}' at '${problem.member}' failed to satisfy constraint: ${problem.constraint}`,
  );
}

export interface EnumProblem {
  readonly member: 'invocationType' | 'logType';
  readonly value: string;
  readonly constraint: string;
}

export function enumProblem(
  member: EnumProblem['member'],
  value: string,
  allowed: readonly string[],
): EnumProblem {
  return { member, value, constraint: `Member must satisfy enum value set: [${allowed.join(', ')}]` };
}

/** 413, with Lambda's message naming the size, the invocation type and its limit. */
export function requestTooLarge(bytes: number, invocationType: string, limit: number): LambdaResponse {
  return serviceError(
    413,
    'RequestTooLargeException',
    'message',
    `${bytes} byte payload is too large for the ${invocationType} invocation type (limit ${limit} bytes)`,
  );
}

/** 429 for a function whose reserved concurrency is used up (locally: set to 0). */
export function tooManyRequests(): LambdaResponse {
  return serviceError(429, 'TooManyRequestsException', 'message', 'Rate Exceeded.', {
    Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
  });
}

/** 500: the emulator failed, not the function. */
export function serviceException(message: string): LambdaResponse {
  return serviceError(500, 'ServiceException', 'Message', message);
}

/** 404 for anything but the Invoke operation: the only one emulated. */
export function unknownOperation(method: string, path: string): LambdaResponse {
  return serviceError(
    404,
    'UnknownOperationException',
    'message',
    `${method} ${path} is not an operation this emulator serves: only Invoke, POST /2015-03-31/functions/{FunctionName}/invocations`,
  );
}

/** 405 for the Invoke path with another method; `Allow` says which one would do. */
export function methodNotAllowed(method: string): LambdaResponse {
  return serviceError(
    405,
    'UnknownOperationException',
    'message',
    `${method} is not allowed here: Invoke is POST /2015-03-31/functions/{FunctionName}/invocations`,
    {},
    { Allow: 'POST' },
  );
}
