import path from 'node:path';

/**
 * How the user runs the CLI, for the commands it prints (`--help`, the commands that run functions other
 * services trigger): `npx sam-emulator` when it was started through the package's bin, as in any other SAM
 * application; `npm run -s local --` from this repository's npm scripts (`-s` keeps npm's banner off stdout,
 * which would break a pipe).
 */
export function cliCommand(script: string | undefined = process.argv[1]): readonly string[] {
  const name = path.basename(script ?? '');
  return name === 'sam-emulator' || name === 'sam-emulator.mjs'
    ? ['npx', 'sam-emulator']
    : ['npm', 'run', '-s', 'local', '--'];
}
