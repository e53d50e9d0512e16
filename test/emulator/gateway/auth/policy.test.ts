import { expect } from 'chai';
import fc from 'fast-check';
import {
  evaluatePolicy,
  readPolicyDocument,
  wildcardMatch,
} from '../../../../emulator/gateway/auth/policy.ts';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/GET/items/7';

function policy(...statements: { Effect: string; Action?: unknown; Resource: unknown }[]) {
  const read = readPolicyDocument({
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({ Action: 'execute-api:Invoke', ...statement })),
  });
  if (typeof read === 'string') throw new Error(read);
  return read;
}

/** Reference semantics for `*` and `?`, by a regular expression built from an escaped pattern. */
function referenceMatch(pattern: string, text: string): boolean {
  const source = [...pattern]
    .map((char) =>
      char === '*' ? '[\\s\\S]*' : char === '?' ? '[\\s\\S]' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`).test(text);
}

describe('the IAM policy evaluator for Lambda authorizer answers', () => {
  it('allows a method its policy allows, exactly or by wildcard', () => {
    expect(evaluatePolicy(policy({ Effect: 'Allow', Resource: ARN }), ARN)).to.equal('allow');
    expect(
      evaluatePolicy(
        policy({ Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/*' }),
        ARN,
      ),
    ).to.equal('allow');
    expect(
      evaluatePolicy(
        policy({ Effect: 'Allow', Resource: 'arn:aws:execute-api:*:*:abc123/Prod/GET/items/?' }),
        ARN,
      ),
    ).to.equal('allow');
  });

  it('an explicit Deny wins over any Allow, in whichever order they come', () => {
    const allow = { Effect: 'Allow', Resource: '*' };
    const deny = { Effect: 'Deny', Resource: ARN };

    expect(evaluatePolicy(policy(allow, deny), ARN)).to.equal('deny');
    expect(evaluatePolicy(policy(deny, allow), ARN)).to.equal('deny');
  });

  it('without a matching Allow, the request is implicitly denied', () => {
    expect(evaluatePolicy(policy({ Effect: 'Allow', Resource: `${ARN}/more` }), ARN)).to.equal(
      'implicit-deny',
    );
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), ARN)).to.equal(
      'implicit-deny',
    );
  });

  it('matches actions case-insensitively and by wildcard (execute-api:*, *)', () => {
    for (const action of ['EXECUTE-API:invoke', 'execute-api:*', '*', ['s3:*', 'execute-api:Inv*']]) {
      expect(
        evaluatePolicy(policy({ Effect: 'Allow', Action: action, Resource: '*' }), ARN),
        String(action),
      ).to.equal('allow');
    }
  });

  it('refuses answers API Gateway cannot evaluate', () => {
    expect(readPolicyDocument(undefined)).to.be.a('string');
    expect(readPolicyDocument({ Statement: [] })).to.be.a('string');
    expect(readPolicyDocument({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] })).to.be.a(
      'string',
    );
    expect(readPolicyDocument({ Statement: [{ Effect: 'Allow', Action: 7, Resource: '*' }] })).to.be.a(
      'string',
    );
    expect(readPolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })).to.deep.equal({
      statements: [{ effect: 'Allow', actions: ['*'], resources: ['*'] }],
    });
  });

  describe('under arbitrary ARNs and wildcard policies (property-based)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9{}+._-]{0,8}$/);
    const methodArn = fc
      .tuple(segment, fc.constantFrom('GET', 'POST', 'DELETE'), fc.array(segment, { maxLength: 4 }))
      .map(
        ([api, method, path]) =>
          `arn:aws:execute-api:us-east-1:123456789012:${api}/Prod/${method}/${path.join('/')}`,
      );
    /** A pattern made from an ARN by replacing random runs with `*` and characters with `?`. */
    const patternOf = (arn: string) =>
      fc
        .array(fc.tuple(fc.nat(arn.length), fc.nat(6), fc.constantFrom('*', '?', 'x')), { maxLength: 3 })
        .map((edits) => {
          let pattern = arn;
          for (const [at, length, replacement] of edits) {
            pattern =
              pattern.slice(0, at) + replacement + pattern.slice(Math.min(pattern.length, at + length));
          }
          return pattern;
        });

    it('wildcard matching agrees with the regular-expression reading of * and ?', () => {
      fc.assert(
        fc.property(
          methodArn.chain((arn) => fc.tuple(fc.constant(arn), patternOf(arn), methodArn)),
          ([arn, pattern, other]) => {
            expect(wildcardMatch(pattern, arn)).to.equal(referenceMatch(pattern, arn));
            expect(wildcardMatch(pattern, other)).to.equal(referenceMatch(pattern, other));
          },
        ),
        { numRuns: 500 },
      );
    });

    it('a Deny statement matching the ARN always wins; with no matching statement the answer is never allow', () => {
      fc.assert(
        fc.property(
          methodArn.chain((arn) => fc.tuple(fc.constant(arn), patternOf(arn), patternOf(arn), methodArn)),
          ([arn, allowPattern, denyPattern, other]) => {
            const both = policy(
              { Effect: 'Allow', Resource: allowPattern },
              { Effect: 'Deny', Resource: denyPattern },
            );
            const decision = evaluatePolicy(both, arn);
            if (referenceMatch(denyPattern, arn)) expect(decision).to.equal('deny');
            else if (referenceMatch(allowPattern, arn)) expect(decision).to.equal('allow');
            else expect(decision).to.equal('implicit-deny');
            if (!referenceMatch(allowPattern, other))
              expect(evaluatePolicy(both, other)).not.to.equal('allow');
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
