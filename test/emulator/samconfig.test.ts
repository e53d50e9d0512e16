import { expect } from 'chai';
import { ConfigError } from '../../emulator/config.ts';
import { samConfigValues } from '../../emulator/samconfig.ts';

const TOML = `
version = 0.1
[default.global.parameters]
parameter_overrides = "Stage=beta Region=eu-west-1"
[default.local_start_api.parameters]
parameter_overrides = ["Stage=local"]
[default.deploy.parameters]
parameter_overrides = "TableName=orders"
[staging.global.parameters]
parameter_overrides = "Stage=staging"
`;

describe('samconfig.toml (SAM CLI configuration file)', () => {
  it("takes a command's parameter_overrides over global's as a whole, as SAM CLI merges sections key by key", () => {
    expect(samConfigValues(TOML, '/app/samconfig.toml', 'default', 'local_start_api')).to.deep.equal({
      parameterOverrides: { Stage: 'local' },
      deployParameterOverrides: { TableName: 'orders' },
    });
  });

  it("falls back to global's parameters for a command without a section of its own", () => {
    expect(
      samConfigValues(TOML, '/app/samconfig.toml', 'default', 'local_invoke').parameterOverrides,
    ).to.deep.equal({
      Stage: 'beta',
      Region: 'eu-west-1',
    });
  });

  it('reads another environment with --config-env, and nothing from an environment the file lacks', () => {
    expect(
      samConfigValues(TOML, '/app/samconfig.toml', 'staging', 'local_invoke').parameterOverrides,
    ).to.deep.equal({
      Stage: 'staging',
    });
    expect(samConfigValues(TOML, '/app/samconfig.toml', 'prod', 'local_invoke')).to.deep.equal({
      parameterOverrides: {},
      deployParameterOverrides: {},
    });
  });

  it('reads samconfig.yaml in the same layout', () => {
    const yaml =
      'version: 0.1\ndefault:\n  global:\n    parameters:\n      parameter_overrides: Stage=yaml\n';
    expect(samConfigValues(yaml, '/app/samconfig.yaml', 'default', 'build').parameterOverrides).to.deep.equal(
      {
        Stage: 'yaml',
      },
    );
  });

  it('rejects a file that is not TOML, and parameter_overrides of the wrong type, naming the file and section', () => {
    expect(() => samConfigValues('[default', '/app/samconfig.toml', 'default', 'build')).to.throw(
      ConfigError,
      '/app/samconfig.toml: not valid TOML',
    );
    expect(() =>
      samConfigValues(
        '[default.build.parameters]\nparameter_overrides = 3',
        '/app/samconfig.toml',
        'default',
        'build',
      ),
    ).to.throw(ConfigError, '/app/samconfig.toml: [default.build.parameters] parameter_overrides: expected');
  });
});
