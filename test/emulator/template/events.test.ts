import { expect } from 'chai';
import type { AppModel, ScheduleModel } from '../../../emulator/template/model.ts';
import { dedent, load, loadError } from './helpers.ts';

/**
 * A template whose function `Fn` has the given Events (YAML under `Events:`), plus optional extra resources.
 * Event lines are written from column 0.
 */
function withEvents(events: string, extraResources = ''): string {
  const eventLines = dedent(events)
    .split('\n')
    .map((line) => (line === '' ? line : `        ${line}`));
  return [
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    '  Fn:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: src/',
    '      Handler: app.handler',
    '      Runtime: nodejs22.x',
    '      Events:',
    ...eventLines,
    dedent(extraResources)
      .split('\n')
      .map((line) => (line === '' ? line : `  ${line}`))
      .join('\n'),
  ].join('\n');
}

function onlySchedule(model: AppModel): ScheduleModel {
  expect(model.schedules).to.have.lengthOf(1);
  const [schedule] = model.schedules;
  if (schedule === undefined) return expect.fail('no schedule');
  return schedule;
}

describe('template API events', () => {
  it('routes an Api event to the implicit ServerlessRestApi with payload 1.0 and a 29 s integration timeout', () => {
    const model = load(
      withEvents(`
        GetPrice:
          Type: Api
          Properties:
            Path: /price
            Method: get
      `),
    );
    expect(model.routes).to.deep.equal([
      {
        apiId: 'ServerlessRestApi',
        kind: 'rest',
        method: 'GET',
        path: '/price',
        functionId: 'Fn',
        eventId: 'GetPrice',
        payloadVersion: '1.0',
        integrationTimeoutMs: 29000,
      },
    ]);
  });

  it('upper-cases the method and reads any as ANY', () => {
    const model = load(
      withEvents(`
        Post:
          Type: Api
          Properties: {Path: /items, Method: Post}
        Any:
          Type: Api
          Properties: {Path: '/{proxy+}', Method: any}
      `),
    );
    expect(model.routes.map((route) => `${route.method} ${route.path}`)).to.deep.equal([
      'POST /items',
      'ANY /{proxy+}',
    ]);
  });

  it('rejects a method API Gateway does not have', () => {
    const error = loadError(withEvents('Get:\n  Type: Api\n  Properties: {Path: /, Method: fetch}'));
    expect(error.message).to.include(
      'must be one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, got "FETCH"',
    );
  });

  it('routes an Api event with RestApiId to that AWS::Serverless::Api, and creates no implicit API', () => {
    const model = load(
      withEvents(
        `
        Get:
          Type: Api
          Properties:
            Path: /price
            Method: get
            RestApiId: !Ref PricesApi
        `,
        `
        PricesApi:
          Type: AWS::Serverless::Api
          Properties:
            StageName: v1
        `,
      ),
    );
    expect(model.routes.map((route) => route.apiId)).to.deep.equal(['PricesApi']);
    expect([...model.apis.keys()]).to.deep.equal(['PricesApi']);
  });

  it('rejects an Api event whose RestApiId is an HTTP API', () => {
    const error = loadError(
      withEvents(
        'Get:\n  Type: Api\n  Properties: {Path: /, Method: get, RestApiId: !Ref Http}',
        'Http:\n  Type: AWS::Serverless::HttpApi',
      ),
    );
    expect(error.path).to.equal('Resources.Fn.Properties.Events.Get.Properties.RestApiId');
    expect(error.message).to.include(
      'Http is an AWS::Serverless::HttpApi; Api events need an AWS::Serverless::Api',
    );
  });

  it('routes an HttpApi event to the implicit ServerlessHttpApi with payload 2.0 and a 30 s timeout by default', () => {
    const model = load(
      withEvents('Multiply:\n  Type: HttpApi\n  Properties: {Path: /multiply, Method: post}'),
    );
    expect(model.routes).to.deep.equal([
      {
        apiId: 'ServerlessHttpApi',
        kind: 'http',
        method: 'POST',
        path: '/multiply',
        functionId: 'Fn',
        eventId: 'Multiply',
        payloadVersion: '2.0',
        integrationTimeoutMs: 30000,
      },
    ]);
  });

  it('reads PayloadFormatVersion and TimeoutInMillis of an HttpApi event, an unquoted 1.0 included', () => {
    const model = load(
      withEvents(`
        Quoted:
          Type: HttpApi
          Properties: {Path: /a, Method: get, PayloadFormatVersion: '1.0', TimeoutInMillis: 5000}
        Unquoted:
          Type: HttpApi
          Properties: {Path: /b, Method: get, PayloadFormatVersion: 1.0}
      `),
    );
    expect(model.routes.map((route) => [route.payloadVersion, route.integrationTimeoutMs])).to.deep.equal([
      ['1.0', 5000],
      ['1.0', 30000],
    ]);
  });

  it('makes an HttpApi event without Path and Method the $default route, with method ANY', () => {
    const model = load(withEvents('Catchall:\n  Type: HttpApi'));
    expect(model.routes[0]).to.include({ apiId: 'ServerlessHttpApi', method: 'ANY', path: '$default' });
  });

  it('rejects an HttpApi event with a Method but no Path', () => {
    const error = loadError(withEvents('Half:\n  Type: HttpApi\n  Properties: {Method: get}'));
    expect(error.message).to.include('Path is required when Method is given');
  });

  it("rejects an Api Path that does not start with '/', naming the file, line and property", () => {
    const error = loadError(
      withEvents(`
        Price:
          Type: Api
          Properties:
            Path: price
            Method: get
      `),
    );
    expect(error.message).to.equal(
      `/project/template.yaml:13: Resources.Fn.Properties.Events.Price.Properties.Path: expected a string starting with '/', got "price"`,
    );
    expect(error.path).to.equal('Resources.Fn.Properties.Events.Price.Properties.Path');
    expect(error.line).to.equal(13);
  });

  it('rejects the same method and path routed twice on one API', () => {
    const error = loadError(
      withEvents(`
        First:
          Type: Api
          Properties: {Path: /price, Method: get}
        Second:
          Type: Api
          Properties: {Path: /price, Method: GET}
      `),
    );
    expect(error.path).to.equal('Resources.Fn.Properties.Events.Second');
    expect(error.message).to.include('GET /price on ServerlessRestApi is already routed to Fn (event First)');
  });

  it('warns about event types it does not know and ignores them', () => {
    const model = load(withEvents('Hook:\n  Type: SomeFutureSource\n  Properties: {Thing: x}'));
    expect(model.routes).to.deep.equal([]);
    expect(model.schedules).to.deep.equal([]);
    expect(model.eventSources).to.deep.equal([]);
    expect(model.warnings).to.deep.equal([
      '/project/template.yaml:11: Resources.Fn.Properties.Events.Hook.Type: SomeFutureSource events are not emulated; event ignored',
    ]);
  });
});

