import { createHash } from 'node:crypto';
import type { Diagnostics } from './errors.ts';
import {
  describe,
  expectInteger,
  expectRecord,
  expectScalarText,
  expectString,
  type Path,
} from './values.ts';

/** What `Ref` to a parameter gives: a string, or a list for `CommaDelimitedList` and `List<…>` types. */
export type ParameterValue = string | readonly string[];

export interface StackIdentity {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
}

const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/** Values for parameters that have neither an override nor a `Default`, and where they come from. */
export interface ParameterFallbacks {
  readonly values: Readonly<Record<string, string>>;
  /** Named in the message that says they were used, e.g. `samconfig.toml [default.deploy.parameters]`. */
  readonly source: string;
}

/**
 * Each parameter's value: the override when given, else its `Default`, else a fallback; checked against its
 * constraints. A parameter with none of them resolves to '' (`[]` for a list), which is what `sam local` gives a
 * `Ref` it cannot resolve once it reaches an environment variable, and one warning names all such parameters.
 * `Number` parameters stay strings, as `Ref` returns them.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
 */
export function resolveParameters(
  section: unknown,
  overrides: Readonly<Record<string, string>>,
  diag: Diagnostics,
  fallbacks?: ParameterFallbacks,
  passedBy?: string,
): Map<string, ParameterValue> {
  const values = new Map<string, ParameterValue>();
  const missing: string[] = [];
  const fromFallbacks: string[] = [];
  const declared = section === undefined ? {} : expectRecord(section, ['Parameters'], diag);
  for (const [name, definition] of Object.entries(declared)) {
    const path: Path = ['Parameters', name];
    if (!LOGICAL_ID.test(name)) diag.fail(path, 'parameter names must be alphanumeric (A-Z, a-z, 0-9)');
    const parameter = expectRecord(definition, path, diag);
    const type = expectString(parameter.Type, [...path, 'Type'], diag);
    const override = overrides[name];
    const isList = type === 'CommaDelimitedList' || type.startsWith('List<');

    if (type.startsWith('AWS::SSM::Parameter::Value<')) {
      if (override !== undefined) {
        values.set(name, isList || type.includes('<List<') ? override.split(',') : override);
      } else {
        diag.warn(
          path,
          `the SSM parameter it names cannot be read locally; Ref gives '' (pass a value in parameter overrides)`,
        );
        values.set(name, isList || type.includes('<List<') ? [] : '');
      }
      continue;
    }

    let text: string;
    let source: string;
    if (override !== undefined) {
      text = override;
      source = 'the override';
    } else if (parameter.Default !== undefined) {
      text = expectScalarText(parameter.Default, [...path, 'Default'], diag);
      source = 'the Default';
    } else if (fallbacks !== undefined && Object.hasOwn(fallbacks.values, name)) {
      text = fallbacks.values[name] ?? '';
      source = `the value in ${fallbacks.source}`;
      fromFallbacks.push(name);
    } else {
      missing.push(name);
      values.set(name, isList ? [] : '');
      continue;
    }

    const items = isList ? text.split(',') : [text];
    for (const item of items) checkConstraints(item, type, parameter, path, source, diag);
    values.set(name, isList ? items : text);
  }

  if (fromFallbacks.length > 0 && fallbacks !== undefined) {
    diag.warn(
      ['Parameters'],
      `${fromFallbacks.join(', ')} ${fromFallbacks.length === 1 ? 'takes its value' : 'take their values'} from ${fallbacks.source}, which sam local does not read`,
    );
  }
  if (missing.length > 0 && passedBy !== undefined) {
    // A nested stack's parameters come only from its resource in the parent, never from the command line.
    diag.warn(
      ['Parameters'],
      `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no Default and no value in ${passedBy}; Ref gives '' (CloudFormation refuses to create the stack without a value)`,
    );
  } else if (missing.length > 0) {
    const example = missing.map((name) => `${name}=...`).join(' ');
    diag.warn(
      ['Parameters'],
      `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no Default and no value given; Ref gives '' as in sam local (pass --parameter-overrides "${example}" or set parameter_overrides in samconfig.toml)`,
    );
  }

  for (const name of Object.keys(overrides)) {
    if (Object.hasOwn(declared, name)) continue;
    if (passedBy === undefined) {
      diag.warn([], `parameter override ${name} names no parameter of the template; ignored`);
    } else {
      diag.warn(
        ['Parameters'],
        `${passedBy} passes ${name}, which this template does not declare (CloudFormation refuses it); ignored`,
      );
    }
  }
  return values;
}

