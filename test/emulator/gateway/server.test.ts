import { expect } from 'chai';
import { createRouter } from '../../../emulator/gateway/router.ts';
import { createGatewayServer, type Invocation } from '../../../emulator/gateway/server.ts';
import { closeServer, listen } from '../../../emulator/net.ts';
import { captureLog } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';
import { apiMap, httpApi, route } from './helpers.ts';

describe('gateway server: the integration timeout while debugging', () => {
  /** A server whose one route times out after 50 ms and whose function answers after 150 ms. */
  async function serveSlowFunction(debugging: boolean) {
    const api = httpApi();
    const slowRoute = { ...route(api, 'POST', '/multiply'), integrationTimeoutMs: 50 };
    const answer: Invocation = { kind: 'success', payload: { statusCode: 200, body: '{"result":36}' } };
    const server = createGatewayServer({
      routes: () => ({ router: createRouter(apiMap(api), [slowRoute]), accountId: '123456789012' }),
      invoke: () => new Promise((resolve) => setTimeout(resolve, 150, answer)),
      log: captureLog(),
      debugging: (functionId) => debugging && functionId === slowRoute.functionId,
    });
    return { server, url: await listen(server, '127.0.0.1', 0) };
  }

  it('suspends the integration timeout for a function being debugged, as sam local lifts timeouts: the paused request gets its real answer', async () => {
    const { server, url } = await serveSlowFunction(true);
    try {
      const response = await request(`${url}/multiply`, { method: 'POST', body: '{}' });

      expect([response.status, response.text()]).to.deep.equal([200, '{"result":36}']);
    } finally {
      await closeServer(server);
    }
  });

  it('keeps the integration timeout for a function not being debugged (503 from an HTTP API)', async () => {
    const { server, url } = await serveSlowFunction(false);
    try {
      const response = await request(`${url}/multiply`, { method: 'POST', body: '{}' });

      expect([response.status, response.text()]).to.deep.equal([503, '{"message":"Service Unavailable"}']);
    } finally {
      await closeServer(server);
    }
  });
});
