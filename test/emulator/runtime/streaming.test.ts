import { expect } from 'chai';
import { MAX_STREAM_BYTES, type ResponseStreamSink } from '../../../emulator/runtime/pool.ts';
import { closePools, errorOf, openPool, payloadOf } from './helpers.ts';

/** A sink that records what it was given, and when, relative to its creation. */
function recordingSink() {
  const started = performance.now();
  const events: { kind: 'start' | 'chunk'; value: string; atMs: number }[] = [];
  const sink: ResponseStreamSink = {
    start: (contentType) =>
      events.push({ kind: 'start', value: contentType, atMs: performance.now() - started }),
    chunk: (bytes) =>
      events.push({
        kind: 'chunk',
        value: Buffer.from(bytes).toString('latin1'),
        atMs: performance.now() - started,
      }),
  };
  return { sink, events };
}

function open(exportName: string) {
  return openPool(exportName, { file: '../function-urls/handlers.mjs', fn: { timeout: 3 } });
}

describe('response streaming in the runtime', () => {
  afterEach(closePools);

  it('awslambda.streamifyResponse handlers stream each write as it happens, prelude and 8 NUL bytes first', async () => {
    const { pool } = open('streamed');
    const { sink, events } = recordingSink();
    const outcome = await pool.invokeStream({ payload: { wait: 300 } }, sink);
    expect(outcome.kind).to.equal('success');
    expect(events.map(({ kind, value }) => [kind, value])).to.deep.equal([
      ['start', 'application/vnd.awslambda.http-integration-response'],
      [
        'chunk',
        JSON.stringify({
          statusCode: 201,
          headers: { 'content-type': 'text/plain', 'x-streamed': 'yes' },
          cookies: ['streamed=1'],
        }),
      ],
      ['chunk', '\0\0\0\0\0\0\0\0'],
      ['chunk', 'first,'],
      ['chunk', 'second'],
    ]);
    const first = events.find((event) => event.value === 'first,');
    const second = events.find((event) => event.value === 'second');
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).to.be.greaterThan(250);
  });

  it('setContentType sets the stream content type; objects are written as their JSON', async () => {
    const { pool } = open('plainStream');
    const { sink, events } = recordingSink();
    await pool.invokeStream({ payload: {} }, sink);
    expect(events.map(({ value }) => value)).to.deep.equal(['text/csv', 'a,b\n', '{"json":true}']);
  });

  it('a Readable piped into the response stream with stream.pipeline arrives whole, then the stream ends', async () => {
    const { pool } = open('streamPipeline');
    const { sink, events } = recordingSink();
    const outcome = await pool.invokeStream({ payload: {} }, sink);
    expect(outcome.kind).to.equal('success');
    expect(events.map(({ value }) => value).join('|')).to.equal('application/octet-stream|one |two |three');
  });

  it('a handler that throws mid-stream ends the invocation with its error after the chunks already sent', async () => {
    const { pool } = open('streamThenThrow');
    const { sink, events } = recordingSink();
    const error = errorOf(await pool.invokeStream({ payload: {} }, sink));
    expect(error).to.include({ errorType: 'Error', errorMessage: 'mid-stream failure' });
    expect(events.map(({ value }) => value)).to.deep.equal(['application/octet-stream', 'partial']);
  });

  it('a handler that resolves without ending its stream fails: "Response stream is not finished."', async () => {
    const { pool } = open('streamNeverEnds');
    const error = errorOf(await pool.invokeStream({ payload: {} }, recordingSink().sink));
    expect(error.errorMessage).to.equal('Response stream is not finished.');
  });

  it('a streaming handler that is not async fails: "Streaming does not support non-async handlers."', async () => {
    const { pool } = open('streamSync');
    const error = errorOf(await pool.invokeStream({ payload: {} }, recordingSink().sink));
    expect(error.errorMessage).to.equal('Streaming does not support non-async handlers.');
  });

  it('a stream past the 20 MB cap fails with Function.ResponseSizeTooLarge', async function () {
    this.timeout(15000);
    const { pool } = open('streamTooMuch');
    let bytes = 0;
    const error = errorOf(
      await pool.invokeStream(
        { payload: {} },
        { start: () => {}, chunk: (chunk) => (bytes += chunk.byteLength) },
      ),
    );
    expect(error.errorType).to.equal('Function.ResponseSizeTooLarge');
    expect(bytes).to.be.at.most(MAX_STREAM_BYTES);
  });

  it('a streaming function invoked without a stream (Invoke, API Gateway) answers the bytes it wrote', async () => {
    const { pool } = open('streamJson');
    const outcome = await pool.invoke({ payload: {} });
    expect(payloadOf(outcome)).to.deep.equal({ streamed: true });
    expect(outcome.kind === 'success' ? outcome.raw?.toString() : undefined).to.equal('{"streamed":true}');
  });

  it('AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA=1 leaves the awslambda global out, as the Node.js runtime does', async () => {
    const { pool } = openPool('inferred', {
      file: '../function-urls/handlers.mjs',
      fn: { environment: { AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: '1' } },
    });
    expect(errorOf(await pool.invoke({ payload: {} })).errorMessage).to.contain('awslambda is not defined');
  });

  it('a function that does not stream answers a stream with its whole result at its end', async () => {
    const { pool } = open('inferred');
    const { sink, events } = recordingSink();
    const outcome = await pool.invokeStream({ payload: {} }, sink);
    expect(outcome.kind).to.equal('success');
    expect(events.map(({ value }) => value)).to.deep.equal(['application/json', '{"hello":"world"}']);
  });
});
