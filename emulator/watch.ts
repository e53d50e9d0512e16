import { createHash } from 'node:crypto';
import {
  type Dirent,
  existsSync,
  type FSWatcher,
  fstatSync,
  readdirSync,
  readFileSync,
  statSync,
  watch,
} from 'node:fs';
import path from 'node:path';

/**
 * Folders a code watcher never enters: dependencies, version control and build output. On Linux a recursive
 * `fs.watch` walks every folder below and watches each one: over a project's node_modules that takes seconds
 * before the first request (2 s for ~1,400 folders, measured) and can exhaust the inotify limit.
 */
const SKIPPED = new Set(['node_modules', '.git', '.aws-sam', '.hg', '.svn', 'coverage']);

export interface TreeWatcher {
  close(): void;
}

/**
 * Calls `onChange` (debounced by `debounceMs`) when a file changes anywhere under `root`, except under the
 * folders in {@link SKIPPED}, files `ignored` says are not code, and the files this process logs to. Folders created later are watched as they appear.
 */
export function watchTree(
  root: string,
  onChange: () => void,
  debounceMs = 50,
  ignored: (file: string) => boolean = () => false,
): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const add = (dir: string): void => {
    if (closed || watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        const child = name === null ? undefined : path.join(dir, name.toString());
        if (child !== undefined && (ignored(child) || isOwnOutput(child))) return;
        changed();
        if (name === null || child === undefined || SKIPPED.has(name.toString())) return;
        // A rename may be a folder appearing (watch it) or going (forget it, so that one made again is watched).
        if (existsSync(child)) addTree(child);
        else removeTree(child);
      });
    } catch {
      return;
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
  };
  const addTree = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    add(dir);
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED.has(entry.name)) addTree(path.join(dir, entry.name));
    }
  };
  const removeTree = (dir: string): void => {
    for (const [watched, watcher] of watchers) {
      if (watched === dir || watched.startsWith(`${dir}${path.sep}`)) {
        watcher.close();
        watchers.delete(watched);
      }
    }
  };
  addTree(root);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/**
 * The files this process's stdout and stderr are redirected to (`npm start > emulator.log`), by device and
 * inode. A log file inside a watched code folder (CodeUri `.`, the template's folder, is common) would otherwise
 * trigger a rebuild whose log line triggers the next one, forever.
 */
const OWN_OUTPUT = new Set(
  [1, 2].flatMap((fd) => {
    try {
      const stats = fstatSync(fd);
      return stats.isFile() ? [`${stats.dev}:${stats.ino}`] : [];
    } catch {
      return [];
    }
  }),
);

function isOwnOutput(file: string): boolean {
  if (OWN_OUTPUT.size === 0) return false;
  try {
    const stats = statSync(file);
    return OWN_OUTPUT.has(`${stats.dev}:${stats.ino}`);
  } catch {
    return false;
  }
}

export interface FilesWatcher {
  /** Watches these files from now on (the template's includes change with it); the others are forgotten. */
  set(files: Iterable<string>): void;
  close(): void;
}

/**
 * Calls `onChange` (debounced) when one of `files` is written, replaced, deleted or created, however it is
 * saved. Each file's folder is watched rather than the file: a watch on the file follows its inode, and a save
 * that replaces it (vim, an IDE's safe write, `sed -i`, `git checkout`, `git stash`) leaves that watch on the
 * old, unlinked inode, deaf to every later edit. A change that leaves the content as it was (a `touch`, a
 * checkout of the same version, an editor's backup dance) is not reported.
 */
export function watchFiles(files: Iterable<string>, onChange: () => void, debounceMs = 100): FilesWatcher {
  const folders = new Map<string, FSWatcher>();
  /** The content each file had when last seen; undefined while it does not exist. */
  const seen = new Map<string, string | undefined>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const check = () => {
    let changed = false;
    for (const [file, before] of seen) {
      const now = contentOf(file);
      if (now === before) continue;
      seen.set(file, now);
      changed = true;
    }
    if (changed && !closed) onChange();
  };
  const changedIn = (folder: string, name: string | null) => {
    // Without a name (some platforms omit it), any watched file of the folder may have changed.
    const relevant = [...seen.keys()].some(
      (file) => path.dirname(file) === folder && (name === null || path.basename(file) === name),
    );
    if (!relevant) return;
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  };
  const watchFolder = (folder: string) => {
    if (folders.has(folder)) return;
    try {
      const watcher = watch(folder, (_event, name) =>
        changedIn(folder, name === null ? null : name.toString()),
      );
      watcher.on('error', () => {
        watcher.close();
        folders.delete(folder);
      });
      folders.set(folder, watcher);
    } catch {
      // A folder that does not exist (yet): nothing in it can be loaded either.
    }
  };
  const watcher: FilesWatcher = {
    set(next) {
      const wanted = new Set([...next].map((file) => path.resolve(file)));
      for (const file of [...seen.keys()]) if (!wanted.has(file)) seen.delete(file);
      for (const file of wanted) if (!seen.has(file)) seen.set(file, contentOf(file));
      const wantedFolders = new Set([...wanted].map((file) => path.dirname(file)));
      for (const [folder, folderWatcher] of folders) {
        if (wantedFolders.has(folder)) continue;
        folderWatcher.close();
        folders.delete(folder);
      }
      for (const folder of wantedFolders) watchFolder(folder);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const folderWatcher of folders.values()) folderWatcher.close();
      folders.clear();
    },
  };
  watcher.set(files);
  return watcher;
}

function contentOf(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}
