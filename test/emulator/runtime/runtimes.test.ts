import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  layerModuleDirs,
  layerWarnings,
  linkRuntimeModules,
  packageNameOf,
  withRuntimeModuleHint,
} from '../../../emulator/runtime/modules.ts';
import {
  isDeprecated,
  type NodeRuntime,
  nodeRuntime,
  runtimeNotice,
  supportedRuntimeIds,
} from '../../../emulator/runtime/runtimes.ts';
import type { LayerModel } from '../../../emulator/template/model.ts';

function runtime(id: string): NodeRuntime {
  const found = nodeRuntime(id);
  if (found === undefined) return expect.fail(`${id} is not a known runtime`);
  return found;
}

const IMPORT_ERROR = {
  errorType: 'Runtime.ImportModuleError',
  errorMessage:
    "Error [ERR_MODULE_NOT_FOUND]: Cannot find package '@aws-sdk/client-xyz' imported from /app/a.mjs",
  trace: [],
};

describe('runtime: the Node.js runtime table', () => {
  it('runs nodejs20.x, nodejs22.x and nodejs24.x on Node 20, 22 and 24, all with the AWS SDK v3', () => {
    const rows = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'].map((id) => {
      const { nodeMajor, sdk } = runtime(id);
      return { id, nodeMajor, sdk };
    });

    expect(rows).to.deep.equal([
      { id: 'nodejs20.x', nodeMajor: 20, sdk: 'v3' },
      { id: 'nodejs22.x', nodeMajor: 22, sdk: 'v3' },
      { id: 'nodejs24.x', nodeMajor: 24, sdk: 'v3' },
    ]);
  });

  it('nodejs24.x no longer supports callback-based handlers; nodejs22.x and earlier still do', () => {
    expect(runtime('nodejs24.x').callbacks).to.equal(false);
    expect(runtime('nodejs22.x').callbacks).to.equal(true);
    expect(runtime('nodejs20.x').callbacks).to.equal(true);
  });

  it('only nodejs18.x and later include the SDK v3; nodejs16.x and earlier included aws-sdk v2', () => {
    expect(runtime('nodejs18.x').sdk).to.equal('v3');
    expect(runtime('nodejs16.x').sdk).to.equal('v2');
  });

  it('a runtime is deprecated from its deprecation date on (nodejs20.x on 2026-04-30)', () => {
    expect(isDeprecated(runtime('nodejs20.x'), new Date('2026-04-29T12:00:00Z'))).to.equal(false);
    expect(isDeprecated(runtime('nodejs20.x'), new Date('2026-04-30T00:00:00Z'))).to.equal(true);
    expect(supportedRuntimeIds(new Date('2026-12-01T00:00:00Z'))).to.deep.equal(['nodejs24.x', 'nodejs22.x']);
  });

  it('takes a nodejsNN.x newer than the table as a later runtime with the newest rules, and rejects made-up ones', () => {
    expect(nodeRuntime('nodejs26.x')).to.include({ nodeMajor: 26, callbacks: false, unknown: true });
    expect(nodeRuntime('nodejs21.x')).to.equal(undefined);
    expect(nodeRuntime('nodejs')).to.equal(undefined);
  });

  it('says, for a runtime whose Node major is not the host one, what differs and that AWS runs the declared one', () => {
    expect(runtimeNotice(runtime('nodejs22.x'), '20.20.2')).to.equal(
      "nodejs22.x functions run here on this machine's Node 20.20.2, not Node 22: syntax and APIs added after " +
        'Node 20 fail here; AWS runs them on Node 22',
    );
    expect(runtimeNotice(runtime('nodejs20.x'), '22.12.0')).to.match(
      /APIs added after Node 20 work here but not on AWS/,
    );
    expect(runtimeNotice(runtime('nodejs20.x'), '20.20.2')).to.equal(undefined);
  });
});

