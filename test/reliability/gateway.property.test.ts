import { validateHeaderName, validateHeaderValue } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import { applyHttpCors, httpPreflight, restPreflight } from '../../emulator/gateway/cors.ts';
import { type EventContext, toV1Event, toV2Event } from '../../emulator/gateway/events.ts';
import { isHttpApiTextType } from '../../emulator/gateway/mediaTypes.ts';
import { type GatewayRequest, mediaTypeOf } from '../../emulator/gateway/request.ts';
import {
  fromV1Result,
  fromV2Result,
  type GatewayResponse,
  isMalformed,
} from '../../emulator/gateway/responses.ts';
import { createRouter, type RouteMatch } from '../../emulator/gateway/router.ts';
import type { ApiModel, HttpCors, RestCors } from '../../emulator/template/model.ts';
import { isRecord } from '../../emulator/template/values.ts';
import { apiMap, gatewayRequest, httpApi, restApi, route } from '../emulator/gateway/helpers.ts';
import { headerName, headerValue, nastyText, runs } from './arbitraries.ts';

const CONTEXT: EventContext = {
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  extendedRequestId: 'JJbxmplHYosFVYQ=',
  apiId: 'abc123',
  accountId: '123456789012',
  domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
};

/** Text without lone surrogates, which encodeURIComponent refuses: what a real client can send encoded. */
const wellFormedText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', ' ', '+', '%', '&', '=', '#', '__proto__', 'constructor', 'a b', 'ß', '😀'),
);

/** A raw query as clients write it: encoded pairs, or anything at all (bad escapes, stray separators). */
const rawQuery = fc.oneof(
  fc
    .array(fc.tuple(wellFormedText, wellFormedText), { maxLength: 6 })
    .map((pairs) =>
      pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&'),
    ),
  fc.string({
    unit: fc.constantFrom('a', '=', '&', '%', '%zz', '%2', '+', '__proto__', 'é', '\ud800'),
    maxLength: 10,
  }),
  fc.constant(''),
);

const rawPath = fc.oneof(
  fc
    .array(fc.oneof(fc.webSegment(), nastyText), { maxLength: 5 })
    .map((segments) => `/${segments.join('/')}`),
  fc.constantFrom('/', '//', '/Prod', '/Prod/', '/%2e%2e/%2F', '/a%zz/b', '*', 'http://evil.example/x', ''),
);

const request: fc.Arbitrary<GatewayRequest> = fc
  .record({
    method: fc.oneof(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
      fc.stringMatching(/^[A-Z]{1,8}$/),
    ),
    rawPath,
    rawQuery,
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
    contentType: fc.option(
      fc.constantFrom(
        'application/json',
        'text/plain; charset=utf-8',
        'application/octet-stream',
        'image/png',
        '',
      ),
      { nil: undefined },
    ),
    body: fc.uint8Array({ maxLength: 64 }),
    receivedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  })
  .map(({ contentType, body, ...fields }) =>
    gatewayRequest({
      ...fields,
      headers:
        contentType === undefined ? fields.headers : [...fields.headers, ['Content-Type', contentType]],
      body: Buffer.from(body),
      sourceIp: '203.0.113.7',
    }),
  );

const stageVariables = fc.option(fc.dictionary(fc.stringMatching(/^\w{1,8}$/), fc.string({ maxLength: 8 })), {
  nil: undefined,
});

/** The router the events are built behind: every path of REST stage `Prod`, and an HTTP API's `$default`. */
function matchOf(api: ApiModel, req: GatewayRequest): RouteMatch | undefined {
  const routes =
    api.kind === 'rest'
      ? [route(api, 'ANY', '/{proxy+}'), route(api, 'ANY', '/')]
      : [route(api, 'ANY', '$default')];
  const result = createRouter(apiMap(api), routes).match(req.method, req.rawPath);
  return result.matched ? result : undefined;
}

/** The header values of one (case-insensitive) name, in order. */
function valuesOf(req: GatewayRequest, lowerName: string): string[] {
  return req.headers.filter(([name]) => name.toLowerCase() === lowerName).map(([, value]) => value);
}

/** The pairs an encoded query was built from, grouped by key in order; `undefined` when it was not built so. */
function encodedPairs(query: string): Map<string, string[]> | undefined {
  const grouped = new Map<string, string[]>();
  if (query === '') return grouped;
  for (const piece of query.split('&')) {
    const [key, value, extra] = piece.split('=');
    if (key === undefined || value === undefined || extra !== undefined) return undefined;
    let pair: [string, string];
    try {
      pair = [decodeURIComponent(key), decodeURIComponent(value)];
      if (encodeURIComponent(pair[0]) !== key || encodeURIComponent(pair[1]) !== value) return undefined;
    } catch {
      return undefined;
    }
    grouped.set(pair[0], [...(grouped.get(pair[0]) ?? []), pair[1]]);
  }
  return grouped;
}

