import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { comparableResult, loadApps, pendingFeatures } from './expectations.ts';

describe('fixture app expectations', () => {
  describe('pendingFeatures', () => {
    it('reads a comma-separated APPS_PENDING, ignoring spaces and empty entries', () => {
      expect([...pendingFeatures(' layers, openapi,,')]).to.deep.equal(['layers', 'openapi']);
    });

    it('runs everything when APPS_PENDING is unset or empty', () => {
      expect(pendingFeatures(undefined).size).to.equal(0);
      expect(pendingFeatures('').size).to.equal(0);
    });

    it('rejects a name that is not a feature, so that a typo cannot skip nothing silently', () => {
      expect(() => pendingFeatures('layer')).to.throw('APPS_PENDING: layer is not one of');
    });
  });

  describe('loadApps', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(path.join(tmpdir(), 'fixture-apps-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    function app(name: string, expectation: unknown): void {
      mkdirSync(path.join(root, name));
      writeFileSync(path.join(root, name, 'expect.json'), JSON.stringify(expectation));
    }

    it('reads one app per folder, in name order, with GET and no headers by default', () => {
      app('b-app', { imitates: 'x/y b', requests: [{ path: '/', status: 200, json: {} }] });
      app('a-app', {
        imitates: 'x/y a',
        requires: ['layers'],
        invokes: [{ function: 'Fn', event: 'events/e.json', result: 1 }],
      });

      const apps = loadApps(root);

      expect(apps.map((loaded) => [loaded.name, loaded.requires])).to.deep.equal([
        ['a-app', ['layers']],
        ['b-app', []],
      ]);
      expect(apps[1]?.requests[0]).to.include({ method: 'GET', path: '/', status: 200 });
      expect(apps[1]?.requests[0]?.headers).to.deep.equal({});
    });

    it('names the file and the entry when an expectation is malformed', () => {
      app('bad', { imitates: 'x', requests: [{ path: '/', status: 200 }] });

      expect(() => loadApps(root)).to.throw(
        /bad[/\\]expect\.json: requests\[0\]: give exactly one of json and text/,
      );
    });

    it('reads the pinned outcomes of generated events by function, none by default', () => {
      app('a-app', {
        imitates: 'x',
        generated: {
          Fn: { result: { ok: true } },
          Bad: { error: { errorType: 'Error', errorMessage: 'no' } },
        },
      });
      app('b-app', { imitates: 'x' });

      const [pinned, plain] = loadApps(root);

      expect([...(pinned?.generated ?? [])]).to.deep.equal([
        ['Fn', { result: { ok: true } }],
        ['Bad', { error: { errorType: 'Error', errorMessage: 'no' } }],
      ]);
      expect(plain?.generated.size).to.equal(0);
    });

    it('names the function when a pinned generated outcome is malformed', () => {
      app('bad', { imitates: 'x', generated: { Fn: { status: 200 } } });

      expect(() => loadApps(root)).to.throw(/generated\.Fn: give exactly one of result and error/);
    });

    it('rejects a required feature that does not exist', () => {
      app('bad', { imitates: 'x', requires: ['teleport'] });

      expect(() => loadApps(root)).to.throw(/teleport is not one of/);
    });
  });

  describe('comparableResult', () => {
    it('parses a proxy result body when the expectation gives the body as JSON', () => {
      const actual = { statusCode: 200, body: '{"a":1}' };

      expect(comparableResult(actual, { statusCode: 200, body: { a: 1 } })).to.deep.equal({
        statusCode: 200,
        body: { a: 1 },
      });
    });

    it('leaves the body a string when the expectation gives a string', () => {
      const actual = { statusCode: 200, body: '{"a":1}' };

      expect(comparableResult(actual, { statusCode: 200, body: '{"a":1}' })).to.equal(actual);
    });
  });
});