describe('template schedule events', () => {
  it('reads a Schedule event: expression, Input, Name, Enabled and RetryPolicy, in UTC', () => {
    const model = load(
      withEvents(`
        Ticker:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Input: '{"symbols":["BTCUSDT"]}'
            Name: ticker
            Enabled: false
            RetryPolicy:
              MaximumRetryAttempts: 3
      `),
    );
    expect(onlySchedule(model)).to.deep.equal({
      functionId: 'Fn',
      eventId: 'Ticker',
      kind: 'Schedule',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      enabled: false,
      input: '{"symbols":["BTCUSDT"]}',
      name: 'ticker',
      maximumRetryAttempts: 3,
    });
  });

  it('enables a Schedule by default, and reads State DISABLED as disabled', () => {
    const model = load(
      withEvents(`
        On:
          Type: Schedule
          Properties: {Schedule: rate(1 minute)}
        Off:
          Type: Schedule
          Properties: {Schedule: rate(1 minute), State: DISABLED}
      `),
    );
    expect(model.schedules.map((schedule) => schedule.enabled)).to.deep.equal([true, false]);
  });

  it('rejects a Schedule event with both Enabled and State, as SAM does', () => {
    const error = loadError(
      withEvents(
        'Both:\n  Type: Schedule\n  Properties: {Schedule: rate(1 minute), Enabled: true, State: ENABLED}',
      ),
    );
    expect(error.message).to.include('Enabled and State cannot both be set');
  });

  it('reads a ScheduleV2 event with its time zone (default UTC) and State', () => {
    const model = load(
      withEvents(`
        Paris:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 9 ? * MON-FRI *)
            ScheduleExpressionTimezone: Europe/Paris
            State: DISABLED
        Utc:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: at(2030-01-01T00:00:00)
      `),
    );
    expect(
      model.schedules.map(({ kind, expression, timezone, enabled }) => ({
        kind,
        expression,
        timezone,
        enabled,
      })),
    ).to.deep.equal([
      { kind: 'ScheduleV2', expression: 'cron(0 9 ? * MON-FRI *)', timezone: 'Europe/Paris', enabled: false },
      { kind: 'ScheduleV2', expression: 'at(2030-01-01T00:00:00)', timezone: 'UTC', enabled: true },
    ]);
  });

  it('reads ScheduleV2 StartDate and EndDate, in UTC unless they give an offset, quoted or not', () => {
    const model = load(
      withEvents(`
        Window:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            StartDate: 2027-01-01T00:00:00Z
            EndDate: '2027-01-31T12:30:00+02:00'
        NoZone:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            StartDate: '2027-01-01T08:00:00'
            EndDate: '2027-02-01'
      `),
    );
    expect(model.schedules.map(({ startDate, endDate }) => [startDate, endDate])).to.deep.equal([
      [Date.parse('2027-01-01T00:00:00Z'), Date.parse('2027-01-31T10:30:00Z')],
      [Date.parse('2027-01-01T08:00:00Z'), Date.parse('2027-02-01T00:00:00Z')],
    ]);
  });

  for (const bad of ['2027-02-30T00:00:00Z', 'tomorrow', '2027-01-01T24:00:00Z', '1798761600000']) {
    it(`rejects the ScheduleV2 StartDate ${bad}, naming the property`, () => {
      const error = loadError(
        withEvents(
          `Bad:\n  Type: ScheduleV2\n  Properties: {ScheduleExpression: rate(1 hour), StartDate: '${bad}'}`,
        ),
      );
      expect(error.message).to.include('Resources.Fn.Properties.Events.Bad.Properties.StartDate');
      expect(error.message).to.include('is not a date and time');
    });
  }

  it('reads FlexibleTimeWindow: OFF adds nothing, FLEXIBLE its MaximumWindowInMinutes', () => {
    const model = load(
      withEvents(`
        Off:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(1 hour), FlexibleTimeWindow: {Mode: 'OFF'}}
        Flexible:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            FlexibleTimeWindow: {Mode: FLEXIBLE, MaximumWindowInMinutes: 15}
      `),
    );
    expect(model.schedules.map((schedule) => schedule.flexibleWindowMinutes)).to.deep.equal([undefined, 15]);
  });

  for (const [window, message] of [
    ['{Mode: FLEXIBLE}', 'MaximumWindowInMinutes is required when Mode is FLEXIBLE'],
    ['{Mode: FLEXIBLE, MaximumWindowInMinutes: 1441}', 'MaximumWindowInMinutes'],
    ['{MaximumWindowInMinutes: 5}', 'Mode is required'],
    ['{Mode: SOMETIMES}', 'FlexibleTimeWindow.Mode'],
  ] as const) {
    it(`rejects FlexibleTimeWindow ${window}`, () => {
      const error = loadError(
        withEvents(
          `Bad:\n  Type: ScheduleV2\n  Properties: {ScheduleExpression: rate(1 hour), FlexibleTimeWindow: ${window}}`,
        ),
      );
      expect(error.message).to.include(message);
    });
  }

  it('rejects a ScheduleV2 time zone that is not an IANA zone', () => {
    const error = loadError(
      withEvents(
        'Bad:\n  Type: ScheduleV2\n  Properties: {ScheduleExpression: rate(1 hour), ScheduleExpressionTimezone: Mars/Olympus}',
      ),
    );
    expect(error.message).to.include('"Mars/Olympus" is not an IANA time zone');
  });

  it('rejects a schedule without an expression', () => {
    const error = loadError(withEvents('Empty:\n  Type: Schedule\n  Properties: {Name: nothing}'));
    expect(error.message).to.include('Schedule is required');
  });

  it('rejects a schedule Input that is not JSON, since it is sent as the event', () => {
    const error = loadError(
      withEvents('Bad:\n  Type: Schedule\n  Properties: {Schedule: rate(1 hour), Input: not json}'),
    );
    expect(error.path).to.equal('Resources.Fn.Properties.Events.Bad.Properties.Input');
  });

  it('passes the expression through unchecked: the scheduler validates rate and cron syntax', () => {
    const model = load(withEvents('Odd:\n  Type: Schedule\n  Properties: {Schedule: rate(5 minute)}'));
    expect(onlySchedule(model).expression).to.equal('rate(5 minute)');
  });
});
