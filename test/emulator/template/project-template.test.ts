import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadTemplate, TemplateError } from '../../../emulator/template/load.ts';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const templatePath = join(projectRoot, 'template.yaml');

describe("the project's template.yaml", () => {
  it('routes GET /price on the implicit REST API and POST /multiply on the implicit HTTP API', () => {
    const model = loadTemplate(templatePath);
    expect(
      model.routes.map(({ apiId, kind, method, path, functionId, payloadVersion }) => ({
        apiId,
        kind,
        method,
        path,
        functionId,
        payloadVersion,
      })),
    ).to.deep.equal([
      {
        apiId: 'ServerlessRestApi',
        kind: 'rest',
        method: 'GET',
        path: '/price',
        functionId: 'GetPriceFunction',
        payloadVersion: '1.0',
      },
      {
        apiId: 'ServerlessHttpApi',
        kind: 'http',
        method: 'POST',
        path: '/multiply',
        functionId: 'MultiplyFunction',
        payloadVersion: '2.0',
      },
    ]);
    expect(model.apis.get('ServerlessRestApi')?.stageName).to.equal('Prod');
    expect(model.apis.get('ServerlessHttpApi')?.stageName).to.equal('$default');
  });

  it('runs the price ticker every 5 minutes', () => {
    const model = loadTemplate(templatePath);
    expect(
      model.schedules.map(({ functionId, kind, expression, enabled }) => ({
        functionId,
        kind,
        expression,
        enabled,
      })),
    ).to.deep.equal([
      { functionId: 'PriceTickerFunction', kind: 'Schedule', expression: 'rate(5 minutes)', enabled: true },
    ]);
  });

  it('builds each Node.js function with esbuild as ESM (.mjs), with the Globals environment', () => {
    const model = loadTemplate(templatePath);
    expect([...model.functions.keys()]).to.deep.equal([
      'GetPriceFunction',
      'MultiplyFunction',
      'PriceTickerFunction',
    ]);
    for (const fn of model.functions.values()) {
      expect(fn.codeUri, fn.logicalId).to.equal(join(projectRoot, 'functions'));
      expect(fn.runtime, fn.logicalId).to.match(/^nodejs\d+\.x$/);
      expect(fn.build?.format, fn.logicalId).to.equal('esm');
      expect(fn.build?.outExtension, fn.logicalId).to.deep.equal({ '.js': '.mjs' });
      expect(fn.environment.ALLOWED_ORIGIN, fn.logicalId).to.equal('*');
      expect(fn.environment.BINANCE_API_URL, fn.logicalId).to.equal('https://data-api.binance.vision');
    }
    expect(model.functions.get('PriceTickerFunction')?.environment.METRICS_NAMESPACE).to.equal('local');
  });

  it('applies the AllowedOrigin parameter to both APIs’ CORS and to the functions', () => {
    const origin = 'https://app.example.com';
    const model = loadTemplate(templatePath, { parameterOverrides: { AllowedOrigin: origin } });
    const rest = model.apis.get('ServerlessRestApi')?.cors;
    const http = model.apis.get('ServerlessHttpApi')?.cors;
    expect(rest?.kind === 'rest' ? rest.allowOrigin : undefined).to.equal(origin);
    expect(http?.kind === 'http' ? http.allowOrigins : undefined).to.deep.equal([origin]);
    expect(model.functions.get('GetPriceFunction')?.environment.ALLOWED_ORIGIN).to.equal(origin);
  });

  it('rejects an AllowedOrigin override that its AllowedPattern does not allow', () => {
    expect(() =>
      loadTemplate(templatePath, { parameterOverrides: { AllowedOrigin: "https://evil.example/'" } }),
    )
      .to.throw(TemplateError)
      .with.property('path', 'Parameters.AllowedOrigin.AllowedPattern');
  });

  it('throttles every route of both APIs at the stage, 50 requests per second with a burst of 100 by default', () => {
    const model = loadTemplate(templatePath);

    for (const apiId of ['ServerlessRestApi', 'ServerlessHttpApi']) {
      expect(model.apis.get(apiId)?.throttle, apiId).to.deep.equal({
        default: { rateLimit: 50, burstLimit: 100 },
        routes: new Map(),
      });
    }
  });

  it('takes the throttle from the ThrottleRate and ThrottleBurst parameters, within their bounds', () => {
    const model = loadTemplate(templatePath, {
      parameterOverrides: { ThrottleRate: '5', ThrottleBurst: '10' },
    });

    expect(model.apis.get('ServerlessRestApi')?.throttle?.default).to.deep.equal({
      rateLimit: 5,
      burstLimit: 10,
    });
    expect(model.apis.get('ServerlessHttpApi')?.throttle?.default).to.deep.equal({
      rateLimit: 5,
      burstLimit: 10,
    });
    expect(() => loadTemplate(templatePath, { parameterOverrides: { ThrottleBurst: '0' } }))
      .to.throw(TemplateError)
      .with.property('path', 'Parameters.ThrottleBurst.MinValue');
  });

  it('keeps both APIs public: no authorizer and no API key on any route', () => {
    const model = loadTemplate(templatePath);

    expect(model.routes.map((route) => route.auth)).to.deep.equal([undefined, undefined]);
    expect(model.usagePlans).to.equal(undefined);
  });
});
