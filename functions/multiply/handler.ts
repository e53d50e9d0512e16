import { HttpError } from '../shared/errors.ts';
import { isRecord } from '../shared/guards.ts';
import { type ApiRequest, type ApiResult, handleApiEvent, jsonResponse } from '../shared/http.ts';

const EXAMPLE = 'send a JSON object such as {"a": 12, "b": 3}';

export interface Operands {
  readonly a: number;
  readonly b: number;
}

/** `POST /multiply` with `{"a": 12, "b": 3}` → `{"result": 36}`. */
export async function handler(event: unknown): Promise<ApiResult> {
  return handleApiEvent(event, multiplyRequest);
}

async function multiplyRequest(request: ApiRequest): Promise<ApiResult> {
  const { a, b } = parseOperands(request.body);
  const result = multiply(a, b);
  // JSON has no Infinity: JSON.stringify would silently turn it into null.
  if (!Number.isFinite(result)) {
    throw new HttpError(400, 'The product of "a" and "b" is too large to represent as a JSON number');
  }
  return jsonResponse(200, { result });
}

export function multiply(a: number, b: number): number {
  return a * b;
}

/** Reads `a` and `b` from a JSON body; only finite JSON numbers count (no strings, booleans or null). */
export function parseOperands(body: string | undefined): Operands {
  if (body === undefined || body.trim() === '')
    throw new HttpError(400, `Request body is missing: ${EXAMPLE}`);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, `Request body is not valid JSON: ${EXAMPLE}`, { cause: error });
  }
  if (!isRecord(data)) throw new HttpError(400, `Request body must be a JSON object: ${EXAMPLE}`);
  if (!Object.hasOwn(data, 'a') || !Object.hasOwn(data, 'b')) {
    throw new HttpError(400, 'You must provide keys for both "a" and "b"');
  }
  const { a, b } = data;
  // JSON.parse turns 1e400 into Infinity, which is no more a usable number than a string is.
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new HttpError(400, 'One or both of the values are not a number');
  }
  return { a, b };
}
