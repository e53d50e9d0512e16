import { expect } from 'chai';
import { cliCommand } from '../../emulator/command.ts';

describe('the command the CLI prints for itself', () => {
  it('is npx sam-emulator when the package bin started it (its link in node_modules/.bin or the file itself)', () => {
    expect(cliCommand('/app/node_modules/.bin/sam-emulator')).to.deep.equal(['npx', 'sam-emulator']);
    expect(cliCommand('/app/node_modules/sam-emulator/bin/sam-emulator.mjs')).to.deep.equal([
      'npx',
      'sam-emulator',
    ]);
  });

  it("is the repository's npm script, silent so that a pipe gets only the output, otherwise", () => {
    expect(cliCommand('/repo/emulator/launch.mjs')).to.deep.equal(['npm', 'run', '-s', 'local', '--']);
    expect(cliCommand(undefined)).to.deep.equal(['npm', 'run', '-s', 'local', '--']);
  });
});
