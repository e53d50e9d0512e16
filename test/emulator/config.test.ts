import { expect } from 'chai';
import { applyEnvVars, ConfigError, parseEnvVars, parseParameterOverrides } from '../../emulator/config.ts';
import { functionModel } from '../support/models.ts';

const fn = (logicalId: string, environment: Record<string, string>) =>
  functionModel({ logicalId, environment });

describe('--env-vars (SAM env.json format)', () => {
  it('applies Parameters to every function and <LogicalId> to one, the function entry winning', () => {
    const file = parseEnvVars('{"Parameters":{"A":"all","B":"all"},"One":{"B":"one"}}', 'env.json');

    expect(applyEnvVars(fn('One', { A: 'x', B: 'x' }), file).environment).to.deep.equal({
      A: 'all',
      B: 'one',
    });
    expect(applyEnvVars(fn('Two', { A: 'x', B: 'x' }), file).environment).to.deep.equal({
      A: 'all',
      B: 'all',
    });
  });

  it('overrides only variables the template declares, as SAM CLI does, and names the ignored ones', () => {
    const file = parseEnvVars('{"Parameters":{"A":"1","EXTRA":"2"}}', 'env.json');

    expect(applyEnvVars(fn('One', { A: 'x' }), file)).to.deep.equal({
      environment: { A: '1' },
      ignored: ['EXTRA'],
    });
  });

  it('stringifies numbers and booleans', () => {
    const file = parseEnvVars('{"Parameters":{"N":3000,"B":true}}', 'env.json');

    expect(file.all).to.deep.equal({ N: '3000', B: 'true' });
  });

  it('rejects invalid JSON, non-objects and nested values with a message naming the file and key', () => {
    expect(() => parseEnvVars('{', 'env.json')).to.throw(ConfigError, /^env\.json: not valid JSON/);
    expect(() => parseEnvVars('[]', 'env.json')).to.throw(ConfigError, /expected a JSON object/);
    expect(() => parseEnvVars('{"Parameters":{"A":{"x":1}}}', 'env.json')).to.throw(
      ConfigError,
      'env.json: Parameters.A: expected a string, number or boolean',
    );
  });
});

describe('--parameter-overrides', () => {
  it('reads Key=Value pairs separated by spaces, in one value or several', () => {
    expect(parseParameterOverrides(['A=1 B=x=y', 'C='])).to.deep.equal({ A: '1', B: 'x=y', C: '' });
  });

  it('reads the ParameterKey=…,ParameterValue=… form', () => {
    expect(
      parseParameterOverrides(['ParameterKey=AllowedOrigin,ParameterValue=https://a.example']),
    ).to.deep.equal({
      AllowedOrigin: 'https://a.example',
    });
  });

  it('keeps spaces inside a value when the next word is not a new Key=', () => {
    expect(parseParameterOverrides(['Greeting=hello world Other=1'])).to.deep.equal({
      Greeting: 'hello world',
      Other: '1',
    });
  });

  it('drops the quotes around a quoted value and keeps its spaces, unescaping \\ , \\" and \\\', as SAM CLI does', () => {
    expect(
      parseParameterOverrides([`A="two words" B='single quoted' C=back\\ slash D="say \\"hi\\""`]),
    ).to.deep.equal({ A: 'two words', B: 'single quoted', C: 'back slash', D: 'say "hi"' });
  });

  it('rejects a pair without a key', () => {
    expect(() => parseParameterOverrides(['=1'])).to.throw(ConfigError, 'expected Key=Value');
  });
});
