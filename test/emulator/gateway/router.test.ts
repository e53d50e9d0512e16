import { expect } from 'chai';
import { createRouter } from '../../../emulator/gateway/router.ts';
import { apiMap, expectMatch, httpApi, restApi, route } from './helpers.ts';

describe('gateway router', () => {
  describe('route priority', () => {
    const rest = restApi();
    const router = createRouter(apiMap(rest), [
      route(rest, 'GET', '/{proxy+}'),
      route(rest, 'GET', '/items/{id}'),
      route(rest, 'GET', '/items/special'),
      route(rest, 'ANY', '/items/{id}/parts'),
      route(rest, 'GET', '/items/{id}/parts'),
    ]);

    it('a static segment beats {param}, which beats a greedy {proxy+}', () => {
      expect(expectMatch(router.match('GET', '/items/special')).route.path).to.equal('/items/special');
      expect(expectMatch(router.match('GET', '/items/42')).route.path).to.equal('/items/{id}');
      expect(expectMatch(router.match('GET', '/other/42')).route.path).to.equal('/{proxy+}');
    });

    it('an exact method beats ANY on the same resource', () => {
      expect(expectMatch(router.match('GET', '/items/1/parts')).route.method).to.equal('GET');
      expect(expectMatch(router.match('DELETE', '/items/1/parts')).route.method).to.equal('ANY');
    });

    it('a route whose method does not fit is skipped for a less specific one that fits', () => {
      const only = restApi();
      const fallbackRouter = createRouter(apiMap(only), [
        route(only, 'POST', '/items/{id}'),
        route(only, 'ANY', '/{proxy+}'),
      ]);
      expect(expectMatch(fallbackRouter.match('GET', '/items/1')).route.path).to.equal('/{proxy+}');
    });

    it("an HTTP API's $default route is used only when no other route matches, after greedy routes", () => {
      // The example of the HTTP API routing docs: POST /test/5 goes to ANY /{proxy+}, not to $default.
      const http = httpApi();
      const docsRouter = createRouter(apiMap(http), [
        route(http, 'ANY', '$default'),
        route(http, 'GET', '/pets/dog/1'),
        route(http, 'GET', '/pets/dog/{id}'),
        route(http, 'GET', '/pets/{proxy+}'),
        route(http, 'ANY', '/{proxy+}'),
      ]);
      expect(expectMatch(docsRouter.match('GET', '/pets/dog/1')).route.path).to.equal('/pets/dog/1');
      expect(expectMatch(docsRouter.match('GET', '/pets/dog/2')).route.path).to.equal('/pets/dog/{id}');
      expect(expectMatch(docsRouter.match('GET', '/pets/cat')).route.path).to.equal('/pets/{proxy+}');
      expect(expectMatch(docsRouter.match('POST', '/test/5')).route.path).to.equal('/{proxy+}');
      expect(expectMatch(docsRouter.match('POST', '/')).route.path).to.equal('$default');
    });

    it('paths are case-sensitive', () => {
      expect(expectMatch(router.match('GET', '/Items/special')).route.path).to.equal('/{proxy+}');
    });
  });

  describe('variables', () => {
    const rest = restApi();
    const router = createRouter(apiMap(rest), [
      route(rest, 'GET', '/'),
      route(rest, 'GET', '/files/{proxy+}'),
      route(rest, 'GET', '/items/{id}'),
    ]);

    it('{proxy+} is greedy: it takes every remaining segment, under the key "proxy"', () => {
      const match = expectMatch(router.match('GET', '/files/a/b/c.txt'));
      expect(match.pathParameters).to.deep.equal({ proxy: 'a/b/c.txt' });
    });

    it('{proxy+} needs at least one segment', () => {
      expect(router.match('GET', '/files').matched).to.equal(false);
      expect(router.match('GET', '/files/').matched).to.equal(false);
    });

    it('pathParameters is undefined for a route without variables', () => {
      expect(expectMatch(router.match('GET', '/')).pathParameters).to.equal(undefined);
    });

    it('a {name} variable does not match an empty segment', () => {
      expect(router.match('GET', '/items//').matched).to.equal(false);
    });

    it('a trailing slash routes like the path without it', () => {
      expect(expectMatch(router.match('GET', '/items/7/')).pathParameters).to.deep.equal({ id: '7' });
    });

    it('a greedy variable that is not the last segment is rejected when the routes are compiled', () => {
      expect(() => createRouter(apiMap(rest), [route(rest, 'GET', '/{proxy+}/tail')])).to.throw(
        /greedy variable must be the last path segment/,
      );
    });

    it('a route of an API missing from the template is rejected when the routes are compiled', () => {
      expect(() => createRouter(apiMap(), [route(rest, 'GET', '/x')])).to.throw(
        /unknown API ServerlessRestApi/,
      );
    });

    it('REST path parameters stay percent-encoded, as API Gateway passes them', () => {
      // Live capture (hotsock/voker): {proxy+} of /capture/space%20value is "capture/space%20value".
      expect(expectMatch(router.match('GET', '/items/a%20b')).pathParameters).to.deep.equal({ id: 'a%20b' });
      expect(expectMatch(router.match('GET', '/files/space%20value')).pathParameters).to.deep.equal({
        proxy: 'space%20value',
      });
    });

    it('REST static segments also match a percent-encoded spelling of the literal', () => {
      expect(expectMatch(router.match('GET', '/it%65ms/1')).route.path).to.equal('/items/{id}');
    });

    it('HTTP API paths are decoded before routing, and parameters decoded once more', () => {
      const http = httpApi();
      const httpRouter = createRouter(apiMap(http), [route(http, 'GET', '/items/{id}/thing')]);
      expect(expectMatch(httpRouter.match('GET', '/items/a%2520b/thing')).pathParameters).to.deep.equal({
        id: 'a b',
      });
      // %2F becomes a separator before routing, so it cannot sit inside a single-segment variable.
      expect(httpRouter.match('GET', '/items/a%2Fb/thing').matched).to.equal(false);
    });
  });

  describe('stages on one port', () => {
    const rest = restApi();
    const http = httpApi();
    const named = httpApi({ logicalId: 'NamedHttpApi', stageName: 'dev' });
    const routes = [
      route(rest, 'GET', '/price'),
      route(rest, 'GET', '/'),
      route(http, 'POST', '/multiply'),
      route(named, 'GET', '/report'),
    ];
    const router = createRouter(apiMap(rest, http, named), routes);

    it('a path under a REST stage routes within that REST API only, with the stage stripped', () => {
      const match = expectMatch(router.match('GET', '/Prod/price'));
      expect(match.api).to.equal(rest);
      expect(match.path).to.equal('/price');
      expect(match.stage).to.equal('Prod');
    });

    it('an unknown path under a REST stage is a REST miss even when the template has HTTP APIs', () => {
      expect(router.match('POST', '/Prod/multiply')).to.deep.equal({
        matched: false,
        kind: 'rest',
        api: rest,
      });
    });

    it('the stage alone, /Prod, is the REST root resource /', () => {
      const match = expectMatch(router.match('GET', '/Prod'));
      expect(match.route.path).to.equal('/');
      expect(match.path).to.equal('/');
      expect(expectMatch(router.match('GET', '/Prod/')).route.path).to.equal('/');
    });

    it('stage names are case-sensitive: /prod is not the Prod stage', () => {
      expect(router.match('GET', '/prod/price')).to.deep.equal({ matched: false, kind: 'http', api: http });
    });

    it('a path under a named HTTP API stage routes within that API, the stage stripped for matching', () => {
      const match = expectMatch(router.match('GET', '/dev/report'));
      expect(match.api).to.equal(named);
      expect(match.path).to.equal('/report');
      expect(match.stage).to.equal('dev');
      expect(router.match('POST', '/dev/multiply')).to.deep.equal({
        matched: false,
        kind: 'http',
        api: named,
      });
    });

    it("any other path is matched against every API as if at the root, each match naming its API's own stage", () => {
      const restMatch = expectMatch(router.match('GET', '/price'));
      expect([restMatch.api, restMatch.stage, restMatch.path]).to.deep.equal([rest, 'Prod', '/price']);
      const httpMatch = expectMatch(router.match('POST', '/multiply'));
      expect([httpMatch.api, httpMatch.stage]).to.deep.equal([http, '$default']);
      const namedMatch = expectMatch(router.match('GET', '/report'));
      expect([namedMatch.api, namedMatch.stage]).to.deep.equal([named, 'dev']);
    });

    it('a miss at the root is an HTTP API 404 when the template has an HTTP API', () => {
      expect(router.match('GET', '/nowhere')).to.deep.equal({ matched: false, kind: 'http', api: http });
    });

    it('a miss at the root is a REST 403 when the template has only REST APIs', () => {
      const restOnly = createRouter(apiMap(rest), [route(rest, 'GET', '/price')]);
      expect(restOnly.match('GET', '/nowhere')).to.deep.equal({ matched: false, kind: 'rest', api: rest });
    });

    it('a template without APIs answers every path with a REST miss', () => {
      expect(createRouter(apiMap(), []).match('GET', '/')).to.deep.equal({
        matched: false,
        kind: 'rest',
        api: undefined,
      });
    });
  });

  describe('owner, for CORS preflight', () => {
    const rest = restApi();
    const http = httpApi();
    const router = createRouter(apiMap(rest, http), [
      route(rest, 'GET', '/price'),
      route(rest, 'POST', '/price'),
      route(rest, 'GET', '/items/{id}'),
      route(http, 'POST', '/multiply'),
    ]);

    it('reports the matched resource and every method declared on it, whatever the request method', () => {
      expect(router.owner('/Prod/price')).to.deep.equal({
        api: rest,
        resource: '/price',
        methods: ['GET', 'POST'],
      });
      expect(router.owner('/items/9')).to.deep.equal({
        api: rest,
        resource: '/items/{id}',
        methods: ['GET'],
      });
    });

    it('reports the API that would answer when no resource matches', () => {
      expect(router.owner('/Prod/nowhere')).to.deep.equal({ api: rest, resource: undefined, methods: [] });
      expect(router.owner('/nowhere')).to.deep.equal({ api: http, resource: undefined, methods: [] });
    });
  });
});
