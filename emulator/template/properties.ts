import type { Diagnostics } from './errors.ts';
import type { MergedProperties } from './globals.ts';
import type { Resolver } from './intrinsics.ts';
import { expectList, expectRecord, isRecord, type Path } from './values.ts';

/**
 * Reads a resource's (merged) properties level by level, resolving intrinsics on the way, so that each value
 * is checked and reported where it was written: in the resource or in Globals.
 */
export class PropertyReader {
  constructor(
    private readonly merged: MergedProperties,
    private readonly resolver: Resolver,
    private readonly diag: Diagnostics,
  ) {}

  /** Where the property at `relative` was written. */
  pathOf(relative: Path): Path {
    return this.merged.pathOf(relative);
  }

  /** The fully resolved value at `relative`; `undefined` when absent or `AWS::NoValue`. */
  value(relative: Path): unknown {
    const node = this.node(relative);
    return node === undefined ? undefined : this.resolver.resolve(node, this.pathOf(relative));
  }

  /** The map at `relative`, its entries still unresolved; `undefined` when absent. */
  map(relative: Path): Readonly<Record<string, unknown>> | undefined {
    const node = this.node(relative);
    return node === undefined ? undefined : expectRecord(node, this.pathOf(relative), this.diag);
  }

  /** The list at `relative`, its items still unresolved; `undefined` when absent. */
  list(relative: Path): readonly unknown[] | undefined {
    const node = this.node(relative);
    return node === undefined ? undefined : expectList(node, this.pathOf(relative), this.diag);
  }

  /** The raw value written at `relative`, before any resolution (to tell `!Ref X` from a literal). */
  raw(relative: Path): unknown {
    let current: unknown = this.merged.values;
    for (const key of relative) {
      if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
      else current = isRecord(current) ? current[key] : undefined;
    }
    return current;
  }

  /** The value at `relative`, resolved only if it is itself an intrinsic (its items are not). */
  node(relative: Path): unknown {
    let current: unknown = this.merged.values;
    for (let depth = 0; depth < relative.length; depth += 1) {
      const key = relative[depth];
      const containerPath = this.pathOf(relative.slice(0, depth));
      let child: unknown;
      if (typeof key === 'number') {
        child = expectList(current, containerPath, this.diag)[key];
      } else if (key !== undefined) {
        const container = expectRecord(current, containerPath, this.diag);
        child = Object.hasOwn(container, key) ? container[key] : undefined;
      }
      if (child === undefined) return undefined;
      current = this.resolver.shallow(child, this.pathOf(relative.slice(0, depth + 1)));
      if (current === undefined) return undefined;
    }
    return current;
  }
}
