/**
 * The AWS event-stream binary framing (`application/vnd.amazon.eventstream`) of InvokeWithResponseStream: each
 * message is a prelude (total length, headers length, both big-endian uint32, and the prelude's CRC32), the
 * headers (name length as one byte, name, value type 7 = string, value length as a big-endian uint16, value),
 * the payload, and the CRC32 of everything before it.
 * https://smithy.io/2.0/aws/amazon-eventstream.html
 */
import { crc32 } from 'node:zlib';

const PRELUDE_BYTES = 8;
const CRC_BYTES = 4;
const STRING_TYPE = 7;

/** One event-stream message with string headers. */
export function encodeMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Buffer {
  const encodedHeaders = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const nameBytes = Buffer.from(name, 'utf8');
      const valueBytes = Buffer.from(value, 'utf8');
      const header = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
      let offset = header.writeUInt8(nameBytes.length, 0);
      offset += nameBytes.copy(header, offset);
      offset = header.writeUInt8(STRING_TYPE, offset);
      offset = header.writeUInt16BE(valueBytes.length, offset);
      valueBytes.copy(header, offset);
      return header;
    }),
  );
  const total = PRELUDE_BYTES + CRC_BYTES + encodedHeaders.length + payload.byteLength + CRC_BYTES;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(encodedHeaders.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, PRELUDE_BYTES)), PRELUDE_BYTES);
  let offset = PRELUDE_BYTES + CRC_BYTES;
  offset += encodedHeaders.copy(message, offset);
  message.set(payload, offset);
  offset += payload.byteLength;
  message.writeUInt32BE(crc32(message.subarray(0, offset)), offset);
  return message;
}

/** A `PayloadChunk` event: bytes of the function's response, as it wrote them. */
export function payloadChunkEvent(bytes: Uint8Array): Buffer {
  return encodeMessage(
    { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
    bytes,
  );
}

/** What the final `InvokeComplete` event reports; all absent for a successful invocation without a log tail. */
export interface InvokeCompleteDetails {
  readonly errorCode?: string;
  readonly errorDetails?: string;
  /** Base64 of the last 4 KB of the log, with `X-Amz-Log-Type: Tail`. */
  readonly logResult?: string;
}

/** The `InvokeComplete` event that ends every stream, with the function's error when it failed. */
export function invokeCompleteEvent(details: InvokeCompleteDetails): Buffer {
  const body = {
    ...(details.errorCode === undefined ? {} : { ErrorCode: details.errorCode }),
    ...(details.errorDetails === undefined ? {} : { ErrorDetails: details.errorDetails }),
    ...(details.logResult === undefined ? {} : { LogResult: details.logResult }),
  };
  return encodeMessage(
    { ':event-type': 'InvokeComplete', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(body)),
  );
}
