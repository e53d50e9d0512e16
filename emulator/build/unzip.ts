import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { ConfigError } from '../config.ts';

/**
 * A .zip the emulator cannot read, named in the message with what is wrong with it: the user's input, like an
 * env.json that does not parse, so reported as a ConfigError (one line, no stack).
 */
export class ArchiveError extends ConfigError {}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const MAX_END_RECORD = 22 + 0xffff;
const UTF8_NAMES = 0x0800;
const UNIX = 3;
const FILE_TYPE = 0o170000;
const SYMBOLIC_LINK = 0o120000;

/**
 * Extracts a .zip archive into `into`, as SAM CLI unzips a `CodeUri` archive before it runs the function from it
 * (`samcli/local/lambdafn/zip.py`): stored and deflated entries, Unix permissions and symbolic links kept. An entry that would land outside `into` (`../`, an absolute name) is refused,
 * as is ZIP64, which a Lambda deployment package (at most 250 MB unzipped) never needs.
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
export function unzip(archive: string, into: string): void {
  const data = readFileSync(archive);
  const fail = (reason: string): never => {
    throw new ArchiveError(`${archive}: ${reason}`);
  };
  const end = findEndRecord(data) ?? fail('not a .zip archive (no end of central directory record)');
  const entries = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  if (entries === 0xffff || offset === 0xffffffff) fail('ZIP64 archives are not supported');
  const root = path.resolve(into);
  mkdirSync(root, { recursive: true });
  for (let index = 0; index < entries; index++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) {
      fail(`entry ${index + 1}: damaged central directory`);
    }
    // The high byte of "version made by": the system whose permission bits the external attributes hold.
    const madeBy = data.readUInt8(offset + 5);
    const flags = data.readUInt16LE(offset + 8);
    const method = data.readUInt16LE(offset + 10);
    const expectedCrc = data.readUInt32LE(offset + 16);
    const compressedSize = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const mode = data.readUInt32LE(offset + 38) >>> 16;
    const localOffset = data.readUInt32LE(offset + 42);
    const nameBytes = data.subarray(offset + 46, offset + 46 + nameLength);
    const name = nameBytes.toString(flags & UTF8_NAMES ? 'utf8' : 'latin1');
    offset += 46 + nameLength + extraLength + commentLength;

    const target = path.resolve(root, name);
    if (path.isAbsolute(name) || (target !== root && !target.startsWith(root + path.sep))) {
      fail(`entry ${name} would be written outside the folder it is unzipped into`);
    }
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    if (localOffset + 30 > data.length || data.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) {
      fail(`entry ${name}: damaged local header`);
    }
    // The local header's own name and extra lengths can differ from the central directory's.
    const start =
      localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
    const stored = data.subarray(start, start + compressedSize);
    let contents: Buffer;
    if (method === STORED) contents = stored;
    else if (method === DEFLATED) contents = inflateRawSync(stored);
    else
      contents = fail(
        `entry ${name}: compression method ${method} is not supported (only stored and deflated)`,
      );
    if (crc32(contents) !== expectedCrc) fail(`entry ${name}: checksum mismatch, the archive is damaged`);
    mkdirSync(path.dirname(target), { recursive: true });
    const unix = madeBy === UNIX;
    if (unix && (mode & FILE_TYPE) === SYMBOLIC_LINK) {
      const linked = contents.toString('utf8');
      const resolved = path.resolve(path.dirname(target), linked);
      if (resolved !== root && !resolved.startsWith(root + path.sep)) {
        fail(`entry ${name} links outside the folder it is unzipped into`);
      }
      symlinkSync(linked, target);
      continue;
    }
    writeFileSync(target, contents, { mode: unix && (mode & 0o777) !== 0 ? mode & 0o777 : 0o644 });
  }
}

function findEndRecord(data: Buffer): number | undefined {
  for (let offset = data.length - 22; offset >= Math.max(0, data.length - MAX_END_RECORD); offset--) {
    if (data.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return undefined;
}
