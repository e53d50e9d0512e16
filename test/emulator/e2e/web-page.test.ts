import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { NO_ENV_VARS } from '../../../emulator/config.ts';
import { type RunningEmulator, startEmulator } from '../../../emulator/start.ts';
import { webRootFor } from '../../../emulator/web.ts';
import { type CapturedLog, captureLog, GATEWAY_TEMPLATE, PROJECT_TEMPLATE } from '../../support/emulator.ts';
import { request } from '../../support/http.ts';

const PROJECT_WEB = join(dirname(PROJECT_TEMPLATE), 'web');

describe('the web page is served only for the templates beside web/', function () {
  this.timeout(20_000);
  const running: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });

  async function start(templatePath: string): Promise<{ emulator: RunningEmulator; log: CapturedLog }> {
    const log = captureLog();
    const emulator = await startEmulator({
      templatePath,
      parameterOverrides: {},
      envVars: NO_ENV_VARS,
      watch: false,
      host: '127.0.0.1',
      apiPort: 0,
      webPort: 0,
      log,
    });
    running.push(emulator);
    return { emulator, log };
  }

  it("serves the project's page for the project's template", async () => {
    const { emulator, log } = await start(PROJECT_TEMPLATE);

    expect(emulator.webUrl).to.be.a('string');
    expect((await request(`${emulator.webUrl}/`)).status).to.equal(200);
    expect(log.lines.info).to.include(`Web page on ${emulator.webUrl}/`);
  });

  it("serves no page for another application's template, and says so in one start line", async () => {
    const { emulator, log } = await start(GATEWAY_TEMPLATE);

    expect(emulator.webUrl).to.equal(undefined);
    expect(log.lines.info.filter((line) => line.includes('web'))).to.deep.equal([
      `No web page: the page in web/ is for the templates beside it, not for ${GATEWAY_TEMPLATE}`,
    ]);
  });

  it('webRootFor finds web/ for any template in its folder and for none elsewhere', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'web-root-'));
    try {
      copyFileSync(PROJECT_TEMPLATE, join(elsewhere, 'template.yaml'));

      expect(webRootFor(PROJECT_TEMPLATE)).to.equal(PROJECT_WEB);
      expect(webRootFor(join(dirname(PROJECT_TEMPLATE), 'template-dev.yaml'))).to.equal(PROJECT_WEB);
      expect(webRootFor(join(elsewhere, 'template.yaml'))).to.equal(undefined);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
