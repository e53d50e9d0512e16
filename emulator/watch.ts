import { type Dirent, existsSync, type FSWatcher, readdirSync, watch } from 'node:fs';
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
 * folders in {@link SKIPPED}. Folders created later are watched as they appear.
 */
export function watchTree(root: string, onChange: () => void, debounceMs = 50): TreeWatcher {
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
        changed();
        if (name === null || SKIPPED.has(name.toString())) return;
        // A rename may be a folder appearing (watch it) or going (forget it, so that one made again is watched).
        const child = path.join(dir, name.toString());
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