describe('runtime: packages the Node.js runtime includes', () => {
  it('an SDK v3 package missing locally fails with ImportModuleError naming it, its runtime and the install command', () => {
    const error = withRuntimeModuleHint(IMPORT_ERROR, runtime('nodejs22.x'));

    expect(error).to.deep.equal({
      ...IMPORT_ERROR,
      errorMessage:
        `${IMPORT_ERROR.errorMessage}\n@aws-sdk/client-xyz is part of the nodejs22.x runtime in AWS (the AWS SDK ` +
        'for JavaScript v3), but it is not installed in this project; install it locally with: ' +
        'npm install --save-dev @aws-sdk/client-xyz',
    });
  });

  it('says that aws-sdk (v2) is not included in nodejs18.x and later, only the v3 SDK', () => {
    const error = withRuntimeModuleHint(
      { ...IMPORT_ERROR, errorMessage: "Error: Cannot find module 'aws-sdk'\nRequire stack:\n- /app/a.js" },
      runtime('nodejs20.x'),
    );

    expect(error.errorMessage).to.match(
      /\naws-sdk is the AWS SDK for JavaScript v2, which nodejs20.x does not include \(nodejs18.x and later include only the v3 SDK, @aws-sdk\/\*\)/,
    );
  });

  it('leaves other missing packages and other errors as they are', () => {
    const lodash = { ...IMPORT_ERROR, errorMessage: "Error: Cannot find module 'lodash'" };
    const other = { ...IMPORT_ERROR, errorType: 'Error' };

    expect(withRuntimeModuleHint(lodash, runtime('nodejs22.x'))).to.equal(lodash);
    expect(withRuntimeModuleHint(other, runtime('nodejs22.x'))).to.equal(other);
  });

  it('names the package of a bare specifier, scoped or not, and no package for paths and URLs', () => {
    expect(packageNameOf('@aws-sdk/client-s3/dist-cjs/index.js')).to.equal('@aws-sdk/client-s3');
    expect(packageNameOf('lodash/fp')).to.equal('lodash');
    expect(['./a.js', '../b', '/opt/x.js', 'node:fs', 'file:///a.mjs'].map(packageNameOf)).to.deep.equal([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('runtime: layer module folders in NODE_PATH order', () => {
  it('searches nodejs/nodeNN/node_modules before nodejs/node_modules, and a later layer before an earlier one', () => {
    const fixtures = new URL('../../fixtures/layers/', import.meta.url).pathname;
    const layer = (name: string): LayerModel => ({
      logicalId: name,
      arn: `arn:aws:lambda:us-east-1:123456789012:layer:${name}:1`,
      nodejsDir: `${fixtures}${name}/nodejs`,
      contentDir: `${fixtures}${name}`,
      buildMethod: undefined,
      compatibleRuntimes: undefined,
    });

    const dirs = layerModuleDirs([layer('shared-layer'), layer('override-layer')], 22);

    expect(dirs).to.deep.equal([
      `${fixtures}shared-layer/nodejs/node22/node_modules`,
      `${fixtures}override-layer/nodejs/node_modules`,
      `${fixtures}shared-layer/nodejs/node_modules`,
    ]);
  });

  it('reads a nodejs BuildMethod layer as its own /opt/nodejs, or as /opt when it already holds a nodejs/ folder', () => {
    const fixtures = new URL('../../fixtures/layers/', import.meta.url).pathname;
    const built: LayerModel = {
      logicalId: 'Shared',
      arn: 'arn:aws:lambda:us-east-1:123456789012:layer:shared:1',
      nodejsDir: `${fixtures}shared-layer`,
      contentDir: `${fixtures}shared-layer`,
      buildMethod: 'nodejs22.x',
      compatibleRuntimes: undefined,
    };

    expect(layerModuleDirs([built], 22)).to.deep.equal([
      `${fixtures}shared-layer/nodejs/node22/node_modules`,
      `${fixtures}shared-layer/nodejs/node_modules`,
    ]);
  });
});

describe('runtime: the local stand-in for /var/runtime/node_modules', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runtime-modules-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('links only the SDK v3 scopes of the project, so a bundle that forgot another dependency fails as on AWS', () => {
    const project = join(root, 'project', 'node_modules');
    for (const dir of ['@aws-sdk/client-s3', '@smithy/types', 'lodash'])
      mkdirSync(join(project, dir), { recursive: true });

    const linked = linkRuntimeModules(
      join(root, 'runtime', 'node_modules'),
      [project],
      runtime('nodejs22.x'),
    );

    expect(linked).to.equal(join(root, 'runtime', 'node_modules'));
    expect(readdirSync(join(root, 'runtime', 'node_modules')).sort()).to.deep.equal(['@aws-sdk', '@smithy']);
    expect(realpathSync(join(root, 'runtime', 'node_modules', '@aws-sdk'))).to.equal(
      realpathSync(join(project, '@aws-sdk')),
    );
  });

  it('links nothing when the project has no SDK installed', () => {
    expect(linkRuntimeModules(join(root, 'runtime', 'node_modules'), [root], runtime('nodejs22.x'))).to.equal(
      undefined,
    );
  });

  it('warns about a layer sam build would npm install (BuildMethod nodejsNN.x) that has no node_modules', () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ dependencies: { 'left-pad': '1.3.0' } }));
    const layer: LayerModel = {
      logicalId: 'DepsLayer',
      arn: 'arn:aws:lambda:us-east-1:123456789012:layer:DepsLayer:1',
      nodejsDir: root,
      contentDir: root,
      buildMethod: 'nodejs22.x',
      compatibleRuntimes: undefined,
    };

    expect(layerWarnings([layer])).to.deep.equal([
      `DepsLayer: ${join(root, 'package.json')} has dependencies but no node_modules beside it; run npm install ` +
        `in ${root} (sam build would, for BuildMethod nodejs22.x)`,
    ]);
    mkdirSync(join(root, 'node_modules'));
    expect(layerWarnings([layer])).to.deep.equal([]);
  });
});
