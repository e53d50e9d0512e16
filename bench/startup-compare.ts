/**
 * Start-up of several builds of the CLI side by side, in one run, rounds interleaved so that machine load hits
 * them alike: `npm start`'s command to the first 200 of POST /multiply (a worker's cold start included) and
 * `invoke MultiplyFunction` to its exit, with the project's template, as bench/run.ts measures them. Used to
 * check that the package's prebuilt dist/ and the TypeScript worker start no slower than before:
 *
 *   node --import tsx bench/startup-compare.ts before=/tmp/before/emulator/launch.mjs \
 *     repo=emulator/launch.mjs package=/tmp/install/node_modules/sam-emulator/bin/sam-emulator.mjs [--rounds 9]
 */
import { parseArgs } from 'node:util';
import { invokeWith, startupWith } from './cli-timings.ts';
import { stopAll } from './processes.ts';
import { median } from './stats.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '9' } },
});
const builds = positionals.map((argument) => {
  const [label, file] = argument.split('=');
  if (label === undefined || file === undefined) throw new Error(`expected label=cli-file, got ${argument}`);
  return { label, cli: [file] };
});
const rounds = Number(values.rounds);
const samples = new Map<string, { firstResponse: number[]; invoke: number[] }>(
  builds.map(({ label }) => [label, { firstResponse: [], invoke: [] }]),
);

try {
  // One unmeasured round: each build's caches (its bundle, the compiled worker, esbuild's) are made.
  for (const { cli } of builds) {
    await startupWith(cli);
    await invokeWith(cli);
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const { label, cli } of order) {
      const sample = samples.get(label);
      sample?.firstResponse.push((await startupWith(cli)).firstResponseMs);
      sample?.invoke.push(await invokeWith(cli));
    }
  }
} finally {
  await stopAll();
}

process.stdout.write(
  `| CLI | start to first response | invoke | (medians of ${rounds}) |\n|---|---|---|---|\n`,
);
for (const [label, { firstResponse, invoke }] of samples) {
  process.stdout.write(
    `| ${label} | ${median(firstResponse).toFixed(0)} ms | ${median(invoke).toFixed(0)} ms | |\n`,
  );
}
