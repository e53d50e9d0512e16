import { expect } from 'chai';
import { describeIgnoredResources } from '../../emulator/app.ts';

describe('the start screen: resources that live only in AWS', () => {
  it('says nothing when every resource is emulated', () => {
    expect(describeIgnoredResources([])).to.equal(undefined);
  });

  it('names at most four logical ids a type, counts the rest, and wraps the groups to the screen', () => {
    const tables = ['Orders', 'Users', 'Carts', 'Payments', 'Refunds', 'Audit'];
    const text = describeIgnoredResources([
      { type: 'AWS::DynamoDB::Table', logicalIds: tables },
      { type: 'AWS::SQS::Queue', logicalIds: ['OrderQueue'] },
      { type: 'AWS::IAM::Role', logicalIds: ['WorkerRoleWithAVeryLongLogicalIdThatFillsTheLine'] },
    ]);

    expect(text?.split('\n')).to.deep.equal([
      'Not emulated (8 resources live only in AWS):',
      '  AWS::DynamoDB::Table Orders, Users, Carts, Payments and 2 more; AWS::SQS::Queue OrderQueue;',
      '  AWS::IAM::Role WorkerRoleWithAVeryLongLogicalIdThatFillsTheLine',
    ]);
  });
});
