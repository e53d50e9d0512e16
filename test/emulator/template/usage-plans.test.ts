import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadTemplate } from '../../../emulator/template/load.ts';
import { dedent, load, loadError } from './helpers.ts';

const FUNCTION = `
    Fn:
      Type: AWS::Serverless::Function
      Properties:
        CodeUri: src/
        Runtime: nodejs22.x
        Handler: app.handler
        Events:
          One: {Type: Api, Properties: {RestApiId: !Ref One, Path: /one, Method: get}}
          Two: {Type: Api, Properties: {RestApiId: !Ref Two, Path: /two, Method: get}}
`;

const samPlans = (one: string, two: string) => `
  Transform: AWS::Serverless-2016-10-31
  Resources:
    One:
      Type: AWS::Serverless::Api
      Properties:
        StageName: dev
        Auth: {ApiKeyRequired: true, UsagePlan: ${one}}
    Two:
      Type: AWS::Serverless::Api
      Properties:
        StageName: dev
        Auth: {ApiKeyRequired: true, UsagePlan: ${two}}
${FUNCTION}`;

describe('API keys and usage plans in the template', () => {
  it('CreateUsagePlan PER_API: SAM generates <Api>UsagePlan and an enabled <Api>ApiKey with no Value, so one is made up', () => {
    const model = load(
      samPlans(
        '{CreateUsagePlan: PER_API, Throttle: {RateLimit: 5, BurstLimit: 10}, Quota: {Limit: 100, Period: WEEK, Offset: 1}}',
        '{CreateUsagePlan: NONE}',
      ),
    );

    expect(model.usagePlans?.keys).to.have.length(1);
    const key = model.usagePlans?.keys[0];
    expect(key).to.include({ logicalId: 'OneApiKey', enabled: true, generated: true });
    expect(key?.value).to.match(/^[A-Za-z0-9]{40}$/);
    expect(key?.id).to.match(/^[a-z0-9]{10}$/);
    expect(model.usagePlans?.plans).to.deep.equal([
      {
        logicalId: 'OneUsagePlan',
        apiIds: ['One'],
        keyIds: ['OneApiKey'],
        throttle: { rateLimit: 5, burstLimit: 10 },
        methodThrottles: new Map(),
        quota: { limit: 100, period: 'WEEK', offset: 1 },
      },
    ]);
  });

  it('a generated key is the same on every load of the stack, and differs between stacks', () => {
    const template = samPlans('{CreateUsagePlan: PER_API}', '{CreateUsagePlan: NONE}');
    const value = (stackName?: string) =>
      load(template, stackName === undefined ? {} : { stackName }).usagePlans?.keys[0]?.value;

    expect(value()).to.equal(value());
    expect(value('other')).to.not.equal(value());
  });

  it('CreateUsagePlan SHARED: one ServerlessUsagePlan and ServerlessApiKey for every API sharing it, with the settings of the last', () => {
    const model = load(
      samPlans(
        '{CreateUsagePlan: SHARED, Quota: {Limit: 1, Period: DAY}}',
        '{CreateUsagePlan: SHARED, Throttle: {RateLimit: 2}}',
      ),
    );

    expect(model.usagePlans?.keys.map((key) => key.logicalId)).to.deep.equal(['ServerlessApiKey']);
    expect(model.usagePlans?.plans).to.deep.equal([
      {
        logicalId: 'ServerlessUsagePlan',
        apiIds: ['One', 'Two'],
        keyIds: ['ServerlessApiKey'],
        throttle: { rateLimit: 2, burstLimit: undefined },
        methodThrottles: new Map(),
        quota: undefined,
      },
    ]);
  });

  it('CreateUsagePlan is required, and one of PER_API, SHARED, NONE', () => {
    expect(loadError(samPlans('{Quota: {Limit: 1}}', '{CreateUsagePlan: NONE}')).path).to.equal(
      'Resources.One.Properties.Auth.UsagePlan',
    );
    expect(loadError(samPlans('{CreateUsagePlan: ALL}', '{CreateUsagePlan: NONE}')).path).to.equal(
      'Resources.One.Properties.Auth.UsagePlan.CreateUsagePlan',
    );
  });

  it('ApiKey, UsagePlan and UsagePlanKey resources: Value, Enabled (false unless set), ApiStages with per-method Throttle, Quota', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        One:
          Type: AWS::Serverless::Api
          Properties: {StageName: dev, Auth: {ApiKeyRequired: true}}
        Two:
          Type: AWS::Serverless::Api
          Properties: {StageName: dev}
        Key:
          Type: AWS::ApiGateway::ApiKey
          Properties: {Value: a-key-of-twenty-characters, Enabled: true, StageKeys: [{RestApiId: !Ref One, StageName: dev}]}
        Off:
          Type: AWS::ApiGateway::ApiKey
          Properties: {Value: another-key-of-twenty-characters}
        Plan:
          Type: AWS::ApiGateway::UsagePlan
          Properties:
            ApiStages:
              - ApiId: !Ref One
                Stage: dev
                Throttle:
                  /one/GET: {RateLimit: 1, BurstLimit: 2}
                  '/~1one/POST': {RateLimit: 3}
            Throttle: {RateLimit: 10, BurstLimit: 20}
            Quota: {Limit: 1000, Period: MONTH, Offset: 2}
        PlanKey:
          Type: AWS::ApiGateway::UsagePlanKey
          Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Runtime: nodejs22.x
            Handler: app.handler
            Events:
              One: {Type: Api, Properties: {RestApiId: !Ref One, Path: /one, Method: get}}
    `);

    expect(
      model.usagePlans?.keys.map(({ logicalId, value, enabled, generated }) => ({
        logicalId,
        value,
        enabled,
        generated,
      })),
    ).to.deep.equal([
      { logicalId: 'Key', value: 'a-key-of-twenty-characters', enabled: true, generated: false },
      { logicalId: 'Off', value: 'another-key-of-twenty-characters', enabled: false, generated: false },
    ]);
    expect(model.usagePlans?.plans).to.deep.equal([
      {
        logicalId: 'Plan',
        apiIds: ['One'],
        keyIds: ['Key'],
        throttle: { rateLimit: 10, burstLimit: 20 },
        methodThrottles: new Map([
          ['One GET /one', { rateLimit: 1, burstLimit: 2 }],
          ['One POST /one', { rateLimit: 3, burstLimit: undefined }],
        ]),
        quota: { limit: 1000, period: 'MONTH', offset: 2 },
      },
    ]);
    expect(model.ignoredResources.map((group) => group.type)).to.not.include.members([
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::UsagePlan',
      'AWS::ApiGateway::UsagePlanKey',
    ]);
  });

  it('keys and plans are listed as not emulated when no method requires a key, since then they change no answer', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Key:
          Type: AWS::ApiGateway::ApiKey
          Properties: {Enabled: true}
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Runtime: nodejs22.x
            Handler: app.handler
            Events:
              Get: {Type: Api, Properties: {Path: /items, Method: get}}
    `);

    expect(model.ignoredResources).to.deep.equal([{ type: 'AWS::ApiGateway::ApiKey', logicalIds: ['Key'] }]);
  });

  it('a usage plan stage naming no REST API of the template is warned about and left out', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Key:
          Type: AWS::ApiGateway::ApiKey
          Properties: {Enabled: true}
        Plan:
          Type: AWS::ApiGateway::UsagePlan
          Properties:
            ApiStages: [{ApiId: abcdef1234, Stage: prod}]
        Fn:
          Type: AWS::Serverless::Function
          Properties: {CodeUri: src/, Runtime: nodejs22.x, Handler: app.handler}
    `);

    expect(model.usagePlans?.plans[0]?.apiIds).to.deep.equal([]);
    expect(model.warnings.join('\n')).to.include('ApiStages[0].ApiId');
  });

  it('warns when methods require a key that no usage plan opens: every request to them is refused', () => {
    const model = load(samPlans('{CreateUsagePlan: PER_API}', '{CreateUsagePlan: NONE}'));

    const warnings = model.warnings.filter((warning) => warning.includes('ApiKeyRequired'));

    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('Resources.Two');
    expect(warnings[0]).to.include('403 Forbidden to every request');
  });

  it("a nested stack's keys and plans come up under its path, naming its APIs by their full ids", () => {
    const root = mkdtempSync(join(tmpdir(), 'usage-plans-'));
    try {
      mkdirSync(join(root, 'child'));
      writeFileSync(
        join(root, 'template.yaml'),
        dedent(`
          Transform: AWS::Serverless-2016-10-31
          Resources:
            Child:
              Type: AWS::Serverless::Application
              Properties: {Location: child/template.yaml}
        `),
      );
      writeFileSync(
        join(root, 'child', 'template.yaml'),
        dedent(`
          Transform: AWS::Serverless-2016-10-31
          Resources:
            Api:
              Type: AWS::Serverless::Api
              Properties: {StageName: dev, Auth: {ApiKeyRequired: true, UsagePlan: {CreateUsagePlan: PER_API}}}
            Fn:
              Type: AWS::Serverless::Function
              Properties:
                CodeUri: .
                Runtime: nodejs22.x
                Handler: app.handler
                Events:
                  Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /items, Method: get}}
        `),
      );

      const model = loadTemplate(join(root, 'template.yaml'));

      expect(model.usagePlans?.keys.map((key) => key.logicalId)).to.deep.equal(['Child/ApiApiKey']);
      expect(
        model.usagePlans?.plans.map(({ logicalId, apiIds, keyIds }) => ({ logicalId, apiIds, keyIds })),
      ).to.deep.equal([
        { logicalId: 'Child/ApiUsagePlan', apiIds: ['Child/Api'], keyIds: ['Child/ApiApiKey'] },
      ]);
      expect(model.routes.map((route) => route.apiId)).to.deep.equal(['Child/Api']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
