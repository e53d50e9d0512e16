import { expect } from 'chai';
import { isNameProblem, parseFunctionName, parseQualifier } from '../../../emulator/invoke/function-name.ts';
import { LOG_TAIL_BYTES, logTail } from '../../../emulator/invoke/handler.ts';

describe('Invoke FunctionName forms', () => {
  const forms: [string, Record<string, string | undefined>][] = [
    ['my-function', { name: 'my-function', qualifier: undefined, region: undefined, accountId: undefined }],
    ['my-function:live', { name: 'my-function', qualifier: 'live' }],
    ['my-function:$LATEST', { name: 'my-function', qualifier: '$LATEST' }],
    ['123456789012:function:my-function', { name: 'my-function', accountId: '123456789012' }],
    [
      'arn:aws:lambda:eu-west-3:123456789012:function:my-function:7',
      { name: 'my-function', qualifier: '7', region: 'eu-west-3', accountId: '123456789012' },
    ],
    [
      'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f.v2',
      { name: 'f.v2', region: 'us-gov-west-1' },
    ],
  ];
  for (const [value, expected] of forms) {
    it(`reads ${value}`, () => {
      expect(parseFunctionName(value)).to.include(expected);
    });
  }

  it("reads a nested stack's function by full path, Child/Function or Child/<ARN>, as sam local's Invoke endpoint does", () => {
    expect(parseFunctionName('Child/OrdersFunction')).to.include({
      name: 'Child/OrdersFunction',
      qualifier: undefined,
    });
    expect(
      parseFunctionName('Child/Grandchild/arn:aws:lambda:eu-west-3:123456789012:function:Fn:$LATEST'),
    ).to.include({ name: 'Child/Grandchild/Fn', qualifier: '$LATEST', region: 'eu-west-3' });
    expect(parseFunctionName('/Fn')).to.have.property('constraint');
    expect(parseFunctionName('Child//Fn')).to.have.property('constraint');
    expect(parseFunctionName('Child/my function')).to.include({ value: 'Child/my function' });
  });

  it('refuses names outside the documented pattern, quoting it as Lambda does', () => {
    const problem = parseFunctionName('my function');

    expect(isNameProblem(problem)).to.equal(true);
    expect(problem).to.include({ member: 'functionName', value: 'my function' });
    expect(problem)
      .to.have.property('constraint')
      .that.matches(/^Member must satisfy regular expression pattern: \(arn:/);
  });

  it('allows 64 characters for a bare name and 170 with ARN parts', () => {
    expect(isNameProblem(parseFunctionName('a'.repeat(64)))).to.equal(false);
    expect(parseFunctionName('a'.repeat(65))).to.include({
      constraint: 'Member must have length less than or equal to 64',
    });
    expect(parseFunctionName(`arn:aws:lambda:us-east-1:123456789012:function:${'a'.repeat(130)}`)).to.include(
      {
        constraint: 'Member must have length less than or equal to 170',
      },
    );
  });

  it('treats an empty Qualifier as absent and refuses one with other characters', () => {
    expect(parseQualifier(null)).to.equal(undefined);
    expect(parseQualifier('')).to.equal(undefined);
    expect(parseQualifier('$LATEST')).to.equal('$LATEST');
    expect(parseQualifier('a/b')).to.include({ member: 'qualifier', value: 'a/b' });
  });
});

describe('the Tail log', () => {
  it('keeps the last 4 KB and starts on a character boundary', () => {
    // 3-byte characters: a cut 4096 bytes from the end falls inside one.
    const log = `START\n${'€'.repeat(2000)}\nREPORT`;

    const tail = Buffer.from(logTail(log), 'base64');

    expect(tail.byteLength).to.be.within(LOG_TAIL_BYTES - 2, LOG_TAIL_BYTES);
    expect(tail.toString('utf8')).to.match(/^€+\nREPORT\n$/);
  });

  it('returns a short log whole, newline-terminated', () => {
    expect(Buffer.from(logTail('START\nEND'), 'base64').toString('utf8')).to.equal('START\nEND\n');
  });
});
