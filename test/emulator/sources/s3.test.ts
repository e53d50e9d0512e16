import { expect } from 'chai';
import { encodeS3Key, s3Event } from '../../../emulator/sources/s3.ts';

const IDENTITY = { region: 'eu-central-1', accountId: '123456789012' };

function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

describe('s3 put and delete events', () => {
  it('put: an ObjectCreated:Put record with bucket name and ARN, object key, size, eTag and sequencer', () => {
    const time = new Date('2026-01-02T03:04:05.678Z');
    const [record] = s3Event('put', { ...IDENTITY, bucket: 'uploads', key: 'a.txt', size: 7, time }).Records;

    expect(record).to.deep.include({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-central-1',
      eventTime: '2026-01-02T03:04:05.678Z',
      eventName: 'ObjectCreated:Put',
    });
    expect(record?.s3).to.deep.include({ s3SchemaVersion: '1.0' });
    expect(record?.s3.bucket).to.deep.include({ name: 'uploads', arn: 'arn:aws:s3:::uploads' });
    expect(record?.s3.object).to.include({ key: 'a.txt', size: 7 });
    expect(record?.s3.object)
      .to.have.property('eTag')
      .that.matches(/^[0-9a-f]{32}$/);
    expect(record?.s3.object)
      .to.have.property('sequencer')
      .that.matches(/^[0-9A-F]+$/);
  });

  it('delete: an ObjectRemoved:Delete record whose object has only key and sequencer', () => {
    const [record] = s3Event('delete', { ...IDENTITY, bucket: 'uploads', key: 'a.txt' }).Records;

    expect(record?.eventName).to.equal('ObjectRemoved:Delete');
    expect(record?.s3.object).to.have.all.keys('key', 'sequencer');
  });

  it('the object key is URL-encoded (space as +, slashes kept), and decodes back to the key', () => {
    const key = "photos/red flower (1)+ü'!.jpg";
    const [record] = s3Event('put', { ...IDENTITY, key }).Records;

    expect(record?.s3.object.key).to.equal('photos/red+flower+%281%29%2B%C3%BC%27%21.jpg');
    expect(decodeKey(record?.s3.object.key ?? '')).to.equal(key);
    expect(encodeS3Key('a b/c:d')).to.equal('a+b/c%3Ad');
  });

  it("defaults to SAM's bucket example-bucket and key test/key", () => {
    const [record] = s3Event('put', IDENTITY).Records;

    expect(record?.s3.bucket.name).to.equal('example-bucket');
    expect(record?.s3.object.key).to.equal('test/key');
  });

  it('names the GovCloud partition in the bucket ARN', () => {
    const [record] = s3Event('put', { region: 'us-gov-west-1', accountId: '1', bucket: 'b' }).Records;

    expect(record?.s3.bucket.arn).to.equal('arn:aws-us-gov:s3:::b');
  });
});