function checkConstraints(
  value: string,
  type: string,
  parameter: Record<string, unknown>,
  path: Path,
  source: string,
  diag: Diagnostics,
): void {
  const constraint =
    typeof parameter.ConstraintDescription === 'string' ? ` (${parameter.ConstraintDescription})` : '';
  const violated = (key: string, message: string): never =>
    diag.fail([...path, key], `${source} ${JSON.stringify(value)} ${message}${constraint}`);

  if (type === 'Number' || type === 'List<Number>') {
    if (value.trim() === '' || !Number.isFinite(Number(value))) violated('Type', `is not a number`);
    const number = Number(value);
    if (parameter.MinValue !== undefined && number < numberAt(parameter, 'MinValue', path, diag)) {
      violated('MinValue', `is below MinValue ${String(parameter.MinValue)}`);
    }
    if (parameter.MaxValue !== undefined && number > numberAt(parameter, 'MaxValue', path, diag)) {
      violated('MaxValue', `is above MaxValue ${String(parameter.MaxValue)}`);
    }
  } else {
    if (
      parameter.MinLength !== undefined &&
      value.length < expectInteger(parameter.MinLength, [...path, 'MinLength'], diag)
    ) {
      violated('MinLength', `is shorter than MinLength ${String(parameter.MinLength)}`);
    }
    if (
      parameter.MaxLength !== undefined &&
      value.length > expectInteger(parameter.MaxLength, [...path, 'MaxLength'], diag)
    ) {
      violated('MaxLength', `is longer than MaxLength ${String(parameter.MaxLength)}`);
    }
  }

  if (parameter.AllowedValues !== undefined) {
    const allowedPath = [...path, 'AllowedValues'];
    if (!Array.isArray(parameter.AllowedValues)) {
      diag.fail(allowedPath, `expected a list, got ${describe(parameter.AllowedValues)}`);
    }
    const allowed = parameter.AllowedValues.map((item, index) =>
      expectScalarText(item, [...allowedPath, index], diag),
    );
    if (!allowed.includes(value))
      violated('AllowedValues', `is not one of the AllowedValues: ${allowed.join(', ')}`);
  }

  if (parameter.AllowedPattern !== undefined) {
    const pattern = expectString(parameter.AllowedPattern, [...path, 'AllowedPattern'], diag);
    let regex: RegExp | undefined;
    try {
      // CloudFormation matches the whole value against the pattern.
      regex = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      diag.warn([...path, 'AllowedPattern'], 'is not a JavaScript regular expression; not checked locally');
    }
    if (regex !== undefined && !regex.test(value))
      violated('AllowedPattern', `does not match AllowedPattern ${pattern}`);
  }
}

function numberAt(parameter: Record<string, unknown>, key: string, path: Path, diag: Diagnostics): number {
  const raw = parameter[key];
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isFinite(number)) diag.fail([...path, key], `expected a number, got ${describe(raw)}`);
  return number;
}

/** The partition and URL suffix of a region, as `AWS::Partition` and `AWS::URLSuffix` give them. */
export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

/** A stable UUID-shaped id, so `AWS::StackId` is the same on every load of the same stack. */
function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Pseudo parameters for a local stack (`AWS::NoValue` is handled by the resolver: it removes the key).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
 */
export function pseudoParameters(stack: StackIdentity): Map<string, ParameterValue> {
  const { partition, urlSuffix } = partitionOf(stack.region);
  const stackId = `arn:${partition}:cloudformation:${stack.region}:${stack.accountId}:stack/${stack.stackName}/${stableUuid(
    `${stack.region}/${stack.accountId}/${stack.stackName}`,
  )}`;
  return new Map<string, ParameterValue>([
    ['AWS::Region', stack.region],
    ['AWS::AccountId', stack.accountId],
    ['AWS::StackName', stack.stackName],
    ['AWS::StackId', stackId],
    ['AWS::Partition', partition],
    ['AWS::URLSuffix', urlSuffix],
    ['AWS::NotificationARNs', []],
  ]);
}
