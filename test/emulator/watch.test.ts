import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { type TreeWatcher, watchTree } from '../../emulator/watch.ts';
import { eventually } from '../support/wait.ts';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watching a function’s code folder', () => {
  let root: string;
  let watcher: TreeWatcher | undefined;
  let changes: number;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'watch-tree-'));
    mkdirSync(path.join(root, 'src', 'lib'), { recursive: true });
    mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'lib', 'util.js'), 'module.exports = 1;');
    writeFileSync(path.join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;');
    changes = 0;
    watcher = watchTree(root, () => changes++, 20);
  });

  afterEach(() => {
    watcher?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports an edit in a nested folder, once for a burst of writes', async () => {
    for (let i = 0; i < 5; i++)
      writeFileSync(path.join(root, 'src', 'lib', 'util.js'), `module.exports = ${i};`);
    await eventually(() => expect(changes).to.equal(1), 2000);
    await settle(100);
    expect(changes).to.equal(1);
  });

  it('does not watch node_modules, whose folders would take seconds to watch on Linux', async () => {
    writeFileSync(path.join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 2;');
    await settle(200);
    expect(changes).to.equal(0);
  });

  it('watches a folder created after it started, and one deleted and created again', async () => {
    mkdirSync(path.join(root, 'src', 'added'));
    await eventually(() => expect(changes).to.be.greaterThan(0), 2000);
    await settle(100);
    const before = changes;
    writeFileSync(path.join(root, 'src', 'added', 'new.js'), 'module.exports = 3;');
    await eventually(() => expect(changes).to.be.greaterThan(before), 2000);

    rmSync(path.join(root, 'src', 'added'), { recursive: true });
    await settle(100);
    mkdirSync(path.join(root, 'src', 'added'));
    await settle(100);
    const recreated = changes;
    writeFileSync(path.join(root, 'src', 'added', 'again.js'), 'module.exports = 4;');
    await eventually(() => expect(changes).to.be.greaterThan(recreated), 2000);
  });
});
