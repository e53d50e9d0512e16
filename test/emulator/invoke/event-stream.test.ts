import { EventStreamCodec } from '@smithy/core/event-streams';
import { expect } from 'chai';
import {
  encodeMessage,
  invokeCompleteEvent,
  payloadChunkEvent,
} from '../../../emulator/invoke/event-stream.ts';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

function stringHeaders(message: ReturnType<typeof codec.decode>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(message.headers).map(([name, header]) => [name, header.value]));
}

describe('the AWS event-stream encoder (InvokeWithResponseStream framing)', () => {
  it("frames a message that the SDK's own decoder reads back, CRCs included", () => {
    const message = codec.decode(
      encodeMessage({ ':event-type': 'Test', name: 'välue' }, Buffer.from('payload')),
    );
    expect(stringHeaders(message)).to.deep.equal({ ':event-type': 'Test', name: 'välue' });
    expect(Buffer.from(message.body).toString()).to.equal('payload');
  });

  it('writes the prelude: total length and headers length, big-endian', () => {
    const bytes = encodeMessage({ a: 'b' }, Buffer.from('xyz'));
    const headersLength = 1 + 1 + 1 + 2 + 1;
    expect(bytes.readUInt32BE(0)).to.equal(bytes.length);
    expect(bytes.readUInt32BE(4)).to.equal(headersLength);
    expect(bytes.length).to.equal(12 + headersLength + 3 + 4);
  });

  it('a corrupted byte fails the message CRC check of the SDK decoder', () => {
    const bytes = encodeMessage({ a: 'b' }, Buffer.from('xyz'));
    bytes[bytes.length - 5] = 0;
    expect(() => codec.decode(bytes)).to.throw(/checksum/i);
  });

  it('a PayloadChunk event carries the raw bytes as an octet-stream event', () => {
    const message = codec.decode(payloadChunkEvent(new Uint8Array([0, 1, 255])));
    expect(stringHeaders(message)).to.deep.equal({
      ':event-type': 'PayloadChunk',
      ':content-type': 'application/octet-stream',
      ':message-type': 'event',
    });
    expect([...message.body]).to.deep.equal([0, 1, 255]);
  });

  it('an InvokeComplete event carries ErrorCode, ErrorDetails and LogResult as JSON, only those present', () => {
    const failed = codec.decode(
      invokeCompleteEvent({ errorCode: 'Error', errorDetails: 'boom', logResult: 'bG9n' }),
    );
    expect(stringHeaders(failed)[':event-type']).to.equal('InvokeComplete');
    expect(JSON.parse(Buffer.from(failed.body).toString())).to.deep.equal({
      ErrorCode: 'Error',
      ErrorDetails: 'boom',
      LogResult: 'bG9n',
    });
    expect(JSON.parse(Buffer.from(codec.decode(invokeCompleteEvent({})).body).toString())).to.deep.equal({});
  });
});
