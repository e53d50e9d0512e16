import { expect } from 'chai';
import { functionEnvironment, heapLimits, logStreamName } from '../../../emulator/runtime/environment.ts';
import { functionModel } from './helpers.ts';

const inputs = { codeDir: '/code/price', overrides: {}, region: 'us-east-2', hostPath: '/usr/bin:/bin' };

describe('runtime: function environment', () => {
  it('applies env.json overrides over template variables, and reserved variables over both', () => {
    const fn = functionModel({
      functionName: 'price',
      environment: { TABLE: 'template', STAGE: 'dev', AWS_LAMBDA_FUNCTION_NAME: 'spoofed', LANG: 'C' },
    });
    const env = functionEnvironment(fn, { ...inputs, overrides: { TABLE: 'local', _HANDLER: 'x.y' } });
    expect(env).to.deep.equal({
      LANG: 'C',
      PATH: '/usr/bin:/bin',
      TABLE: 'local',
      STAGE: 'dev',
      _HANDLER: 'runtime.echo',
      AWS_REGION: 'us-east-2',
      AWS_DEFAULT_REGION: 'us-east-2',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'price',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/price',
      LAMBDA_TASK_ROOT: '/code/price',
      TZ: ':UTC',
    });
  });

  it("sets NODE_PATH to the layers' and the runtime's module folders, and a function's own NODE_PATH replaces it (not reserved)", () => {
    const nodePath = [
      '/layers/a/nodejs/node22/node_modules',
      '/layers/a/nodejs/node_modules',
      '/sdk/node_modules',
    ];

    const lambdaDefault = functionEnvironment(functionModel(), { ...inputs, nodePath });
    const own = functionEnvironment(functionModel({ environment: { NODE_PATH: '/mine' } }), {
      ...inputs,
      nodePath,
    });

    expect(lambdaDefault.NODE_PATH).to.equal(nodePath.join(':'));
    expect(own.NODE_PATH).to.equal('/mine');
    expect(functionEnvironment(functionModel(), inputs)).to.not.have.property('NODE_PATH');
  });

  it('names the declared runtime in AWS_EXECUTION_ENV (AWS_Lambda_nodejs24.x)', () => {
    const env = functionEnvironment(functionModel({ runtime: 'nodejs24.x' }), inputs);

    expect(env.AWS_EXECUTION_ENV).to.equal('AWS_Lambda_nodejs24.x');
  });

  it('tells the runtime the log format and application log level only for the JSON format', () => {
    const json = functionEnvironment(functionModel({ logFormat: 'JSON' }), inputs);
    const debug = functionEnvironment(
      functionModel({ logFormat: 'JSON', applicationLogLevel: 'debug' }),
      inputs,
    );
    const text = functionEnvironment(functionModel({ applicationLogLevel: 'DEBUG' }), inputs);
    expect(json).to.include({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' });
    expect(debug).to.include({ AWS_LAMBDA_LOG_LEVEL: 'DEBUG' });
    expect(text).not.to.have.any.keys('AWS_LAMBDA_LOG_FORMAT', 'AWS_LAMBDA_LOG_LEVEL');
  });

  it('sets no PATH when the emulator has none', () => {
    expect(functionEnvironment(functionModel(), { ...inputs, hostPath: undefined })).not.to.have.property(
      'PATH',
    );
  });

  it('names log streams as Lambda does, one new name per execution environment', () => {
    const day = new Date('2024-05-01T23:59:59Z');
    const first = logStreamName(day);
    expect(first).to.match(/^2024\/05\/01\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(logStreamName(day)).not.to.equal(first);
  });

  it('limits the old space to MemorySize, or to a smaller --max-old-space-size from NODE_OPTIONS', () => {
    const oldSpace = (memorySize: number, nodeOptions?: string) =>
      heapLimits(memorySize, nodeOptions).maxOldGenerationSizeMb;
    expect(oldSpace(128)).to.equal(128);
    expect(oldSpace(1024, '--enable-source-maps --max-old-space-size=300')).to.equal(300);
    expect(oldSpace(1024, '--max-old-space-size 200')).to.equal(200);
    expect(oldSpace(1024, '--max_old_space_size=250')).to.equal(250);
    expect(oldSpace(128, '--max-old-space-size=4096')).to.equal(128);
    expect(oldSpace(1024, '--max-old-space-size=300x')).to.equal(1024);
  });

  it('sizes the young generation as V8 does for MemorySize of memory, unless NODE_OPTIONS sets the semi-space', () => {
    const young = (memorySize: number, nodeOptions?: string) =>
      heapLimits(memorySize, nodeOptions).maxYoungGenerationSizeMb;
    expect([128, 256, 512].map((memorySize) => young(memorySize))).to.deep.equal([3, 3, 3]);
    expect(young(1024)).to.equal(12);
    expect(young(2048)).to.equal(24);
    expect(young(4096)).to.equal(48);
    expect(young(10240)).to.equal(48);
    expect(young(256, '--max-semi-space-size=8')).to.equal(24);
    expect(young(10240, '--max_semi_space_size 2')).to.equal(6);
  });
});
