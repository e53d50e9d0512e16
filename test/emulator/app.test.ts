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

  it("says apart the resources that are functions' asynchronous destinations, which the log stands in for", () => {
    const text = describeIgnoredResources(
      [
        { type: 'AWS::SQS::Queue', logicalIds: ['Failures', 'Jobs'] },
        { type: 'AWS::SNS::Topic', logicalIds: ['Done'] },
      ],
      new Map([
        ['Failures', ["Ticker's on-failure destination", "Worker's dead-letter queue"]],
        ['Done', ["Ticker's on-success destination"]],
      ]),
    );

    expect(text?.split('\n')).to.deep.equal([
      'Not emulated (1 resource lives only in AWS):',
      '  AWS::SQS::Queue Jobs',
      'Asynchronous destinations (what Lambda would send them is logged):',
      "  AWS::SQS::Queue Failures (Ticker's on-failure destination, Worker's dead-letter queue);",
      "  AWS::SNS::Topic Done (Ticker's on-success destination)",
    ]);
  });
});
