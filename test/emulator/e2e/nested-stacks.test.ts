import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { run } from '../../support/cli.ts';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { eventually } from '../../support/wait.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/nested/', import.meta.url));
const NESTED_TEMPLATE = path.join(FIXTURE, 'template.yaml');
const EVENT = path.join(FIXTURE, 'event.json');

function bodyOf(text: string): unknown {
  const result: unknown = JSON.parse(text);
  if (
    typeof result !== 'object' ||
    result === null ||
    !('body' in result) ||
    typeof result.body !== 'string'
  ) {
    throw new Error(`not a proxy result: ${text}`);
  }
  return JSON.parse(result.body);
}

describe('nested applications and stacks, as sam local runs them', function () {
  this.timeout(30_000);

  describe('start-api and the Invoke endpoint', () => {
    let api: TestApi;
    let client: LambdaClient;

    before(async () => {
      api = await startTestApi(NESTED_TEMPLATE, { lambda: true });
      if (api.lambdaUrl === undefined) throw new Error('the Invoke endpoint did not start');
      client = new LambdaClient({
        endpoint: api.lambdaUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
    });
    after(async () => {
      client?.destroy();
      await api?.close();
    });

    it("serves the parent's route, resolving !GetAtt Child.Outputs.Name from the child", async () => {
      const response = await request(`${api.url}/parent`);

      expect(response.status).to.equal(200);
      expect(response.json()).to.deep.equal({ stack: 'parent', ordersPath: '/orders' });
    });

    it("serves a nested application's own HTTP API on the same port, its function reading the parameter the parent passed", async () => {
      const response = await request(`${api.url}/orders`);

      expect(response.status).to.equal(200);
      const body = response.json();
      expect(body).to.deep.equal({
        stack: 'orders',
        greeting: 'hello from the parent',
        parentStack: 'local',
        stackName: stackNameOf(body),
        version: '2.0',
      });
      expect(stackNameOf(body)).to.match(/^local-Orders-[A-Z0-9]{10}$/);
    });

    it("serves a nested CloudFormation stack's REST API on the same port, with and without its stage", async () => {
      for (const url of [`${api.url}/users/42`, `${api.url}/Prod/users/42`]) {
        const response = await request(url);

        expect(response.status, url).to.equal(200);
        expect(response.json()).to.deep.equal({ stack: 'users', id: '42' });
      }
    });

    it('lists every route of parent and children under full-path ids', () => {
      const routes = api
        .app()
        .model.routes.map((route) => `${route.method} ${route.path} ${route.functionId}`);

      expect(routes).to.deep.equal([
        'GET /parent ParentFunction',
        'GET /orders Orders/OrdersFunction',
        'GET /users/{id} Users/UsersFunction',
      ]);
    });

    it("runs a nested function through the Invoke API by its own logical id, as sam local's start-lambda does", async () => {
      const output = await client.send(
        new InvokeCommand({ FunctionName: 'OrdersFunction', Payload: Buffer.from('{"input":"sdk"}') }),
      );

      expect(output.StatusCode).to.equal(200);
      expect(output.FunctionError).to.equal(undefined);
      const payload = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
      expect(bodyOf(payload)).to.include({
        stack: 'orders',
        greeting: 'hello from the parent',
        input: 'sdk',
      });
    });

    it("runs a nested function through the Invoke API by its full path Child/Function, as sam local's start-lambda does", async () => {
      const output = await client.send(
        new InvokeCommand({
          FunctionName: 'Users/UsersFunction',
          Payload: Buffer.from('{"pathParameters":{"id":"9"}}'),
        }),
      );

      expect(output.StatusCode).to.equal(200);
      const payload = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
      expect(bodyOf(payload)).to.deep.equal({ stack: 'users', id: '9' });
    });

    it('takes the full path with its slash as sent, not only encoded', async () => {
      if (api.lambdaUrl === undefined) throw new Error('the Invoke endpoint did not start');
      const response = await request(
        `${api.lambdaUrl}/2015-03-31/functions/Users/UsersFunction/invocations`,
        {
          method: 'POST',
          body: '{"pathParameters":{"id":"3"}}',
        },
      );

      expect(response.status).to.equal(200);
      expect(bodyOf(response.text())).to.deep.equal({ stack: 'users', id: '3' });
    });
  });

  describe('invoke', () => {
    it('runs a nested function named by its full path Child/Function with an event file', async () => {
      const { code, stdout, stderr } = await run([
        'invoke',
        '-t',
        NESTED_TEMPLATE,
        'Orders/OrdersFunction',
        '-e',
        EVENT,
      ]);

      expect(code, stderr).to.equal(0);
      expect(bodyOf(stdout)).to.include({
        stack: 'orders',
        greeting: 'hello from the parent',
        input: 'from a file',
      });
    });

    it('runs a nested function named by its own logical id when no nearer stack has one of that name', async () => {
      const { code, stdout, stderr } = await run(
        ['invoke', '-t', NESTED_TEMPLATE, 'UsersFunction'],
        '{"pathParameters":{"id":"7"}}',
      );

      expect(code, stderr).to.equal(0);
      expect(bodyOf(stdout)).to.deep.equal({ stack: 'users', id: '7' });
    });
  });

  describe('reload', () => {
    let dir: string;
    let api: TestApi | undefined;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'nested-reload-'));
      cpSync(FIXTURE, dir, { recursive: true });
      api = await startTestApi(path.join(dir, 'template.yaml'), { watch: true });
    });
    after(async () => {
      await api?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("reloads the template when a nested stack's template changes", async () => {
      const running = api;
      if (running === undefined) throw new Error('not started');
      const child = path.join(dir, 'users', 'template.yaml');
      writeFileSync(child, readFileSync(child, 'utf8').replace('/users/{id}', '/people/{id}'));

      await eventually(async () => expect((await request(`${running.url}/people/5`)).status).to.equal(200));
      expect((await request(`${running.url}/people/5`)).json()).to.deep.equal({ stack: 'users', id: '5' });
    });
  });
});

function stackNameOf(body: unknown): string {
  if (
    typeof body !== 'object' ||
    body === null ||
    !('stackName' in body) ||
    typeof body.stackName !== 'string'
  ) {
    throw new Error(`no stackName in ${JSON.stringify(body)}`);
  }
  return body.stackName;
}
