/**
 * The `FunctionName` path parameter of the Invoke API and its `Qualifier`: which function of the template a
 * caller means, in any of the forms Lambda accepts.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestParameters
 */
import type { FunctionModel } from '../template/model.ts';
import { functionsNamed } from '../template/nested.ts';

/** The only version that exists locally: nothing is ever published. */
export const LATEST = '$LATEST';

export interface FunctionReference {
  /** The bare name, without ARN parts or qualifier. */
  readonly name: string;
  /** From `name:qualifier` or the ARN's last part; `undefined` when unqualified. */
  readonly qualifier: string | undefined;
  /** Only when the caller gave a full ARN. */
  readonly region: string | undefined;
  /** Only when the caller gave a full or partial ARN. */
  readonly accountId: string | undefined;
}

/** Why a name or qualifier was refused, in the words of Lambda's request validation. */
export interface NameProblem {
  readonly member: 'functionName' | 'qualifier';
  readonly value: string;
  readonly constraint: string;
}

// The documented pattern, quoted in Lambda's validation message.
const DOCUMENTED_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?' +
  '([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
// Anchored, with the optional parts named; backtracking settles `name:qualifier` against `region:name`.
const FUNCTION_NAME =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(?<account>\d{12}):)?(?:function:)?(?<name>[a-zA-Z0-9_.-]+)(?::(?<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$/;
/** Logical ids of nested stacks, outermost first: `Child` or `Child/Grandchild`. */
const STACK_PATH = /^[A-Za-z0-9]+(?:\/[A-Za-z0-9]+)*$/;
const QUALIFIER = /^[a-zA-Z0-9$_-]{1,128}$/;
const MAX_NAME_LENGTH = 64;
const MAX_ARN_LENGTH = 170;

/**
 * Reads a decoded `FunctionName`: a name, `name:qualifier`, a partial ARN (`123456789012:function:name`) or a
 * full ARN, with the length limits Lambda applies (64 for a bare name, 170 with ARN parts).
 */
export function parseFunctionName(value: string): FunctionReference | NameProblem {
  // sam local's Invoke endpoint also takes a nested stack's function by full path (`Child/Function`, or
  // `Child/<any form above>`): the stack path is kept and the last part read as Lambda reads a name
  // (aws-sam-cli `normalize_sam_function_identifier`).
  const slash = value.lastIndexOf('/');
  if (slash !== -1) {
    const stackPath = value.slice(0, slash);
    const inStack = parseLambdaName(value.slice(slash + 1));
    if (isNameProblem(inStack)) return { ...inStack, value };
    if (!STACK_PATH.test(stackPath)) {
      return {
        member: 'functionName',
        value,
        constraint: `Member must satisfy regular expression pattern: ${DOCUMENTED_PATTERN}`,
      };
    }
    return { ...inStack, name: `${stackPath}/${inStack.name}` };
  }
  return parseLambdaName(value);
}

/** A name in any of the forms Lambda's Invoke accepts. */
function parseLambdaName(value: string): FunctionReference | NameProblem {
  const problem = (constraint: string): NameProblem => ({ member: 'functionName', value, constraint });
  if (value.length === 0) return problem('Member must have length greater than or equal to 1');
  if (value.length > MAX_ARN_LENGTH)
    return problem(`Member must have length less than or equal to ${MAX_ARN_LENGTH}`);
  const groups = FUNCTION_NAME.exec(value)?.groups;
  const name = groups?.name;
  if (groups === undefined || name === undefined)
    return problem(`Member must satisfy regular expression pattern: ${DOCUMENTED_PATTERN}`);
  if (name.length > MAX_NAME_LENGTH)
    return problem(`Member must have length less than or equal to ${MAX_NAME_LENGTH}`);
  return {
    name,
    qualifier: groups.qualifier,
    region: groups.region,
    accountId: groups.account,
  };
}

/** The `Qualifier` query parameter; an empty one counts as absent, as the API's pattern allows it. */
export function parseQualifier(value: string | null): string | undefined | NameProblem {
  if (value === null || value === '') return undefined;
  if (QUALIFIER.test(value)) return value;
  return {
    member: 'qualifier',
    value,
    constraint: 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)',
  };
}

export function isNameProblem(value: unknown): value is NameProblem {
  return typeof value === 'object' && value !== null && 'constraint' in value;
}

/**
 * The function a name designates. The deployed name (`FunctionName`, or the logical id when the template sets
 * none) wins over a logical id, so a name that is both means what it would mean on AWS. A function of a nested
 * stack answers to its own logical id and name too (Lambda's name pattern has no `/` for a full path
 * `Child/Function`); among several, the first by full path, as sam local's `SamFunctionProvider.get` picks it.
 */
export function findFunction(
  functions: ReadonlyMap<string, FunctionModel>,
  name: string,
): FunctionModel | undefined {
  const named = functionsNamed(functions, name);
  return named.find((fn) => fn.functionName === name) ?? functions.get(name) ?? named[0];
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  const arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  return qualifier === undefined ? arn : `${arn}:${qualifier}`;
}
