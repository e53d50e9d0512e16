import type { FunctionModel } from '../../emulator/template/model.ts';

/** A function as the template loader hands it over, with SAM's defaults; tests override what they exercise. */
export function functionModel(overrides: Partial<FunctionModel> = {}): FunctionModel {
  return {
    logicalId: 'FixtureFunction',
    functionName: 'fixture-function',
    codeUri: '/app',
    inlineCode: undefined,
    handler: 'handler.handler',
    runtime: 'nodejs22.x',
    architectures: ['x86_64'],
    timeout: 3,
    memorySize: 128,
    environment: {},
    reservedConcurrency: undefined,
    logFormat: 'Text',
    applicationLogLevel: undefined,
    systemLogLevel: undefined,
    build: undefined,
    maximumRetryAttempts: undefined,
    maximumEventAgeInSeconds: undefined,
    layers: [],
    ...overrides,
  };
}
