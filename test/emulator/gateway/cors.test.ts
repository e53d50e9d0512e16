import { expect } from 'chai';
import {
  answerPreflight,
  applyHttpCors,
  generatedAllowMethods,
  httpPreflight,
  isOriginAllowed,
  isPreflightRequest,
  restPreflight,
} from '../../../emulator/gateway/cors.ts';
import type { GatewayResponse } from '../../../emulator/gateway/responses.ts';
import { createRouter } from '../../../emulator/gateway/router.ts';
import type { HttpCors, RestCors } from '../../../emulator/template/model.ts';
import { apiMap, gatewayRequest, httpApi, restApi, route } from './helpers.ts';

const restCors: RestCors = {
  kind: 'rest',
  allowOrigin: '*',
  allowMethods: undefined,
  allowHeaders: undefined,
  maxAge: undefined,
  allowCredentials: false,
};

const httpCors: HttpCors = {
  kind: 'http',
  allowOrigins: ['https://app.example'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type', 'authorization'],
  exposeHeaders: ['x-request-id'],
  maxAge: 600,
  allowCredentials: true,
};

function preflightRequest(rawPath: string, origin = 'https://app.example') {
  return gatewayRequest({
    method: 'OPTIONS',
    rawPath,
    headers: [
      ['Origin', origin],
      ['Access-Control-Request-Method', 'POST'],
    ],
  });
}

describe('gateway CORS, REST API (SAM Cors)', () => {
  const api = restApi({ cors: restCors });
  const router = createRouter(apiMap(api), [
    route(api, 'GET', '/price'),
    route(api, 'POST', '/price'),
    route(api, 'ANY', '/items'),
    route(api, 'OPTIONS', '/custom'),
  ]);

  it('REST: OPTIONS to an existing path is answered 200 with body {} and the configured headers, no function', () => {
    const request = gatewayRequest({ method: 'OPTIONS', rawPath: '/Prod/price' });
    expect(answerPreflight(request, router.owner(request.rawPath))).to.deep.equal({
      statusCode: 200,
      headers: [
        ['Content-Type', 'application/json'],
        ['Access-Control-Allow-Origin', '*'],
        ['Access-Control-Allow-Methods', 'GET,OPTIONS,POST'],
      ],
      body: Buffer.from('{}'),
    });
  });

  it('REST: the mock answers any OPTIONS request to the path, preflight headers or not', () => {
    const request = preflightRequest('/price');
    expect(answerPreflight(request, router.owner(request.rawPath))?.statusCode).to.equal(200);
  });

  it('REST: Allow-Methods is generated from the resource methods plus OPTIONS, sorted; ANY means every method', () => {
    expect(generatedAllowMethods(['post', 'GET'])).to.equal('GET,OPTIONS,POST');
    expect(generatedAllowMethods(['ANY'])).to.equal('DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
  });

  it('REST: configured Allow-Methods, Allow-Headers and Max-Age are sent; Allow-Credentials only when true', () => {
    const configured: RestCors = {
      kind: 'rest',
      allowOrigin: 'https://app.example',
      allowMethods: 'GET,POST',
      allowHeaders: 'Content-Type,X-Api-Key',
      maxAge: '600',
      allowCredentials: true,
    };
    expect(restPreflight(configured, ['GET']).headers).to.deep.equal([
      ['Content-Type', 'application/json'],
      ['Access-Control-Allow-Origin', 'https://app.example'],
      ['Access-Control-Allow-Headers', 'Content-Type,X-Api-Key'],
      ['Access-Control-Allow-Methods', 'GET,POST'],
      ['Access-Control-Max-Age', '600'],
      ['Access-Control-Allow-Credentials', 'true'],
    ]);
  });

  it('REST: OPTIONS to a path the API does not have is left to routing, which answers 403', () => {
    const request = gatewayRequest({ method: 'OPTIONS', rawPath: '/Prod/nowhere' });
    expect(answerPreflight(request, router.owner(request.rawPath))).to.equal(undefined);
  });

  it('REST: a resource with its own OPTIONS method goes to its function', () => {
    const request = gatewayRequest({ method: 'OPTIONS', rawPath: '/Prod/custom' });
    expect(answerPreflight(request, router.owner(request.rawPath))).to.equal(undefined);
  });

  it('REST: without Cors no OPTIONS request is answered by the gateway', () => {
    const plain = restApi();
    const plainRouter = createRouter(apiMap(plain), [route(plain, 'GET', '/price')]);
    const request = gatewayRequest({ method: 'OPTIONS', rawPath: '/Prod/price' });
    expect(answerPreflight(request, plainRouter.owner(request.rawPath))).to.equal(undefined);
  });

  it('only OPTIONS requests are preflights', () => {
    const request = gatewayRequest({ method: 'GET', rawPath: '/Prod/price' });
    expect(answerPreflight(request, router.owner(request.rawPath))).to.equal(undefined);
  });
});

describe('gateway CORS, HTTP API (CorsConfiguration)', () => {
  const api = httpApi({ cors: httpCors });
  const router = createRouter(apiMap(api), [route(api, 'POST', '/multiply')]);

  it('HTTP: a preflight to any path, even one without a route, is answered 204 with the configured headers', () => {
    const request = preflightRequest('/no/such/route');
    expect(answerPreflight(request, router.owner(request.rawPath))).to.deep.equal({
      statusCode: 204,
      headers: [
        ['access-control-allow-origin', 'https://app.example'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-allow-methods', 'GET,POST'],
        ['access-control-allow-headers', 'content-type,authorization'],
        ['access-control-max-age', '600'],
      ],
      body: Buffer.alloc(0),
    });
  });

  it('HTTP: OPTIONS without Origin or without Access-Control-Request-Method is not a preflight', () => {
    const noMethod = gatewayRequest({
      method: 'OPTIONS',
      rawPath: '/multiply',
      headers: [['Origin', 'https://app.example']],
    });
    const noOrigin = gatewayRequest({
      method: 'OPTIONS',
      rawPath: '/multiply',
      headers: [['Access-Control-Request-Method', 'POST']],
    });
    for (const request of [noMethod, noOrigin]) {
      expect(isPreflightRequest(request)).to.equal(false);
      expect(answerPreflight(request, router.owner(request.rawPath))).to.equal(undefined);
    }
    expect(isPreflightRequest(preflightRequest('/multiply'))).to.equal(true);
  });

  it('HTTP: a preflight from a disallowed origin gets 204 without any CORS header', () => {
    expect(httpPreflight(preflightRequest('/multiply', 'https://evil.example'), httpCors)).to.deep.equal({
      statusCode: 204,
      headers: [],
      body: Buffer.alloc(0),
    });
  });

  it('HTTP: allowed origins are exact (case-insensitive), *, https://* or http://*; other wildcards are literal', () => {
    expect(isOriginAllowed('https://app.example', ['https://app.example'])).to.equal(true);
    expect(isOriginAllowed('https://APP.example', ['https://app.example'])).to.equal(true);
    expect(isOriginAllowed('https://other.example', ['https://app.example'])).to.equal(false);
    expect(isOriginAllowed('http://anything', ['*'])).to.equal(true);
    expect(isOriginAllowed('https://a.example', ['https://*'])).to.equal(true);
    expect(isOriginAllowed('http://a.example', ['https://*'])).to.equal(false);
    expect(isOriginAllowed('http://localhost:5173', ['http://*'])).to.equal(true);
    expect(isOriginAllowed('https://a.example.com', ['https://*.example.com'])).to.equal(false);
  });

  it('HTTP: Allow-Origin is * when every origin is allowed, otherwise the request origin echoed', () => {
    const open: HttpCors = { ...httpCors, allowOrigins: ['*'], allowCredentials: false };
    const openHeaders = httpPreflight(preflightRequest('/x', 'https://a.example'), open).headers;
    expect(openHeaders[0]).to.deep.equal(['access-control-allow-origin', '*']);
    const scheme: HttpCors = { ...httpCors, allowOrigins: ['https://*'] };
    const schemeHeaders = httpPreflight(preflightRequest('/x', 'https://b.example'), scheme).headers;
    expect(schemeHeaders[0]).to.deep.equal(['access-control-allow-origin', 'https://b.example']);
  });

  it("HTTP: the function's own access-control-* headers are dropped and the configured ones added for an allowed origin", () => {
    const response: GatewayResponse = {
      statusCode: 200,
      headers: [
        ['content-type', 'application/json'],
        ['Access-Control-Allow-Origin', '*'],
        ['access-control-max-age', '1'],
      ],
      body: Buffer.from('{}'),
    };
    const request = gatewayRequest({ method: 'POST', headers: [['Origin', 'https://app.example']] });
    expect(applyHttpCors(response, request, httpCors)).to.deep.equal({
      statusCode: 200,
      headers: [
        ['content-type', 'application/json'],
        ['access-control-allow-origin', 'https://app.example'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-expose-headers', 'x-request-id'],
      ],
      body: Buffer.from('{}'),
    });
  });

  it('HTTP: a request from a disallowed origin, or with none, is still served, without CORS headers', () => {
    const response: GatewayResponse = {
      statusCode: 200,
      headers: [
        ['content-type', 'text/plain'],
        ['access-control-allow-origin', '*'],
      ],
      body: Buffer.from('ok'),
    };
    const expected = { ...response, headers: [['content-type', 'text/plain']] };
    const evil = gatewayRequest({ method: 'POST', headers: [['Origin', 'https://evil.example']] });
    expect(applyHttpCors(response, evil, httpCors)).to.deep.equal(expected);
    expect(applyHttpCors(response, gatewayRequest({ method: 'POST' }), httpCors)).to.deep.equal(expected);
  });

  it('HTTP: a preflight under a REST stage belongs to the REST API, not to the HTTP API', () => {
    const rest = restApi();
    const mixed = createRouter(apiMap(rest, api), [
      route(rest, 'GET', '/price'),
      route(api, 'POST', '/multiply'),
    ]);
    const request = preflightRequest('/Prod/price');
    expect(answerPreflight(request, mixed.owner(request.rawPath))).to.equal(undefined);
    const atRoot = preflightRequest('/anything');
    expect(answerPreflight(atRoot, mixed.owner(atRoot.rawPath))?.statusCode).to.equal(204);
  });
});
