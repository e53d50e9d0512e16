import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ArchiveError, unzip } from '../../../emulator/build/unzip.ts';
import { ConfigError } from '../../../emulator/config.ts';
import { zipArchive } from '../../support/zip.ts';

describe('unzip, as SAM CLI unzips a CodeUri archive before running it', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'unzip-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function archive(entries: Parameters<typeof zipArchive>[0]): string {
    const file = join(root, 'code.zip');
    writeFileSync(file, zipArchive(entries));
    return file;
  }

  it('extracts stored and deflated files into nested folders, keeping Unix permissions and symbolic links', () => {
    const file = archive([
      { name: 'lib/', content: '', mode: 0o40755, stored: true },
      { name: 'app.js', content: 'exports.handler = async () => 1;\n' },
      { name: 'lib/data.json', content: '{"ok":true}', stored: true },
      { name: 'bin/tool', content: '#!/bin/sh\n', mode: 0o100755 },
      { name: 'index.js', content: 'app.js', mode: 0o120777, stored: true },
    ]);

    unzip(file, join(root, 'out'));

    expect(readFileSync(join(root, 'out', 'app.js'), 'utf8')).to.equal('exports.handler = async () => 1;\n');
    expect(readFileSync(join(root, 'out', 'lib', 'data.json'), 'utf8')).to.equal('{"ok":true}');
    expect(statSync(join(root, 'out', 'bin', 'tool')).mode & 0o777).to.equal(0o755);
    expect(lstatSync(join(root, 'out', 'index.js')).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(join(root, 'out', 'index.js'))).to.equal('app.js');
  });

  it('refuses an entry that would land outside the folder (zip slip), as a one-line ConfigError', () => {
    const file = archive([{ name: '../escaped.js', content: 'x' }]);

    expect(() => unzip(file, join(root, 'out')))
      .to.throw(ArchiveError, `${file}: entry ../escaped.js would be written outside the folder`)
      .that.is.instanceOf(ConfigError);
  });

  it('refuses a symbolic link that points outside the folder', () => {
    const file = archive([{ name: 'link', content: '../../etc/passwd', mode: 0o120777, stored: true }]);

    expect(() => unzip(file, join(root, 'out'))).to.throw(ArchiveError, 'links outside the folder');
  });

  it('refuses a file that is not a .zip, and an entry whose checksum does not match', () => {
    const notZip = join(root, 'notes.zip');
    writeFileSync(notZip, 'just text');
    const damaged = zipArchive([{ name: 'app.js', content: 'exports.handler = 1;', stored: true }]);
    const firstDataByte = 30 + 'app.js'.length;
    damaged.writeUInt8(damaged.readUInt8(firstDataByte) ^ 0xff, firstDataByte);
    const damagedFile = join(root, 'damaged.zip');
    writeFileSync(damagedFile, damaged);

    expect(() => unzip(notZip, join(root, 'a'))).to.throw(ArchiveError, 'not a .zip archive');
    expect(() => unzip(damagedFile, join(root, 'b'))).to.throw(
      ArchiveError,
      'entry app.js: checksum mismatch',
    );
  });
});
