import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestApi, type TestApi } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

const TEMPLATE = fileURLToPath(new URL('../../fixtures/cloudformation-apis/template.yaml', import.meta.url));

describe('plain CloudFormation APIs over real HTTP', function () {
  this.timeout(20_000);
  let api: TestApi | undefined;
  before(async () => {
    api = await startTestApi(TEMPLATE);
  });
  after(() => api?.close());

  it("answers an AWS::ApiGateway::RestApi Body's route under the stage an AWS::ApiGateway::Stage names", async () => {
    const response = await request(`${api?.url}/v1/items/42`);

    expect(response.status).to.equal(200);
    expect(response.json()).to.deep.equal({ id: '42', stage: 'v1' });
  });

  it("sends any other path to a quick-create HTTP API's Target on its $default route", async () => {
    const response = await request(`${api?.url}/anything/at/all`);

    expect(response.status).to.equal(200);
    expect(response.json()).to.deep.equal({ rawPath: '/anything/at/all', routeKey: '$default' });
  });
});
