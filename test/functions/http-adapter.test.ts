import { expect } from 'chai';
import sinon from 'sinon';
import { HttpError } from '../../functions/shared/errors.ts';
import { errorResponse, handleApiEvent, jsonResponse, toApiRequest } from '../../functions/shared/http.ts';
import { jsonBody, loadEvent, withBody, withQuery } from '../support/events.ts';

describe('the payload 1.0 / 2.0 adapter', () => {
  afterEach(() => sinon.restore());

  it('reads every value of a repeated query key from the 1.0 multi-value map, in order', () => {
    const event = withQuery(loadEvent('get-price.json'), [
      ['symbol', 'A1'],
      ['symbol', 'B2'],
    ]);

    expect(toApiRequest(event)?.query.getAll('symbol')).to.deep.equal(['A1', 'B2']);
  });

  it('reads repeated query keys of a 2.0 event from rawQueryString, not the comma-joined map', () => {
    const event = { ...loadEvent('get-price.v2.json'), rawQueryString: 'symbol=A%2C1&symbol=B2' };

    expect(toApiRequest(event)?.query.getAll('symbol')).to.deep.equal(['A,1', 'B2']);
  });

  it('falls back to queryStringParameters when a 2.0 event has no rawQueryString', () => {
    const event = loadEvent('get-price.v2.json');
    delete event.rawQueryString;

    expect(toApiRequest(event)?.query.getAll('symbol')).to.deep.equal(['BTCUSDT']);
  });

  it('tells the payload versions apart by requestContext.http, not by version alone', () => {
    const httpApiV1 = { ...loadEvent('get-price.json'), version: '1.0' };
    const notV2 = { ...loadEvent('get-price.v2.json'), requestContext: {} };

    expect(toApiRequest(httpApiV1)?.payloadVersion).to.equal('1.0');
    expect(toApiRequest(loadEvent('get-price.v2.json'))?.payloadVersion).to.equal('2.0');
    expect(toApiRequest(notV2)).to.equal(undefined);
  });

  it('decodes a base64 body', () => {
    const event = withBody(loadEvent('multiply.json'), 'héllo', true);

    expect(toApiRequest(event)?.body).to.equal('héllo');
  });

  it('answers 400 to an event that is not an API Gateway proxy event', async () => {
    sinon.stub(console, 'warn');
    const route = sinon.spy(async () => jsonResponse(200, {}));

    const result = await handleApiEvent(loadEvent('price-ticker.json'), route);

    expect(result.statusCode).to.equal(400);
    expect(jsonBody(result)).to.deep.equal({
      error: 'Unsupported event: expected an API Gateway proxy event (payload format 1.0 or 2.0)',
    });
    expect(route.called).to.equal(false);
  });

  it('answers an unexpected error with 500 and keeps its message and stack in the log only', () => {
    const logged = sinon.stub(console, 'error');

    const result = errorResponse(new TypeError('secret detail'));

    expect(result).to.deep.equal({
      statusCode: 500,
      headers: {
        'Content-Type': 'application/json',
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'no-store',
      },
      body: '{"error":"Internal server error"}',
      isBase64Encoded: false,
    });
    expect(JSON.stringify(logged.firstCall.args[0])).to.include('secret detail');
  });

  it('logs a 4xx HttpError as a warning with its cause, and answers its own status and headers', () => {
    const warned = sinon.stub(console, 'warn');

    const result = errorResponse(
      new HttpError(429, 'slow down', { cause: new Error('root'), headers: { 'Retry-After': '3' } }),
    );

    expect(result.statusCode).to.equal(429);
    expect(result.headers).to.include({ 'Retry-After': '3' });
    expect(warned.firstCall.args[0]).to.include({ statusCode: 429, error: 'slow down' });
  });
});
