import { exec } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ROOT } from '../../support/cli.ts';

const README = readFileSync(`${ROOT}README.md`, 'utf8');

/** Every command the README shows: inline code spans and the lines of its code blocks. */
function commands(): string[] {
  const spans = [...README.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '');
  const blocks = [...README.matchAll(/```(?:sh)?\n([\s\S]*?)```/g)].flatMap((match) =>
    (match[1] ?? '').split('\n'),
  );
  return [...spans, ...blocks]
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npm '));
}

describe("the README's invoke examples", function () {
  this.timeout(60_000);

  it('every one that runs invoke keeps npm quiet (-s), so that stdout is the result alone', () => {
    // A command with arguments (`-- …`) is an example to copy; a bare `npm run invoke` in prose names the script.
    const invokes = commands().filter((command) => /\binvoke\b/.test(command) && command.includes(' -- '));

    expect(invokes.length).to.be.greaterThan(0);
    expect(
      invokes.filter((command) => !/^npm run -s /.test(command) && !command.includes(' | npm run -s ')),
    ).to.deep.equal([]);
  });

  it('the invoke example with an events/ file prints only JSON on stdout, run through npm exactly as written', async () => {
    const example = commands().find((command) =>
      /^npm run -s invoke -- \w+ -e events\/\S+\.json$/.test(command),
    );
    expect(example, 'an `npm run -s invoke -- Fn -e events/….json` example').to.be.a('string');

    const stdout = await new Promise<string>((resolve, reject) => {
      exec(example ?? '', { cwd: ROOT }, (error, out) => (error === null ? resolve(out) : reject(error)));
    });

    expect(() => JSON.parse(stdout), stdout).not.to.throw();
  });
});
