import { type FSWatcher, statSync, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { FunctionCode } from '../runtime/pool.ts';
import { isCodeArchive } from '../template/code-uri.ts';
import type { FunctionModel } from '../template/model.ts';
import { folderNameOf } from '../template/nested.ts';
import { handlerModule } from './esbuild.ts';
import { unzip } from './unzip.ts';

/** Whether the function's CodeUri is a .zip (or .jar) file, which SAM CLI unzips and runs the function from. */
export function isArchiveCode(fn: FunctionModel): boolean {
  if (!isCodeArchive(fn.codeUri)) return false;
  try {
    return statSync(fn.codeUri).isFile();
  } catch {
    return false;
  }
}

/**
 * The function's CodeUri archive unzipped into a folder of its own under `buildRoot`, as SAM CLI's
 * `LambdaRuntime._get_code_dir` unzips it into a temporary folder and runs the function from there.
 */
export function unzippedCode(fn: FunctionModel, buildRoot: string, generation: number): FunctionCode {
  const dir = path.join(buildRoot, `${folderNameOf(fn.logicalId)}-unzipped-${generation}`);
  unzip(fn.codeUri, dir);
  return { dir, ...handlerModule(dir, fn.handler) };
}

/**
 * Unzips the archive again, into a fresh folder, each time it is replaced; an archive that cannot be read (one
 * still being written, say) is reported and the last good code keeps serving.
 */
export function watchArchive(
  fn: FunctionModel,
  buildRoot: string,
  log: Logger,
  onCode: (code: FunctionCode) => void,
): { code: FunctionCode; stop(): Promise<void> } {
  let generation = 0;
  const code = unzippedCode(fn, buildRoot, generation);
  let timer: NodeJS.Timeout | undefined;
  const reunzip = () => {
    try {
      onCode(unzippedCode(fn, buildRoot, ++generation));
      log.info(`${fn.logicalId}: ${path.basename(fn.codeUri)} changed, unzipped again`);
    } catch (error) {
      log.error(
        `${error instanceof Error ? error.message : String(error)}\n  (still serving the last good code)`,
      );
    }
  };
  // The folder, not the file: a tool that writes the archive anew replaces the file a watcher would hold.
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(fn.codeUri), (_event, name) => {
      if (name?.toString() !== path.basename(fn.codeUri)) return;
      clearTimeout(timer);
      timer = setTimeout(reunzip, 100);
    });
  } catch {
    watcher = undefined;
  }
  return {
    code,
    async stop() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
