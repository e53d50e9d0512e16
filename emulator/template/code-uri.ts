import { type Dirent, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, parse as parsePath, resolve } from 'node:path';
import type { Diagnostics } from './errors.ts';
import type { Path } from './values.ts';

/** The archives SAM CLI unzips before it runs a function from them (`LambdaRuntime.SUPPORTED_ARCHIVE_EXTENSIONS`). */
const ARCHIVE = /\.(zip|jar)$/i;

/** A function's code location as written in the template, and where to report a problem with it. */
export interface CodeLocation {
  readonly logicalId: string;
  /** `CodeUri` (or `Code`) exactly as written, e.g. `ProducerFunction/`. */
  readonly written: string;
  readonly handler: string;
  /** The property path that set it: the function's own, or `Globals.Function.CodeUri`. */
  readonly path: Path;
}

/** Whether `file` is a .zip (or .jar) archive that SAM CLI would unzip and run the function from. */
export function isCodeArchive(file: string): boolean {
  return ARCHIVE.test(file);
}

/**
 * Fails, in one line naming the function, when its code location is not a folder. SAM takes a folder or a .zip
 * of one for `CodeUri`; SAM CLI runs the folder as it is and unzips an archive first. A file that is not an
 * archive (a handler's own `.js`), or a folder that does not exist, never runs on Lambda; for a missing folder the
 * entry of the same name in another case, or one edit away, is suggested (`ProducerFunction/` written for
 * `producerFunction/`, which works on macOS's case-insensitive disks and nowhere else).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-codeuri
 */
export function checkCodeLocation(
  location: CodeLocation,
  templateDirectory: string,
  diag: Diagnostics,
): 'folder' | 'archive' {
  const absolute = resolve(templateDirectory, location.written);
  const kind = kindOf(absolute);
  if (kind === 'folder') return 'folder';
  if (kind === 'file') {
    if (isCodeArchive(absolute)) return 'archive';
    const file = parsePath(location.written);
    const exported = location.handler.slice(location.handler.lastIndexOf('.') + 1);
    return diag.fail(
      location.path,
      `${location.logicalId}'s code is ${location.written}, a file: SAM takes a folder that holds the handler's ` +
        `file, or a .zip of one; set CodeUri to ${file.dir === '' ? './' : `${file.dir}/`} and Handler to ` +
        `${file.name}.${exported}`,
    );
  }
  const suggestion = nearestFolder(location.written, templateDirectory);
  return diag.fail(
    location.path,
    `${location.logicalId}'s code ${isCodeArchive(absolute) ? 'archive' : 'folder'} ${location.written} does not ` +
      `exist (no ${absolute})` +
      (suggestion === undefined ? '' : `; did you mean ${suggestion}?`),
  );
}

function kindOf(absolute: string): 'folder' | 'file' | 'missing' {
  try {
    const stats = statSync(absolute);
    return stats.isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * `written` with its first missing segment replaced by the one folder beside it that differs only in case or by
 * one edit, when the whole corrected path then is a folder; `undefined` when there is no such single folder.
 */
function nearestFolder(written: string, templateDirectory: string): string | undefined {
  const segments = written.split(/[\\/]/);
  let directory = isAbsolute(written) ? '/' : templateDirectory;
  const corrected: string[] = [];
  let replaced = false;
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      corrected.push(segment);
      directory = join(directory, segment);
      continue;
    }
    let name = segment;
    if (kindOf(join(directory, segment)) !== 'folder') {
      if (replaced) return undefined;
      const near = nearNames(segment, folderNames(directory));
      if (near === undefined) return undefined;
      name = near;
      replaced = true;
    }
    corrected.push(name);
    directory = join(directory, name);
  }
  return replaced ? corrected.join('/') : undefined;
}

function folderNames(directory: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** The one name equal to `wanted` but for case, else the one name a single edit away. */
function nearNames(wanted: string, names: readonly string[]): string | undefined {
  const sameButCase = names.filter((name) => name.toLowerCase() === wanted.toLowerCase());
  if (sameButCase.length === 1) return sameButCase[0];
  const oneEdit = names.filter((name) => editDistanceIsOne(name.toLowerCase(), wanted.toLowerCase()));
  return oneEdit.length === 1 ? oneEdit[0] : undefined;
}

/** True when one insertion, deletion or substitution turns `a` into `b`. */
function editDistanceIsOne(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
