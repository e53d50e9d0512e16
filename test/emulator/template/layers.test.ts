import { expect } from 'chai';
import { load, loadError } from './helpers.ts';

const TODAY = new Date('2026-12-01T00:00:00Z');

const LAYERS = `
  Transform: AWS::Serverless-2016-10-31
  Globals:
    Function:
      Runtime: nodejs22.x
      Handler: app.handler
      CodeUri: src/
      Layers:
        - !Ref Shared
  Resources:
    Shared:
      Type: AWS::Serverless::LayerVersion
      Properties:
        LayerName: shared-deps
        ContentUri: layers/shared/
        CompatibleRuntimes: [nodejs20.x]
    Built:
      Type: AWS::Serverless::LayerVersion
      Properties:
        ContentUri: layers/built/
      Metadata:
        BuildMethod: nodejs22.x
    Plain:
      Type: AWS::Lambda::LayerVersion
      Properties:
        Content: layers/plain/
    Fn:
      Type: AWS::Serverless::Function
      Properties:
        Layers:
          - !Ref Built
          - !Ref Plain
          - arn:aws:lambda:us-east-1:999999999999:layer:elsewhere:7
        Environment:
          Variables:
            LAYER: !Ref Shared
`;

describe('template layers', () => {
  it('!Ref to a LayerVersion resolves to its version ARN, arn:aws:lambda:<region>:<account>:layer:<LayerName>:1', () => {
    const fn = load(LAYERS, { today: TODAY }).functions.get('Fn');

    expect(fn?.environment.LAYER).to.equal('arn:aws:lambda:us-east-1:123456789012:layer:shared-deps:1');
  });

  it("merges Globals Layers with the function's, Globals first, in the order Lambda extracts them", () => {
    const fn = load(LAYERS, { today: TODAY }).functions.get('Fn');

    expect(fn?.layers.map((layer) => layer.logicalId)).to.deep.equal(['Shared', 'Built', 'Plain']);
  });

  it('stands ContentUri/nodejs for /opt/nodejs, or ContentUri itself when sam build installs it (BuildMethod nodejsNN.x)', () => {
    const fn = load(LAYERS, { today: TODAY }).functions.get('Fn');

    expect(fn?.layers.map(({ nodejsDir, buildMethod }) => ({ nodejsDir, buildMethod }))).to.deep.equal([
      { nodejsDir: '/project/layers/shared/nodejs', buildMethod: undefined },
      { nodejsDir: '/project/layers/built', buildMethod: 'nodejs22.x' },
      { nodejsDir: '/project/layers/plain/nodejs', buildMethod: undefined },
    ]);
  });

  it('lists a layer given only as an ARN as not available locally, once, and keeps the function', () => {
    const model = load(LAYERS, { today: TODAY });

    expect(model.functions.has('Fn')).to.equal(true);
    expect(model.warnings.filter((line) => line.includes('elsewhere'))).to.deep.equal([
      '/project/template.yaml: layer arn:aws:lambda:us-east-1:999999999999:layer:elsewhere:7 is not in this ' +
        'template, so not available locally; functions run without it',
    ]);
  });

  it('warns when a layer does not list the runtime of a function that uses it (CompatibleRuntimes is advice)', () => {
    const model = load(LAYERS, { today: TODAY });

    expect(
      model.warnings.some((line) =>
        /Shared\.Properties\.CompatibleRuntimes: does not list nodejs22\.x/.test(line),
      ),
    ).to.equal(true);
  });

  it('does not build makefile layers: warns and uses ContentUri as the layer content', () => {
    const model = load(
      `
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Made:
          Type: AWS::Serverless::LayerVersion
          Properties:
            ContentUri: made/
          Metadata:
            BuildMethod: makefile
        Fn:
          Type: AWS::Serverless::Function
          Properties: { Runtime: nodejs22.x, Handler: app.handler, CodeUri: src/, Layers: [!Ref Made] }
      `,
      { today: TODAY },
    );

    expect(model.functions.get('Fn')?.layers[0]?.nodejsDir).to.equal('/project/made/nodejs');
    expect(model.warnings.some((line) => line.includes('makefile layers are not built locally'))).to.equal(
      true,
    );
  });
});

describe('template runtimes', () => {
  const withRuntime = (runtime: string) => `
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties: { Runtime: ${runtime}, Handler: app.handler, CodeUri: src/ }
  `;

  it('runs a deprecated runtime with a warning, as Lambda keeps invoking functions on one', () => {
    const model = load(withRuntime('nodejs18.x'), { today: TODAY });

    expect(model.functions.has('Fn')).to.equal(true);
    expect(model.warnings.join('\n')).to.match(
      /nodejs18\.x is deprecated since 2025-09-01.*it still runs here/,
    );
  });

  it('rejects a Node.js runtime Lambda does not have, naming the supported ones', () => {
    expect(loadError(withRuntime('nodejs21.x'), { today: TODAY }).message).to.match(
      /Runtime: nodejs21\.x is not a Lambda runtime; Node\.js runtimes are nodejs24\.x, nodejs22\.x$/,
    );
  });

  it("carries one notice per distinct runtime whose Node major is not the host's", () => {
    const model = load(withRuntime('nodejs24.x'), { today: TODAY, hostNodeVersion: '20.20.2' });

    expect(model.notices).to.deep.equal([
      "nodejs24.x functions run here on this machine's Node 20.20.2, not Node 24: syntax and APIs added after " +
        'Node 20 fail here; AWS runs them on Node 24',
    ]);
    expect(
      load(withRuntime('nodejs20.x'), { today: TODAY, hostNodeVersion: '20.1.0' }).notices,
    ).to.deep.equal([]);
  });
});
