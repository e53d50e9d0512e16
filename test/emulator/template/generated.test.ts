import { expect } from 'chai';
import { load } from './helpers.ts';

/** A REST API `Api` (stage `v1`), an HTTP API `Http`, and `Fn` whose environment holds `variables`. */
function withGenerated(variables: Record<string, string>, extra = ''): ReturnType<typeof load> {
  const lines = Object.entries(variables).map(([name, value]) => `              ${name}: ${value}`);
  return load(`
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: v1
      Http:
        Type: AWS::Serverless::HttpApi
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: nodejs22.x
          AutoPublishAlias: live
          Environment:
            Variables:
${lines.join('\n')}
          Events:
            Get:
              Type: Api
              Properties: {RestApiId: !Ref Api, Path: /items, Method: get}
            Tick:
              Type: Schedule
              Properties: {Schedule: rate(5 minutes)}
${extra}
  `);
}

function environment(variables: Record<string, string>): Readonly<Record<string, string>> {
  const fn = withGenerated(variables).functions.get('Fn');
  if (fn === undefined) return expect.fail('Fn was not loaded');
  return fn.environment;
}

describe('template resources SAM generates', () => {
  it('Ref to <Api><Stage>Stage and <HttpApi>ApiGatewayDefaultStage gives the stage name', () => {
    expect(environment({ REST: '!Ref Apiv1Stage', HTTP: '!Ref HttpApiGatewayDefaultStage' })).to.deep.equal({
      REST: 'v1',
      HTTP: '$default',
    });
  });

  it('Ref to <Function>Alias<Name> gives the alias ARN and to <Function>Version<hash> the version ARN', () => {
    expect(environment({ ALIAS: '!Ref FnAliaslive', VERSION: '!Ref FnVersion0123456789' })).to.deep.equal({
      ALIAS: 'arn:aws:lambda:us-east-1:123456789012:function:Fn:live',
      VERSION: 'arn:aws:lambda:us-east-1:123456789012:function:Fn:1',
    });
  });

  it('Ref to <Function><ScheduleEvent> gives a rule name, and GetAtt Arn its rule ARN', () => {
    const { RULE, RULE_ARN } = environment({ RULE: '!Ref FnTick', RULE_ARN: '!GetAtt FnTick.Arn' });
    expect(RULE).to.match(/^local-FnTick-[A-Z0-9]{10}$/);
    expect(RULE_ARN).to.equal(`arn:aws:events:us-east-1:123456789012:rule/${RULE}`);
  });

  it('Ref to <Api>Deployment<hash> gives a stable deployment id without a warning', () => {
    const first = withGenerated({ DEPLOYMENT: '!Ref ApiDeployment0123456789' });
    expect(first.functions.get('Fn')?.environment.DEPLOYMENT).to.match(/^[a-z0-9]{6}$/);
    expect(first.warnings).to.deep.equal([]);
  });

  it('prefers the longest owner when two logical ids prefix a generated name', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Api:
          Type: AWS::Serverless::Api
          Properties: {StageName: one}
        ApiV2:
          Type: AWS::Serverless::Api
          Properties: {StageName: two}
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Environment:
              Variables:
                STAGE: !Ref ApiV2twoStage
    `);
    expect(model.functions.get('Fn')?.environment.STAGE).to.equal('two');
  });

  it('accepts DependsOn naming a resource SAM generates, such as ServerlessRestApiProdStage or <Function>Role', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            Events:
              Get:
                Type: Api
                Properties: {Path: /items, Method: get}
        UsagePlan:
          Type: AWS::ApiGateway::UsagePlan
          DependsOn: [ServerlessRestApiProdStage, FnRole]
    `);
    expect(model.functions.has('Fn')).to.equal(true);
  });

  it('still warns about DependsOn naming nothing at all', () => {
    const model = load(`
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Queue:
          Type: AWS::SQS::Queue
          DependsOn: Missing
    `);
    expect(model.warnings[0]).to.include('DependsOn Missing: no resource has this logical id');
  });

  it('accepts ServerlessDeploymentApplication and CodeDeployServiceRole, which SAM makes once a function has a DeploymentPreference', () => {
    const template = (preference: string) => `
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: app.handler
            Runtime: nodejs22.x
            AutoPublishAlias: live
${preference}
            Environment:
              Variables:
                APP: !Ref ServerlessDeploymentApplication
    `;
    const model = load(template('            DeploymentPreference: {Type: AllAtOnce}'));
    expect(model.functions.get('Fn')?.environment.APP).to.equal('ServerlessDeploymentApplication');
    expect(() => load(template(''))).to.throw('Ref ServerlessDeploymentApplication: no parameter');
  });

  it('Ref to a generated resource with no local value gives its logical id, with a warning', () => {
    const model = withGenerated({ PERMISSION: '!Ref FnGetPermissionv1' });
    expect(model.functions.get('Fn')?.environment.PERMISSION).to.equal('FnGetPermissionv1');
    expect(model.warnings[0]).to.include(
      'Ref FnGetPermissionv1 names a resource SAM generates; using its logical id',
    );
  });
});
