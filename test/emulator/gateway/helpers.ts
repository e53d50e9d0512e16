import { readFileSync } from 'node:fs';
import type { GatewayRequest } from '../../../emulator/gateway/request.ts';
import type { RouteMatch, RouteMiss } from '../../../emulator/gateway/router.ts';
import type { ApiModel, RouteModel } from '../../../emulator/template/model.ts';

/** 2020-03-10T05:16:23.220Z, the time of the captured nodejs-apig HTTP API event. */
export const RECEIVED_AT = 1583817383220;

export function gatewayRequest(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'GET',
    rawPath: '/',
    rawQuery: '',
    headers: [['Host', 'localhost:3000']],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    receivedAt: RECEIVED_AT,
    ...overrides,
  };
}

export function restApi(overrides: Partial<ApiModel> = {}): ApiModel {
  return {
    logicalId: 'ServerlessRestApi',
    physicalId: 'a1b2c3d4e5',
    kind: 'rest',
    stageName: 'Prod',
    stageVariables: undefined,
    binaryMediaTypes: [],
    cors: undefined,
    ...overrides,
  };
}

export function httpApi(overrides: Partial<ApiModel> = {}): ApiModel {
  return {
    logicalId: 'ServerlessHttpApi',
    physicalId: 'f6g7h8i9j0',
    kind: 'http',
    stageName: '$default',
    stageVariables: undefined,
    binaryMediaTypes: [],
    cors: undefined,
    ...overrides,
  };
}

export function apiMap(...apis: ApiModel[]): Map<string, ApiModel> {
  return new Map(apis.map((api) => [api.logicalId, api]));
}

/** A route of `api`; the function id names the route so tests can tell which one matched. */
export function route(
  api: ApiModel,
  method: string,
  path: string,
  payloadVersion?: '1.0' | '2.0',
): RouteModel {
  return {
    apiId: api.logicalId,
    kind: api.kind,
    method,
    path,
    functionId: `${method} ${path}`,
    eventId: `${method}${path}`,
    payloadVersion: payloadVersion ?? (api.kind === 'rest' ? '1.0' : '2.0'),
    integrationTimeoutMs: api.kind === 'rest' ? 29000 : 30000,
  };
}

export function expectMatch(result: RouteMatch | RouteMiss): RouteMatch {
  if (!result.matched) throw new Error(`expected a match, got a ${result.kind} miss`);
  return result;
}

export function readCaptured(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./captured/${name}`, import.meta.url), 'utf8'));
}

/** Fields whose members are request data rather than event structure. */
const DATA_FIELDS = new Set([
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'pathParameters',
  'stageVariables',
  'cookies',
]);

/**
 * The structure of an event as `path: type` lines, in key order: every key, nested objects expanded, data maps
 * (headers, query, cookies…) reduced to their own type.
 */
export function shapeOf(value: unknown, path = ''): string[] {
  if (value === null) return [`${path}: null`];
  if (Array.isArray(value)) return [`${path}: array`];
  if (typeof value !== 'object') return [`${path}: ${typeof value}`];
  const lines = [`${path}: object`];
  if (DATA_FIELDS.has(path.slice(path.lastIndexOf('.') + 1))) return lines;
  for (const [key, member] of Object.entries(value))
    lines.push(...shapeOf(member, path === '' ? key : `${path}.${key}`));
  return lines;
}

export function text(buffer: Buffer): string {
  return buffer.toString('utf8');
}
