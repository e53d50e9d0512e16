import { isRecord } from '../../template/values.ts';

/** What an IAM policy says of one request: `allow`, `deny` (an explicit Deny), or `implicit-deny` (nothing allows it). */
export type PolicyDecision = 'allow' | 'deny' | 'implicit-deny';

/** A policy document a Lambda authorizer returned, checked to be one IAM can evaluate. */
export interface PolicyDocument {
  readonly statements: readonly PolicyStatement[];
}

interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

const INVOKE_ACTION = 'execute-api:Invoke';

/**
 * The `policyDocument` of an authorizer's answer, or why API Gateway would reject it (a 500
 * AuthorizerConfigurationException): `Statement` one statement or a list, each with `Effect` Allow or Deny,
 * `Action` and `Resource` a string or a list of strings.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
export function readPolicyDocument(value: unknown): PolicyDocument | string {
  if (!isRecord(value)) return 'policyDocument is missing or not an object';
  const statement = value.Statement;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (list.length === 0) return 'policyDocument has no Statement';
  const statements: PolicyStatement[] = [];
  for (const [index, item] of list.entries()) {
    if (!isRecord(item)) return `Statement[${index}] is not an object`;
    const effect = item.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return `Statement[${index}].Effect must be Allow or Deny`;
    const actions = stringList(item.Action);
    const resources = stringList(item.Resource);
    if (actions === undefined) return `Statement[${index}].Action must be a string or a list of strings`;
    if (resources === undefined) return `Statement[${index}].Resource must be a string or a list of strings`;
    statements.push({ effect, actions, resources });
  }
  return { statements };
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
    return value;
  return undefined;
}

/**
 * IAM's evaluation of `execute-api:Invoke` on `methodArn`: an explicit Deny wins over any Allow, and without an
 * Allow the request is implicitly denied. `*` matches any run of characters (`/` and `:` included) and `?` any
 * one character, in actions (case-insensitively, as IAM compares them) and resources (case-sensitively).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 */
export function evaluatePolicy(policy: PolicyDocument, methodArn: string): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    const applies =
      statement.actions.some((action) => wildcardMatch(action.toLowerCase(), INVOKE_ACTION.toLowerCase())) &&
      statement.resources.some((resource) => wildcardMatch(resource, methodArn));
    if (!applies) continue;
    if (statement.effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/** Whether `text` matches `pattern` whole, `*` standing for any run of characters and `?` for one. */
export function wildcardMatch(pattern: string, text: string): boolean {
  // Iterative with backtracking to the last `*`: linear-ish, no regular expression built from user input.
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p += 1;
      t += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      resume = t;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
