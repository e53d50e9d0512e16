import { expect } from 'chai';
import { type LoadOptions, parseTemplate, TemplateError } from '../../../emulator/template/load.ts';
import type { AppModel, FunctionModel, HttpCors, RestCors } from '../../../emulator/template/model.ts';

export const TEMPLATE_PATH = '/project/template.yaml';

/** Removes the indentation common to all non-blank lines, so templates can be indented like the test code. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}

export function load(template: string, options?: LoadOptions): AppModel {
  return parseTemplate(dedent(template), TEMPLATE_PATH, options);
}

/** The TemplateError that loading `template` raises. */
export function loadError(template: string, options?: LoadOptions): TemplateError {
  try {
    load(template, options);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  return expect.fail('expected the template to be rejected with a TemplateError');
}

export function onlyFunction(model: AppModel): FunctionModel {
  expect(model.functions.size).to.equal(1);
  const [fn] = model.functions.values();
  if (fn === undefined) return expect.fail('no function');
  return fn;
}

export function httpCorsOf(model: AppModel, apiId: string): HttpCors {
  const cors = model.apis.get(apiId)?.cors;
  if (cors?.kind !== 'http') return expect.fail(`${apiId} has no HTTP API CORS configuration`);
  return cors;
}

export function restCorsOf(model: AppModel, apiId: string): RestCors {
  const cors = model.apis.get(apiId)?.cors;
  if (cors?.kind !== 'rest') return expect.fail(`${apiId} has no REST API CORS configuration`);
  return cors;
}

/** A template with one Node.js function `Fn`; `extra` is appended under the function's `Properties`. */
export function functionTemplate(extra = '', sections = ''): string {
  const properties = dedent(extra)
    .split('\n')
    .map((line) => (line === '' ? line : `      ${line}`))
    .join('\n');
  return `
Transform: AWS::Serverless-2016-10-31
${dedent(sections)}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs22.x
${properties}
`;
}
