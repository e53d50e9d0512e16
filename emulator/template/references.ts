import type { Diagnostics } from './errors.ts';
import { stackWideOwner } from './generated.ts';
import type { ResourceEntry } from './resources.ts';
import { intrinsicName, isRecord, type Path } from './values.ts';

const REFUSED_AT_DEPLOY =
  ' (CloudFormation refuses the template; it runs here while nothing needs the value)';

export interface DeclaredNames {
  readonly parameters: ReadonlySet<string>;
  readonly pseudoParameters: ReadonlySet<string>;
  readonly conditions: ReadonlySet<string>;
  readonly resources: ReadonlyMap<string, ResourceEntry>;
}

/**
 * Reports a `Ref`, `Fn::GetAtt`, `Fn::Sub` variable or `DependsOn` naming nothing the template declares,
 * wherever it sits (even in a branch never taken), as CloudFormation validates templates before it runs them.
 * Those are warnings: `sam local` does not validate references and runs such templates (public ones with a
 * broken `Role: !GetAtt …` exist), so the emulator runs them too, and fails only if it needs the value. An
 * `Fn::If` or `Condition` naming an undeclared condition fails, since conditions decide what exists. Names that
 * start with a SAM resource's logical id pass: SAM generates resources with such names (`MyFunctionRole`,
 * `MyApiProdStage`).
 */
export function checkReferences(
  template: Record<string, unknown>,
  names: DeclaredNames,
  diag: Diagnostics,
): void {
  const samPrefixes = [...names.resources.values()]
    .filter((entry) => entry.type.startsWith('AWS::Serverless::'))
    .map((entry) => entry.logicalId);
  const isResource = (name: string): boolean =>
    names.resources.has(name) ||
    samPrefixes.some((prefix) => name.startsWith(prefix)) ||
    stackWideOwner(name, names.resources) !== undefined;

  const checkRef = (name: string, path: Path): void => {
    if (names.pseudoParameters.has(name) || name === 'AWS::NoValue' || names.parameters.has(name)) return;
    if (name.startsWith('AWS::')) {
      diag.warn(path, `${name} is not a CloudFormation pseudo parameter${REFUSED_AT_DEPLOY}`);
      return;
    }
    const dot = name.indexOf('.');
    if (isResource(name) || (dot > 0 && isResource(name.slice(0, dot)))) return;
    diag.warn(
      path,
      `Ref ${name}: no parameter, pseudo parameter or resource has this name${REFUSED_AT_DEPLOY}`,
    );
  };
  const checkResource = (name: string, path: Path): void => {
    if (!isResource(name))
      diag.warn(path, `Fn::GetAtt ${name}: no resource has this logical id${REFUSED_AT_DEPLOY}`);
  };
  const checkCondition = (name: unknown, path: Path): void => {
    if (typeof name === 'string' && !names.conditions.has(name)) {
      diag.fail(path, `refers to condition ${name}, which the Conditions section does not declare`);
    }
  };

  const visit = (value: unknown, path: Path, inConditions: boolean): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, [...path, index], inConditions);
      });
      return;
    }
    if (!isRecord(value)) return;
    const name = intrinsicName(value);
    const argument = name === undefined ? undefined : value[name];
    const argumentPath: Path = name === undefined ? path : [...path, name];
    if (name === 'Ref' && typeof argument === 'string') checkRef(argument, argumentPath);
    if (name === 'Fn::GetAtt') {
      const target =
        typeof argument === 'string' ? argument.split('.')[0] : Array.isArray(argument) ? argument[0] : '';
      if (typeof target === 'string') checkResource(target, argumentPath);
    }
    if (name === 'Fn::Sub') checkSubVariables(argument, argumentPath, checkRef, checkResource);
    if (name === 'Fn::If' && Array.isArray(argument)) checkCondition(argument[0], [...argumentPath, 0]);
    if (name === 'Condition' && inConditions) checkCondition(argument, argumentPath);
    for (const [key, item] of Object.entries(value)) visit(item, [...path, key], inConditions);
  };

  for (const [name, condition] of Object.entries(isRecord(template.Conditions) ? template.Conditions : {})) {
    visit(condition, ['Conditions', name], true);
  }
  for (const section of ['Globals', 'Resources', 'Outputs'] as const) {
    const entries = template[section];
    if (!isRecord(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      visit(entry, [section, name], false);
      if (section === 'Globals' || !isRecord(entry)) continue;
      checkCondition(entry.Condition, [section, name, 'Condition']);
      if (section === 'Resources')
        checkDependsOn(entry.DependsOn, [section, name, 'DependsOn'], isResource, diag);
    }
  }
}

function checkSubVariables(
  argument: unknown,
  path: Path,
  checkRef: (name: string, path: Path) => void,
  checkResource: (name: string, path: Path) => void,
): void {
  const [template, variables] = Array.isArray(argument) ? argument : [argument, undefined];
  if (typeof template !== 'string') return;
  const local = isRecord(variables) ? variables : {};
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    if (name.startsWith('!') || Object.hasOwn(local, name)) continue;
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) checkResource(name.slice(0, dot), path);
    else checkRef(name, path);
  }
}

/** `DependsOn` may name a resource SAM generates (`MyApiProdStage`, `MyFunctionRole`), as a Ref may. */
function checkDependsOn(
  value: unknown,
  path: Path,
  isResource: (name: string) => boolean,
  diag: Diagnostics,
): void {
  const targets = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  for (const target of targets) {
    if (typeof target === 'string' && !isResource(target)) {
      diag.warn(path, `DependsOn ${target}: no resource has this logical id${REFUSED_AT_DEPLOY}`);
    }
  }
}
