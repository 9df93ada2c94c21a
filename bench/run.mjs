#!/usr/bin/env node
// The benchmark runner. Three modes, each writing its part of bench/RESULTS.md:
//
// - the matrix (default): every peer x scenario, a fresh server process pinned to core 0,
//   loaded by autocannon against the WeChat sandbox, both in this process on core 1
//   (matrix.mjs, report.mjs);
// - --cost: what a login costs, ours against nest-passport-axios on the same adapter, in
//   paired rounds: CPU per login and peak RSS at a fixed arrival rate, and the latency of an
//   open model over TLS with WeChat 20 ms away (cost.mjs);
// - --soak MINUTES: a steady mix of every login kind against one server, sampled every
//   interval, failing when memory, handles, store keys or event-loop delay grow (soak/).
//
// A benchmark, not a test: --smoke runs the matrix for 1 s, a 20-second soak and a few seconds
// of the cost mode, and fails only when a server does not start or answers what it must not.
//
//   node bench/run.mjs [--smoke] [--peers a,b] [--scenarios a,b] [--duration s]
//                      [--warmup s] [--connections n] [--no-profile] [--no-write]
//                      [--profile-only] [--keep-profiles dir] [--out file]
//   node bench/run.mjs --cost [--rounds n] [--rate n] [--cpu-rate n] [--adapters express,fastify]
//                      [--duration s] [--warmup s] [--out file]
//   node bench/run.mjs --soak MINUTES [--soak-rate n] [--sample-every s] [--soak-warmup min]
//                      [--no-growth-check] [--out file]
//
// --out writes the report to that file instead of bench/RESULTS.md (also with --smoke), to look
// at the tables of a short run without touching RESULTS.md; a soak's samples and plot go beside it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PEERS, SCENARIOS } from './lib/peers.mjs';
import { makeCertificate, splitCores } from './lib/processes.mjs';
import { keptSections } from './lib/results-file.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    peers: { type: 'string' },
    scenarios: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'profile-only': { type: 'boolean', default: false },
    'keep-profiles': { type: 'string' },
    out: { type: 'string' },
    cost: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    rate: { type: 'string' },
    'cpu-rate': { type: 'string' },
    adapters: { type: 'string' },
    soak: { type: 'string' },
    'soak-rate': { type: 'string' },
    'sample-every': { type: 'string' },
    'soak-warmup': { type: 'string' },
    'no-growth-check': { type: 'boolean', default: false },
  },
});
const smoke = args.smoke;
const settings = {
  duration: Number(args.duration ?? (smoke ? 1 : 10)),
  warmup: Number(args.warmup ?? (smoke ? 0 : 5)),
  connections: Number(args.connections ?? (smoke ? 4 : 50)),
};
const profiling = !args['no-profile'] && !smoke;
const writing = !args['no-write'] && !args['profile-only'] && (args.out !== undefined || !smoke);
const resultsFile = args.out ? resolve(args.out) : join(BENCH, 'RESULTS.md');
const pick = (list, names) =>
  names
    ? names
        .split(',')
        .map((name) => list.find((item) => item.name === name) ?? fail(`unknown: ${name}`))
    : list;
const peers = pick(PEERS, args.peers);
const scenarios = pick(SCENARIOS, args.scenarios);
const mode = args.soak !== undefined ? 'soak' : args.cost ? 'cost' : 'matrix';

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---- setup: the bench's own dependencies, the Nest servers compiled, the CPU split ----

const lock = join(BENCH, 'package-lock.json');
const installed = join(BENCH, 'node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('bench: npm ci in bench/');
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: BENCH,
    stdio: 'inherit',
  });
}
// The sandbox is a package of its own, which nest-wx-oauth/testing re-exports.
for (const entry of ['libs/wx-sandbox/dist/esm/index.js', 'libs/wx-oauth/dist/esm/index.js'])
  if (!existsSync(join(ROOT, entry)))
    fail('build the library and the sandbox first: npm run build');
execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(BENCH, 'tsconfig.json')],
  { stdio: 'inherit' },
);

// After the install: these load autocannon and the library.
const { machineInfo, writeResults } = await import('./report.mjs');
const { runMatrix } = await import('./matrix.mjs');
const { runCost } = await import('./cost.mjs');
const { runSoak } = await import('./soak/soak.mjs');

const machine = machineInfo(); // before pinning: nproc counts the cores this process may use
const pinned = splitCores();
const work = mkdtempSync(join(tmpdir(), 'wx-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const tls = makeCertificate(work);
const context = { bench: BENCH, settings, tls, work, machine, pinned, smoke };

const started = Date.now();
let failures = 0;

if (mode === 'soak') {
  failures += await guarded('--soak', () => soak({ minutes: Number(args.soak) }));
} else if (mode === 'cost') {
  failures += await guarded('--cost', cost);
} else {
  failures += await matrix();
  // The other modes, briefly, so that they keep working as the library changes.
  if (smoke) {
    failures += await guarded('--soak', () => soak({ minutes: 1 / 3 }));
    failures += await guarded('--cost', cost);
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
console.log(`bench: done in ${seconds} s, ${failures} failed`);
process.exit(failures ? 1 : 0);

/** A mode's failures, 1 when it threw (a server that would not start). */
async function guarded(name, run) {
  try {
    return await run();
  } catch (error) {
    console.error(`bench ${name} FAILED: ${error.stack ?? error}`);
    return 1;
  }
}

async function matrix() {
  console.log(
    `bench: ${peers.length} peers x ${scenarios.length} scenarios, ${settings.connections} connections, ` +
      `${settings.warmup} s warm-up + ${settings.duration} s, ${pinned ? 'servers on core 0, sandbox + autocannon on core 1' : 'no CPU pinning'}`,
  );
  const { results, profiles, failures } = await runMatrix(peers, scenarios, {
    ...context,
    profiling,
    keepProfiles: args['keep-profiles'],
    profileOnly: args['profile-only'],
  });
  if (writing) {
    writeFileSync(
      resultsFile,
      writeResults({
        results,
        peers,
        scenarios,
        settings,
        pinned,
        profiles,
        machine,
        seconds: Math.round((Date.now() - started) / 1000),
        // The hand-written notes and the other modes' sections survive a new run.
        kept: keptSections(resultsFile),
      }),
    );
    console.log(`bench: wrote ${resultsFile}`);
  }
  console.log(`bench: ${results.length} runs, ${failures} with errors`);
  return failures;
}

async function cost() {
  return runCost({
    ...context,
    rounds: Number(args.rounds ?? (smoke ? 1 : 3)),
    rate: Number(args.rate ?? 200),
    cpuRate: Number(args['cpu-rate'] ?? 300),
    adapters: (args.adapters ?? 'express').split(','),
    duration: Number(args.duration ?? (smoke ? 2 : 20)),
    warmup: Number(args.warmup ?? (smoke ? 1 : 5)),
    resultsFile: writing ? resultsFile : undefined,
  });
}

async function soak({ minutes }) {
  return runSoak({
    ...context,
    minutes,
    rate: Number(args['soak-rate'] ?? (smoke ? 20 : 50)),
    sampleEvery: Number(args['sample-every'] ?? (smoke ? 2 : 15)),
    warmupMinutes: args['soak-warmup'] === undefined ? undefined : Number(args['soak-warmup']),
    // A smoke's 20 seconds are all warm-up: it checks that the mode runs, not that nothing grows.
    growthCheck: !args['no-growth-check'] && !smoke,
    resultsFile: writing ? resultsFile : undefined,
    artefactDir: writing ? dirname(resultsFile) : work,
  });
}