/** What the function receives: the event after the JSON trip to its worker. */
function expectSurvivesJson(event: unknown): void {
  expect(JSON.parse(JSON.stringify(event))).to.deep.equal(event);
}

const BINARY_MEDIA_TYPES = fc.constantFrom(
  [],
  ['*/*'],
  ['image/png', 'application/octet-stream'],
  ['image~1*'],
);

describe('gateway pure parts under arbitrary input (property-based, fast-check)', () => {
  describe('events (SPEC §1 and §2)', () => {
    it('v1: any request becomes an event with every key present, null (never {}) for what is absent, and single values the last of the multi', () => {
      fc.assert(
        fc.property(request, BINARY_MEDIA_TYPES, stageVariables, (req, binaryMediaTypes, variables) => {
          const api = restApi({ binaryMediaTypes, stageVariables: variables });
          const match = matchOf(api, req);
          fc.pre(match !== undefined);
          if (match === undefined) return;
          const event = toV1Event(req, match, CONTEXT);

          expect(Object.keys(event).sort()).to.deep.equal(
            [
              'body',
              'headers',
              'httpMethod',
              'isBase64Encoded',
              'multiValueHeaders',
              'multiValueQueryStringParameters',
              'path',
              'pathParameters',
              'queryStringParameters',
              'requestContext',
              'resource',
              'stageVariables',
            ].sort(),
          );
          const {
            headers,
            multiValueHeaders,
            queryStringParameters: single,
            multiValueQueryStringParameters: multi,
          } = event;
          if (headers === null || multiValueHeaders === null) return expect.fail('headers are never null');
          expect(Object.keys(headers)).to.deep.equal(Object.keys(multiValueHeaders));
          for (const [name, values] of Object.entries(multiValueHeaders))
            expect(headers[name]).to.equal(values.at(-1));
          for (const [name] of req.headers) {
            const lower = name.toLowerCase();
            if (lower.startsWith('x-forwarded-')) continue;
            const keys = Object.keys(multiValueHeaders).filter((key) => key.toLowerCase() === lower);
            expect(keys).to.have.lengthOf(1);
            expect(multiValueHeaders[keys[0] ?? '']).to.deep.equal(valuesOf(req, lower));
          }

          expect(single === null).to.equal(multi === null);
          if (single !== null && multi !== null) {
            expect(Object.keys(multi)).to.not.be.empty;
            expect(Object.keys(single)).to.deep.equal(Object.keys(multi));
            for (const [key, values] of Object.entries(multi)) expect(single[key]).to.equal(values.at(-1));
          }
          const built = encodedPairs(req.rawQuery);
          if (built !== undefined)
            expect(multi === null ? new Map() : new Map(Object.entries(multi))).to.deep.equal(built);

          expect(event.pathParameters === null || Object.keys(event.pathParameters).length > 0).to.equal(
            true,
          );
          expect(event.stageVariables === null || Object.keys(event.stageVariables).length > 0).to.equal(
            true,
          );
          if (req.body.length === 0) expect(event.body).to.equal(null);
          else
            expect(Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8')).to.satisfy(
              (decoded: Buffer) => !event.isBase64Encoded || decoded.equals(req.body),
            );
          if (!event.isBase64Encoded && req.body.length > 0)
            expect(event.body).to.equal(req.body.toString('utf8'));
          expect(event.httpMethod).to.equal(req.method);
          expect(event.requestContext.path).to.equal(`/Prod${event.path}`);
          expect(event.requestContext.requestTimeEpoch).to.equal(req.receivedAt);
          expect(event.requestContext.requestTime).to.match(
            /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/,
          );
          expectSurvivesJson(event);
        }),
        runs(400),
      );
    });

    it('v2: any request becomes an event with lower-case headers, cookies apart, empty fields omitted and rawQueryString as given', () => {
      fc.assert(
        fc.property(request, stageVariables, (req, variables) => {
          const match = matchOf(httpApi({ stageVariables: variables }), req);
          fc.pre(match !== undefined);
          if (match === undefined) return;
          const event = toV2Event(req, match, CONTEXT);

          for (const [key, value] of Object.entries(event)) expect(value, key).to.not.equal(undefined);
          expect(event.rawPath).to.equal(req.rawPath);
          expect(event.requestContext.http.path).to.equal(req.rawPath);
          expect(event.rawQueryString).to.equal(req.rawQuery);
          expect(event.requestContext.http.method).to.equal(req.method);

          const headers = event.headers;
          expect(headers).to.not.have.property('cookie');
          for (const [name, value] of Object.entries(headers)) {
            expect(name).to.equal(name.toLowerCase());
            expect(value).to.be.a('string');
          }
          for (const [name] of req.headers) {
            const lower = name.toLowerCase();
            if (lower === 'cookie' || lower.startsWith('x-forwarded-')) continue;
            expect(headers[lower]).to.equal(valuesOf(req, lower).join(','));
          }
          const cookies = valuesOf(req, 'cookie')
            .flatMap((header) => header.split(';'))
            .map((cookie) => cookie.trim())
            .filter((cookie) => cookie !== '');
          if (cookies.length === 0) expect(event).to.not.have.property('cookies');
          else expect(event.cookies).to.deep.equal(cookies);

          const built = encodedPairs(req.rawQuery);
          if (built !== undefined) {
            if (built.size === 0) expect(event).to.not.have.property('queryStringParameters');
            else
              expect(new Map(Object.entries(event.queryStringParameters ?? {}))).to.deep.equal(
                new Map([...built].map(([key, values]) => [key, values.join(',')])),
              );
          }
          if (event.queryStringParameters !== undefined)
            expect(Object.keys(event.queryStringParameters)).to.not.be.empty;
          if (event.stageVariables !== undefined) expect(Object.keys(event.stageVariables)).to.not.be.empty;

          const contentType = valuesOf(req, 'content-type').at(-1);
          expect(event.isBase64Encoded).to.equal(
            !isHttpApiTextType(contentType === undefined ? undefined : mediaTypeOf(contentType)),
          );
          if (req.body.length === 0) expect(event).to.not.have.property('body');
          else if (event.isBase64Encoded)
            expect(Buffer.from(event.body ?? '', 'base64').equals(req.body)).to.equal(true);
          else expect(event.body).to.equal(req.body.toString('utf8'));
          expectSurvivesJson(event);
        }),
        runs(400),
      );
    });
  });

  describe('responses (SPEC §3)', () => {
    const headerMap = fc
      .array(
        fc.tuple(
          fc.oneof(headerName, nastyText),
          fc.oneof(
            headerValue,
            nastyText,
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.anything({ maxDepth: 1 }),
          ),
        ),
        { maxLength: 5 },
      )
      .map((pairs) => Object.fromEntries(pairs));
    const statusCode = fc.oneof(
      fc.integer({ min: -5, max: 1005 }),
      fc.constantFrom('200', '404', '100', '99', '2e2', ' 200', '', null),
      fc.double(),
      fc.anything({ maxDepth: 0 }),
    );
    /** What a function may return after the JSON trip from its worker: structured results, near misses, junk. */
    const result = fc.oneof(
      fc.record(
        {
          statusCode: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 100, max: 199 })),
          headers: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
          body: fc.string(),
        },
        { requiredKeys: ['statusCode'] },
      ),
      fc.record(
        {
          statusCode,
          headers: fc.oneof(headerMap, fc.anything({ maxDepth: 1 })),
          multiValueHeaders: fc.oneof(
            fc.dictionary(
              fc.oneof(headerName, nastyText),
              fc.oneof(fc.array(fc.oneof(headerValue, fc.integer())), fc.anything({ maxDepth: 1 })),
            ),
            fc.anything({ maxDepth: 1 }),
          ),
          cookies: fc.oneof(fc.array(fc.oneof(headerValue, nastyText)), fc.anything({ maxDepth: 1 })),
          body: fc.oneof(nastyText, fc.string(), fc.anything({ maxDepth: 1 })),
          isBase64Encoded: fc.oneof(fc.boolean(), fc.anything({ maxDepth: 0 })),
          base64Encoded: fc.boolean(),
          extra: fc.anything({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 3 }),
      fc.anything({ maxDepth: 2 }),
    );

    /** What node:http's writeHead accepts without throwing, and a final (not informational) status. */
    function expectSendable(response: GatewayResponse): void {
      expect(Number.isInteger(response.statusCode)).to.equal(true);
      expect(response.statusCode).to.be.within(200, 599);
      for (const [name, value] of response.headers) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      }
      expect(Buffer.isBuffer(response.body)).to.equal(true);
      const contentTypes = response.headers.filter(([name]) => name.toLowerCase() === 'content-type');
      expect(contentTypes.length).to.be.at.least(1);
    }

    it('payload 1.0: any value a function returns becomes a sendable response with a final status, or is malformed (502/500), never an exception', () => {
      fc.assert(
        fc.property(
          result,
          fc.constantFrom('rest' as const, 'http' as const),
          BINARY_MEDIA_TYPES,
          request,
          (value, kind, types, req) => {
            const converted = fromV1Result(value, kind, req, types);
            if (isMalformed(converted)) {
              expect(converted.malformed).to.be.a('string').and.not.be.empty;
              return;
            }
            expectSendable(converted);
            if (isRecord(value) && kind === 'rest') {
              const allowed = [
                'statusCode',
                'headers',
                'multiValueHeaders',
                'body',
                'isBase64Encoded',
                'base64Encoded',
              ];
              for (const key of Object.keys(value))
                expect(allowed, `REST accepted key ${key}`).to.include(key);
            }
          },
        ),
        runs(1000),
      );
    });

    it('payload 2.0: any value a function returns becomes a sendable response with a final status, or is malformed (500), never an exception', () => {
      fc.assert(
        fc.property(result, (value) => {
          const converted = fromV2Result(value);
          if (isMalformed(converted)) {
            expect(converted.malformed).to.be.a('string').and.not.be.empty;
            return;
          }
          expectSendable(converted);
          if (!isRecord(value) || !('statusCode' in value)) {
            // No statusCode: 200 JSON with the value itself as the body (SPEC §3.2).
            expect(converted.statusCode).to.equal(200);
            const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
            expect(converted.body.toString('utf8')).to.equal(Buffer.from(text).toString('utf8'));
          }
        }),
        runs(1000),
      );
    });
  });

  describe('router', () => {
    const rest = restApi();
    const http = httpApi();
    const stagedHttp = httpApi({ logicalId: 'StagedHttpApi', stageName: 'v1' });
    const routes = [
      route(rest, 'GET', '/price'),
      route(rest, 'GET', '/items/{id}'),
      route(rest, 'GET', '/items/special'),
      route(rest, 'ANY', '/echo/{proxy+}'),
      route(rest, 'POST', '/a/{b}/c/{rest+}'),
      route(http, 'POST', '/multiply'),
      route(http, 'GET', '/v2/{id}/x'),
      route(http, 'ANY', '/files/{path+}'),
      route(stagedHttp, 'GET', '/users/{user}'),
      route(stagedHttp, 'ANY', '$default'),
    ];
    const router = createRouter(apiMap(rest, http, stagedHttp), routes);

    /** The template with its variables replaced by the match's parameters. */
    function rebuild(template: string, parameters: Readonly<Record<string, string>> | undefined): string {
      return template.replace(
        /\{([^}+]+)\+?\}/g,
        (_whole, name: string) => parameters?.[name] ?? `{${name}}`,
      );
    }

    it('resolves any method and path to a match or a miss, never an exception, and a REST match’s parameters rebuild its path', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'ANY', 'get', ''),
          rawPath,
          (method, path) => {
            const result = router.match(method, path);
            router.owner(path);
            if (!result.matched) {
              expect(result.kind).to.be.oneOf(['rest', 'http']);
              return;
            }
            expect([...routes]).to.include(result.route);
            if (result.route.path === '$default') return;
            const trimmed =
              result.path.length > 1 && result.path.endsWith('/') ? result.path.slice(0, -1) : result.path;
            if (result.api.kind === 'rest')
              expect(rebuild(result.route.path, result.pathParameters)).to.equal(trimmed);
          },
        ),
        runs(1000),
      );
    });

    it('gives back the parameter values a path was built from: encoded on REST, decoded on HTTP APIs', () => {
      const value = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 });
      // HTTP APIs route on the decoded path and decode parameters once more (see router.ts), so a value with
      // `/` or `%` in it cannot come back unchanged there; REST passes segments through still encoded.
      const httpValue = value.filter((text) => !text.includes('/') && !text.includes('%'));
      fc.assert(
        fc.property(
          fc.oneof(
            fc.tuple(fc.constant('rest' as const), value, fc.array(value, { minLength: 1, maxLength: 3 })),
            fc.tuple(
              fc.constant('http' as const),
              httpValue,
              fc.array(httpValue, { minLength: 1, maxLength: 3 }),
            ),
          ),
          ([kind, first, rest]) => {
            const restPath = `/a/${encodeURIComponent(first)}/c/${rest.map(encodeURIComponent).join('/')}`;
            const httpPath = `/files/${[first, ...rest].map(encodeURIComponent).join('/')}`;
            const result = router.match(
              kind === 'rest' ? 'POST' : 'GET',
              kind === 'rest' ? restPath : httpPath,
            );
            if (!result.matched) return expect.fail(`no match for ${kind === 'rest' ? restPath : httpPath}`);
            if (kind === 'rest') {
              expect(result.route.path).to.equal('/a/{b}/c/{rest+}');
              expect(result.pathParameters).to.deep.equal({
                b: encodeURIComponent(first),
                rest: rest.map(encodeURIComponent).join('/'),
              });
              expect(rebuild(result.route.path, result.pathParameters)).to.equal(restPath);
            } else {
              expect(result.route.path).to.equal('/files/{path+}');
              expect(result.pathParameters).to.deep.equal({ path: [first, ...rest].join('/') });
            }
          },
        ),
        runs(500),
      );
    });
  });

  describe('CORS never reflects an origin that is not configured', () => {
    const configuredOrigin = fc.constantFrom(
      '*',
      'https://*',
      'http://*',
      'https://app.example',
      'http://localhost:3000',
      'https://*.example.com',
    );
    const origin = fc.oneof(
      configuredOrigin.filter((entry) => !entry.includes('*')),
      fc.constantFrom(
        'https://evil.example',
        'HTTPS://APP.EXAMPLE',
        'null',
        'https://app.example.evil.example',
        '',
      ),
      fc.webUrl().map((url) => new URL(url).origin),
      headerValue,
    );
    const cors: fc.Arbitrary<HttpCors> = fc
      .record({
        allowOrigins: fc.uniqueArray(configuredOrigin, { maxLength: 3 }),
        allowCredentials: fc.boolean(),
        exposeHeaders: fc.constantFrom([], ['x-request-id']),
      })
      .map((fields) => ({
        kind: 'http',
        allowMethods: ['GET'],
        allowHeaders: [],
        maxAge: undefined,
        ...fields,
      }));

    /** The documented matching rule (SPEC §5.2), written out independently of cors.ts. */
    function allowedBy(requestOrigin: string, allowOrigins: readonly string[]): boolean {
      const lower = requestOrigin.toLowerCase();
      return allowOrigins.some((entry) => {
        const pattern = entry.toLowerCase();
        if (pattern === '*' || pattern === lower) return true;
        return (pattern === 'https://*' || pattern === 'http://*') && lower.startsWith(pattern.slice(0, -1));
      });
    }

    function allowOriginOf(response: GatewayResponse): string[] {
      return response.headers
        .filter(([name]) => name.toLowerCase() === 'access-control-allow-origin')
        .map(([, value]) => value);
    }

    it('HTTP API: a response or preflight carries Allow-Origin only for an allowed origin, as * or that origin, and never the function’s own', () => {
      fc.assert(
        fc.property(
          cors,
          fc.option(origin, { nil: undefined }),
          nastyText,
          (config, requestOrigin, fromFunction) => {
            const headers: [string, string][] = [['Origin', requestOrigin ?? '']];
            const req = gatewayRequest({
              method: 'OPTIONS',
              headers:
                requestOrigin === undefined ? [] : [...headers, ['Access-Control-Request-Method', 'GET']],
            });
            const functionResponse: GatewayResponse = {
              statusCode: 200,
              headers: [['Access-Control-Allow-Origin', fromFunction.replace(/[^\x20-\x7e]/g, '') || 'x']],
              body: Buffer.alloc(0),
            };
            for (const response of [
              applyHttpCors(functionResponse, req, config),
              httpPreflight(req, config),
            ]) {
              const values = allowOriginOf(response);
              if (requestOrigin === undefined || !allowedBy(requestOrigin, config.allowOrigins)) {
                expect(values).to.deep.equal([]);
                continue;
              }
              expect(values).to.have.lengthOf(1);
              if (values[0] !== '*') expect(values[0]).to.equal(requestOrigin);
              if (values[0] === '*') expect(config.allowOrigins).to.include('*');
            }
          },
        ),
        runs(500),
      );
    });

    it('REST: SAM’s preflight sends the configured Allow-Origin whatever the request’s origin', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('*', 'https://app.example'),
          fc.array(fc.constantFrom('GET', 'POST', 'ANY')),
          (allowOrigin, methods) => {
            const config: RestCors = {
              kind: 'rest',
              allowOrigin,
              allowMethods: undefined,
              allowHeaders: undefined,
              maxAge: undefined,
              allowCredentials: false,
            };
            expect(allowOriginOf(restPreflight(config, methods))).to.deep.equal([allowOrigin]);
          },
        ),
        runs(50),
      );
    });
  });
});
