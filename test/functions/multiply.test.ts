import { expect } from 'chai';
import sinon from 'sinon';
import { handler, multiply, parseOperands } from '../../functions/multiply/handler.ts';
import { jsonBody, loadEvent, withBody } from '../support/events.ts';

const PAYLOADS = [
  { title: 'HTTP API (payload 2.0)', file: 'multiply.json' },
  { title: 'REST API (payload 1.0)', file: 'multiply.v1.json' },
] as const;

const NOT_A_NUMBER = { error: 'One or both of the values are not a number' };
const MISSING_KEY = { error: 'You must provide keys for both "a" and "b"' };

for (const payload of PAYLOADS) {
  describe(`multiply through the ${payload.title}`, () => {
    beforeEach(() => sinon.stub(console, 'warn'));
    afterEach(() => sinon.restore());

    const send = (body: string | undefined, base64 = false) =>
      handler(withBody(loadEvent(payload.file), body, base64));

    it('answers {"a":12,"b":3} with 200 {"result":36}', async () => {
      const result = await send('{"a":12,"b":3}');

      expect(result).to.deep.equal({
        statusCode: 200,
        headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
        body: '{"result":36}',
        isBase64Encoded: false,
      });
    });

    for (const [a, b, product] of [
      [-4, 2.5, -10],
      [0.1, 3, 0.30000000000000004],
      [0, -7, 0],
      [1e200, 1e100, 1e300],
    ] as const) {
      it(`multiplies ${a} by ${b}`, async () => {
        const result = await send(JSON.stringify({ a, b }));

        expect(result.statusCode).to.equal(200);
        expect(jsonBody(result)).to.deep.equal({ result: product });
      });
    }

    it('decodes a base64 body first (isBase64Encoded)', async () => {
      const result = await send('{"a":6,"b":7}', true);

      expect(result.statusCode).to.equal(200);
      expect(jsonBody(result)).to.deep.equal({ result: 42 });
    });

    for (const body of ['{"a":12}', '{"b":3}', '{}', '{"A":1,"B":2}', '{"__proto__":1,"b":2}']) {
      it(`answers 400 naming both keys for ${body}`, async () => {
        const result = await send(body);

        expect(result.statusCode).to.equal(400);
        expect(jsonBody(result)).to.deep.equal(MISSING_KEY);
      });
    }

    for (const value of ['"12"', 'true', 'false', 'null', '[12]', '{"n":12}', '1e400', '-1e400']) {
      it(`answers 400 when a value is ${value}, which is not a finite JSON number`, async () => {
        const result = await send(`{"a":${value},"b":3}`);

        expect(result.statusCode).to.equal(400);
        expect(jsonBody(result)).to.deep.equal(NOT_A_NUMBER);
      });
    }

    it('answers 400 with a clear message when the body is missing', async () => {
      const result = await send(undefined);

      expect(result.statusCode).to.equal(400);
      expect(jsonBody(result)).to.deep.equal({
        error: 'Request body is missing: send a JSON object such as {"a": 12, "b": 3}',
      });
    });

    it('answers 400 when the body is empty or blank', async () => {
      for (const body of ['', '  \n']) {
        const result = await send(body);
        expect(result.statusCode).to.equal(400);
        expect(jsonBody(result))
          .to.have.property('error')
          .that.matches(/^Request body is missing/);
      }
    });

    it('answers 400 when the body is not JSON', async () => {
      const result = await send('a=12&b=3');

      expect(result.statusCode).to.equal(400);
      expect(jsonBody(result)).to.deep.equal({
        error: 'Request body is not valid JSON: send a JSON object such as {"a": 12, "b": 3}',
      });
    });

    for (const body of ['[12,3]', '36', '"a"', 'null']) {
      it(`answers 400 when the JSON body ${body} is not an object`, async () => {
        const result = await send(body);

        expect(result.statusCode).to.equal(400);
        expect(jsonBody(result)).to.deep.equal({
          error: 'Request body must be a JSON object: send a JSON object such as {"a": 12, "b": 3}',
        });
      });
    }

    it('answers 400 when the product overflows to Infinity, which JSON cannot carry', async () => {
      const result = await send('{"a":1e200,"b":-1e200}');

      expect(result.statusCode).to.equal(400);
      expect(jsonBody(result)).to.deep.equal({
        error: 'The product of "a" and "b" is too large to represent as a JSON number',
      });
    });
  });
}

describe('multiply core', () => {
  it('multiply(a, b) is the product', () => {
    expect(multiply(12, 3)).to.equal(36);
  });

  it('parseOperands ignores keys other than a and b', () => {
    expect(parseOperands('{"a":2,"b":5,"c":"x"}')).to.deep.equal({ a: 2, b: 5 });
  });
});
