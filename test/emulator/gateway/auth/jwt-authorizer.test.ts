import { expect } from 'chai';
import { cognitoIssuer, describeTokenAuthorizer } from '../../../../emulator/gateway/auth/jwt-authorizer.ts';

describe('JWT and Cognito authorizer helpers', () => {
  it('cognitoIssuer: https://cognito-idp.<region>.amazonaws.com/<poolId> from a user pool ARN', () => {
    expect(cognitoIssuer('arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Ab12')).to.equal(
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12',
    );
    expect(cognitoIssuer('')).to.equal(undefined);
    expect(cognitoIssuer('arn:aws:lambda:eu-west-1:1:function:f')).to.equal(undefined);
  });

  it('describeTokenAuthorizer: one line naming the kind, the issuer or pool, the scopes and a local key', () => {
    const jwt = {
      kind: 'jwt',
      name: 'OAuth',
      issuer: 'https://example.auth0.com/',
      audience: ['api'],
      identitySource: '$request.header.Authorization',
      authorizationScopes: [],
    } as const;
    const cognito = {
      kind: 'cognito',
      name: 'Pool',
      userPoolArns: ['arn:aws:cognito-idp:eu-west-1:1:userpool/eu-west-1_Ab12'],
      header: 'Authorization',
      validationExpression: undefined,
      authorizationScopes: [],
      ttlSeconds: 300,
    } as const;

    expect(describeTokenAuthorizer(jwt, ['read'])).to.equal(
      'JWT OAuth (https://example.auth0.com/, scopes read)',
    );
    expect(describeTokenAuthorizer(cognito, [], (issuer) => issuer.includes('eu-west-1_Ab12'))).to.equal(
      'Cognito Pool (eu-west-1_Ab12, local key)',
    );
  });
});
