import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { sqsEvent } from '../../../emulator/sources/sqs.ts';
import { eventSourceTable } from '../../../emulator/start.ts';
import { loadTemplate } from '../../../emulator/template/load.ts';
import { isRecord } from '../../../emulator/template/values.ts';
import { ROOT, run } from '../../support/cli.ts';

const TEMPLATE = 'test/fixtures/event-sources/template.yaml';

/** `generate-event` through the CLI: the parsed event, after checking it exited 0 with nothing on stderr. */
async function generated(args: readonly string[]): Promise<unknown> {
  const { code, stdout, stderr } = await run(['generate-event', ...args]);
  expect(code, stderr).to.equal(0);
  return JSON.parse(stdout);
}

/** Runs a command line with sh in the project folder: its stdout, or a rejection with its stderr. */
function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { cwd: ROOT }, (error, out, err) =>
      error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`)),
    );
  });
}

function decodeLogs(event: unknown): unknown {
  const data = isRecord(event) && isRecord(event.awslogs) ? String(event.awslogs.data) : '';
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
}

describe('generate-event and invoke for functions other services trigger', function () {
  this.timeout(120_000);

  it('prints each event with the flags applied, through the real CLI', async () => {
    const cases: [string[], (event: unknown) => void][] = [
      [
        ['s3', 'put', '--bucket', 'uploads', '--key', 'a b.txt'],
        (event) => expect(event).to.have.nested.property('Records[0].s3.object.key', 'a+b.txt'),
      ],
      [
        ['s3', 'delete', '--bucket', 'uploads'],
        (event) => expect(event).to.have.nested.property('Records[0].eventName', 'ObjectRemoved:Delete'),
      ],
      [
        ['sqs', 'receive-message', '--queue-name', 'orders', '--region', 'eu-west-1'],
        (event) =>
          expect(event).to.have.nested.property(
            'Records[0].eventSourceARN',
            'arn:aws:sqs:eu-west-1:123456789012:orders',
          ),
      ],
      [
        ['sns', 'notification', '--topic', 'alerts', '--message', 'hi'],
        (event) => expect(event).to.have.nested.property('Records[0].Sns.Message', 'hi'),
      ],
      [
        ['dynamodb', 'update', '--table', 'Orders'],
        (event) => expect(event).to.have.nested.property('Records[2].eventName', 'REMOVE'),
      ],
      [
        ['kinesis', 'get-records', '--data', 'hello'],
        (event) => expect(event).to.have.nested.property('Records[0].kinesis.data', 'aGVsbG8='),
      ],
      [
        ['cloudwatch', 'logs', '--log-group', '/app', '--message', 'boom'],
        (event) => expect(decodeLogs(event)).to.have.nested.property('logEvents[0].message', 'boom'),
      ],
      [
        ['cloudwatch', 'scheduled-event', '--rule', 'tick'],
        (event) => expect(event).to.have.property('detail-type', 'Scheduled Event'),
      ],
      [['eventbridge', 'scheduled'], (event) => expect(event).to.have.property('source', 'aws.events')],
      [
        ['eventbridge', 'event', '--source', 'shop', '--detail-type', 'Placed', '--detail', '{"id":1}'],
        (event) => expect(event).to.deep.include({ source: 'shop', detail: { id: 1 } }),
      ],
      [
        ['apigateway', 'authorizer', '--token', 'allow'],
        (event) => expect(event).to.include({ type: 'TOKEN', authorizationToken: 'allow' }),
      ],
      [
        ['apigateway', 'request-authorizer', '--path', '/x'],
        (event) => expect(event).to.include({ type: 'REQUEST', path: '/x' }),
      ],
      [
        ['apigateway', 'http-api-request-authorizer', '--token', 't'],
        (event) => expect(event).to.deep.include({ version: '2.0', identitySource: ['t'] }),
      ],
    ];
    for (const [args, check] of cases) check(await generated(args));
  });

  it('exits 2 with the usage text and the events it knows for an unknown service or event', async () => {
    const { code, stderr } = await run(['generate-event', 'sqs', 'send-message']);

    expect(code).to.equal(2);
    expect(stderr).to.include('generate-event has no "sqs send-message" event');
    expect(stderr).to.include('  sqs receive-message\n');
    expect(stderr).to.include('Usage: npm run local -- <command> [options]');
  });

  it('an SQS-triggered function invoked with the generated event reads the queue, the body and a valid md5OfBody', async () => {
    const event = await run([
      'generate-event',
      'sqs',
      'receive-message',
      '--queue-name',
      'orders',
      '--body',
      '{"id":7}',
    ]);
    expect(event.code, event.stderr).to.equal(0);

    const { code, stdout, stderr } = await run(['invoke', '-t', TEMPLATE, 'OrderFunction'], event.stdout);

    expect(code, stderr).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({
      queues: ['arn:aws:sqs:us-east-1:123456789012:orders'],
      bodies: ['{"id":7}'],
      md5Matches: true,
    });
  });

  it('the command the start screen prints for the SQS event runs the function as printed', async () => {
    const line = eventSourceTable(loadTemplate(`${ROOT}${TEMPLATE}`), ROOT)
      .split('\n')
      .find((row) => row.includes('OrderFunction Orders'));
    const command = line?.replace(/^\s*OrderFunction Orders \(SQS OrdersQueue\)\s+/, '') ?? '';
    expect(command).to.match(
      /^npm run -s local -- generate-event sqs receive-message --queue-name orders \| /,
    );

    const stdout = await shell(command);

    expect(JSON.parse(stdout)).to.deep.equal({
      queues: ['arn:aws:sqs:us-east-1:123456789012:orders'],
      bodies: ['Hello from SQS!'],
      md5Matches: true,
    });
  });

  it('invoke behind npm reads an event that reaches its (non-blocking) stdin pipe late', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'event-sources-'));
    try {
      const file = path.join(folder, 'event.json');
      await writeFile(file, JSON.stringify(sqsEvent({ region: 'us-east-1', accountId: '1', body: 'late' })));

      const stdout = await shell(
        `(sleep 4; cat '${file}') | npm run -s local -- invoke -t ${TEMPLATE} OrderFunction`,
      );

      expect(JSON.parse(stdout))
        .to.include({ md5Matches: true })
        .and.deep.include({ bodies: ['late'] });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('an S3-triggered function decodes the generated key back to the object key', async () => {
    const event = await run([
      'generate-event',
      's3',
      'put',
      '--bucket',
      'up',
      '--key',
      'incoming/red flower.jpg',
    ]);

    const { code, stdout, stderr } = await run(['invoke', '-t', TEMPLATE, 'UploadFunction'], event.stdout);

    expect(code, stderr).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal([{ bucket: 'up', key: 'incoming/red flower.jpg' }]);
  });
});
