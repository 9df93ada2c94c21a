#!/usr/bin/env node
// The benchmark runner: for each peer and scenario, a fresh server process pinned
// to core 0, loaded by autocannon against the WeChat sandbox, both in this process
// on core 1. Writes bench/RESULTS.md (see report.mjs). A benchmark, not a test:
// --smoke runs everything for 1 s and fails only when a server does not start or
// answers errors.
//
//   node bench/run.mjs [--smoke] [--peers a,b] [--scenarios a,b] [--duration s]
//                      [--warmup s] [--connections n] [--no-profile] [--no-write]
//                      [--profile-only] [--keep-profiles dir] [--out file]
//
// --out writes the report to that file instead of bench/RESULTS.md (also with --smoke),
// to look at the tables of a short run without touching RESULTS.md.
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TENANTS, tenantOfIndex } from './servers/tenants.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');

const PEERS = [
  { name: 'baseline', script: 'servers/baseline.mjs', about: 'node:http, one keep-alive agent' },
  {
    name: 'nest-wx-oauth',
    script: 'dist/nest-wx-oauth.js',
    about: 'Nest 12 + Express, WxAuthGuard, state on',
    state: true,
  },
  // Its many-tenants mode, held to the fixed registration above: every login looks its tenant up.
  {
    name: 'nest-wx-oauth-tenants',
    script: 'dist/nest-wx-oauth-tenants.js',
    about: `our module as above with \`tenants\`: ${TENANTS} tenants, each its own official account, logins spread over them round-robin`,
    state: true,
    tenants: TENANTS,
  },
  { name: 'passport-wechat', script: 'servers/passport-wechat.mjs', about: 'express + passport' },
  {
    name: 'wechat-oauth',
    script: 'servers/wechat-oauth.mjs',
    about: 'express, called in the handler',
  },
  // References, not competitors: the baseline's handlers on express, and in a Nest controller (no library, no state).
  {
    name: 'express-plain',
    script: 'servers/express-plain.mjs',
    about: "reference: the baseline's handlers on express",
  },
  {
    name: 'nest-plain',
    script: 'dist/nest-plain.js',
    about: "reference: the baseline's handlers in a Nest controller, no library",
  },
  // References for the login path, to tell framework cost from library cost: WeChat's two calls on a tuned axios instance, without and with Passport.
  {
    name: 'nest-axios',
    script: 'dist/nest-axios.js',
    about:
      'reference: a Nest controller making the two calls on a tuned axios instance, no library',
  },
  {
    name: 'nest-passport-axios',
    script: 'dist/nest-passport-axios.js',
    about:
      'reference: a minimal passport-oauth2 strategy and AuthGuard in Nest, the two calls on the same axios instance, no library',
  },
  // What the Fastify adapter gives, for the targets the Express adapter cannot reach.
  {
    name: 'nest-wx-oauth-fastify',
    script: 'dist/nest-wx-oauth.js',
    about: "our module as above, on Nest's Fastify adapter",
    state: true,
    env: { NEST_ADAPTER: 'fastify' },
  },
  {
    name: 'nest-plain-fastify',
    script: 'dist/nest-plain.js',
    about: "reference: nest-plain on Nest's Fastify adapter",
    env: { NEST_ADAPTER: 'fastify' },
  },
  {
    name: 'nest-axios-fastify',
    script: 'dist/nest-axios.js',
    about: "reference: nest-axios on Nest's Fastify adapter",
    env: { NEST_ADAPTER: 'fastify' },
  },
  {
    name: 'nest-passport-axios-fastify',
    script: 'dist/nest-passport-axios.js',
    about:
      "reference: nest-passport-axios on Nest's Fastify adapter (passport redirects on reply.raw)",
    env: { NEST_ADAPTER: 'fastify' },
  },
];

/** `sandbox` is given to WxSandbox.start; a new connection costs one round trip, as a TCP handshake does. */
const SCENARIOS = [
  { name: 'redirect', kind: 'redirect', about: 'GET /auth/wechat', sandbox: {} },
  { name: 'callback', kind: 'callback', about: 'fresh code: exchange + userinfo', sandbox: {} },
  {
    name: 'callback-20ms',
    kind: 'callback',
    about: '20 ms per upstream request and per new connection',
    sandbox: { latencyMs: 20, connectionLatencyMs: 20 },
  },
  {
    name: 'callback-tls',
    kind: 'callback',
    about: 'sandbox over HTTPS, certificate made at run time',
    sandbox: { tls: true },
  },
  {
    name: 'callback-tls-20ms',
    kind: 'callback',
    about: 'HTTPS and 20 ms per upstream request and per new connection: what real WeChat costs',
    sandbox: { tls: true, latencyMs: 20, connectionLatencyMs: 20 },
  },
];

/** The peers a run profiles (`--cpu-prof`), when selected. */
const PROFILED = ['nest-wx-oauth', 'nest-wx-oauth-tenants'];

/** Column widths of the console summary. */
const PEER_WIDTH = Math.max(...PEERS.map((p) => p.name.length));
const SCENARIO_WIDTH = Math.max(...SCENARIOS.map((s) => s.name.length));

const USERS = ['alice', 'bob', 'carol'];
/** Login states minted per second of warm-up: more than any peer serves callbacks on one core. */
const WARMUP_STATES_PER_S = 15_000;

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
const pick = (list, names) =>
  names
    ? names
        .split(',')
        .map((name) => list.find((item) => item.name === name) ?? fail(`unknown: ${name}`))
    : list;
const peers = pick(PEERS, args.peers);
const scenarios = pick(SCENARIOS, args.scenarios);

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---- setup: the bench's own dependencies, the Nest server compiled, the CPU split ----

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

const { default: autocannon } = await import('autocannon');
const { WxSandbox } = await import('nest-wx-oauth/testing');
const { machineInfo, profileText, tenantRatios, writeResults } = await import('./report.mjs');

const machine = machineInfo(); // before pinning: nproc counts the cores this process may use
const hasTaskset = commandExists('taskset');
const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
const pinned = hasTaskset && cores >= 2;
if (pinned)
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const work = mkdtempSync(join(tmpdir(), 'wx-bench-'));
const tls = scenarios.some((s) => s.sandbox.tls) ? makeCertificate(work) : undefined;

process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// ---- one peer, one scenario ----

async function run(peer, scenario, { cpuProfDir } = {}) {
  if (scenario.sandbox.tls && !tls)
    return {
      peer: peer.name,
      scenario: scenario.name,
      skipped: 'no openssl to make a certificate',
    };
  const sandbox = await WxSandbox.start({
    ...scenario.sandbox,
    tls: scenario.sandbox.tls ? tls.pem : undefined,
    ...(peer.tenants ? { apps: tenantApps(peer.tenants) } : {}),
  });
  const caFile = scenario.sandbox.tls ? tls.file : undefined;
  const needsStates = peer.state && scenario.kind === 'callback';
  let server;
  let minter;
  try {
    server = await startServer(peer, sandbox, { cpuProfDir, caFile });
    const base = server.url;
    await sanityCheck(peer, scenario, sandbox, base);
    // Logins are started on a second instance of the same app, as behind a load balancer:
    // the state cookie is signed with a key both derive from the secret, so the measured
    // server spends nothing (CPU, memory, profile samples) on minting.
    if (needsStates) minter = await startServer(peer, sandbox, { caFile });
    const states = [];
    let exhausted = 0;
    const nextRequest = requestFor(peer, scenario, sandbox, states, () => exhausted++);

    let warmRate = 0;
    // With tenants, the warm-up's first round of logins loads each tenant once: the window sees
    // them all cached (tenants.cacheTtl, 60 s, outlasts warm-up, minting and window at the default durations).
    if (settings.warmup > 0) {
      if (needsStates)
        await mintStates(peer, minter.url, settings.warmup * WARMUP_STATES_PER_S, states);
      const warm = await load(base, nextRequest, { duration: settings.warmup });
      // Every answer counts: a pool that ran dry answers 401s, and the rate it held is at least that.
      warmRate = warm.requests.total / warm.duration;
    }
    if (needsStates) {
      // Enough valid states for the window: a warm-up still compiling runs at a fraction of the
      // window's rate, so three times its rate (at least 3000/s); running dry shows as 401s.
      states.length = 0;
      await mintStates(
        peer,
        minter.url,
        Math.ceil(Math.max(warmRate * 3, 3000) * settings.duration) + 1000,
        states,
      );
      exhausted = 0;
    }

    sandbox.resetStats();
    const cpuBefore = cpuTicks(server.pid);
    const busyBefore = busyTicks();
    const runnerBefore = process.cpuUsage();
    const result = await load(base, nextRequest, { duration: settings.duration });
    const cpuSeconds = (cpuTicks(server.pid) - cpuBefore) / CLK_TCK;
    const runner = process.cpuUsage(runnerBefore);
    // CPU that neither the server nor this runner used: other processes on the machine skew a run.
    const otherSeconds =
      (busyTicks() - busyBefore) / CLK_TCK - cpuSeconds - (runner.user + runner.system) / 1e6;
    const stats = sandbox.stats;
    const upstream = ['access_token', 'refresh_token', 'auth', 'userinfo'].reduce(
      (sum, key) => sum + stats.requests[key],
      0,
    );
    const badStatus = Object.entries(result.statusCodeStats ?? {})
      .filter(([code]) => Number(code) < 200 || Number(code) >= 400)
      .reduce((sum, [, { count }]) => sum + count, 0);
    return {
      peer: peer.name,
      scenario: scenario.name,
      rps: result.requests.average,
      total: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      badStatus,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
      ),
      startRssKb: server.startRssKb,
      peakRssKb: peakRssKb(server.pid),
      cpuPercent: (100 * cpuSeconds) / result.duration,
      runnerCpuPercent: (100 * (runner.user + runner.system)) / 1e6 / result.duration,
      otherCpuPercent: Math.max(0, (100 * otherSeconds) / result.duration),
      upstreamRequests: upstream,
      upstreamConnections: stats.connections,
      upstreamPerRequest: result.requests.total ? upstream / result.requests.total : 0,
      newConnPerUpstream: upstream ? stats.connections / upstream : null,
      // What a login costs the server, comparable also where latency, not CPU, bounds req/s.
      cpuUsPerRequest: result.requests.total ? (1e6 * cpuSeconds) / result.requests.total : null,
      stateExhausted: exhausted,
      serverLog: badStatus || result.errors ? server.log().slice(-2000) : undefined,
    };
  } finally {
    await Promise.all([server?.stop(), minter?.stop()]);
    await sandbox.close();
  }
}

/**
 * The request generator: a fresh code per callback (minted here, where the sandbox lives) and, for
 * our module, a valid state and its cookie, the code issued for the app that started that login
 * (with tenants, the state's tenant's: the callback exchanges it with that app's secret).
 */
function requestFor(peer, scenario, sandbox, states, onExhausted) {
  if (scenario.kind === 'redirect') {
    if (!peer.tenants) return { method: 'GET', path: '/auth/wechat' }; // the same every time: built once
    const path = loginPaths(peer);
    return () => ({ method: 'GET', path: path() });
  }
  let i = 0;
  return () => {
    const user = USERS[i++ % USERS.length];
    if (!peer.state) {
      const code = sandbox.issueCode(user, 'snsapi_userinfo');
      return { method: 'GET', path: `/auth/wechat/callback?code=${code}&state=STATE` };
    }
    const login = states.pop();
    if (!login) {
      onExhausted();
      const code = sandbox.issueCode(user, 'snsapi_userinfo');
      return { method: 'GET', path: `/auth/wechat/callback?code=${code}&state=${'0'.repeat(32)}` };
    }
    const code = sandbox.issueCode(user, 'snsapi_userinfo', login.appid);
    return {
      method: 'GET',
      path: `/auth/wechat/callback?code=${code}&state=${login.state}`,
      headers: { cookie: login.cookie },
    };
  };
}

function load(url, next, { duration }) {
  return autocannon({
    url,
    connections: settings.connections,
    duration,
    requests: [
      typeof next === 'function'
        ? { setupRequest: (request) => ({ ...request, ...next() }) }
        : next,
    ],
  });
}

/** The paths of login starts: one route, or with tenants each tenant's in turn, /t/<id>/auth/wechat. */
function loginPaths(peer) {
  if (!peer.tenants) return () => '/auth/wechat';
  const paths = Array.from(
    { length: peer.tenants },
    (_, i) => `/t/${tenantOfIndex(i).id}/auth/wechat`,
  );
  let i = 0;
  return () => paths[i++ % paths.length];
}

/** The tenants' official accounts, for WxSandbox.start; each bound to an Open Platform account of its own, so WeChat sends a unionid as to the fixed peer's app. */
function tenantApps(count) {
  return Array.from({ length: count }, (_, i) => {
    const { id, appid, secret } = tenantOfIndex(i);
    return { appid, secret, kind: 'officialAccount', openPlatform: id };
  });
}

/**
 * Starts `count` logins on our server (GET /auth/wechat, or with tenants spread over them) and keeps
 * each state with its cookie, and the appid its authorize link names, in `states`.
 */
async function mintStates(peer, url, count, states) {
  const before = states.length;
  const path = loginPaths(peer);
  await autocannon({
    url,
    connections: settings.connections,
    amount: count,
    requests: [
      {
        method: 'GET',
        path: path(),
        ...(peer.tenants ? { setupRequest: (request) => ({ ...request, path: path() }) } : {}),
        onResponse: (status, _body, _context, headers) => {
          const login = parseLogin(
            status,
            header(headers, 'location'),
            header(headers, 'set-cookie'),
          );
          if (login) states.push(login);
        },
      },
    ],
  });
  const minted = states.length - before;
  if (minted < count * 0.99) throw new Error(`minted only ${minted} of ${count} login states`);
}

function parseLogin(status, location, setCookie) {
  if (status !== 302 || !location) return undefined;
  const { searchParams } = new URL(location);
  const state = searchParams.get('state');
  const appid = searchParams.get('appid') ?? undefined;
  const cookie = [setCookie ?? []]
    .flat()
    .map((c) => c.split(';')[0])
    .join('; ');
  return state && cookie ? { state, cookie, appid } : undefined;
}

function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** One request before the load: the server must answer as WeChat's client, through the sandbox. */
async function sanityCheck(peer, scenario, sandbox, base) {
  // With tenants, the last one's login: its own app, not the sandbox's first.
  const tenant = peer.tenants ? tenantOfIndex(peer.tenants - 1) : undefined;
  const path = tenant ? `/t/${tenant.id}/auth/wechat` : '/auth/wechat';
  const appid = tenant?.appid ?? sandbox.appid;
  const start = await fetch(`${base}${path}`, { redirect: 'manual' });
  const location = start.headers.get('location') ?? '';
  if (
    start.status !== 302 ||
    !location.startsWith(`${sandbox.url}/connect/oauth2/authorize?appid=${appid}&`)
  ) {
    throw new Error(
      `${peer.name}: GET ${path} answered ${start.status} to ${location || 'nowhere'}`,
    );
  }
  if (scenario.kind !== 'callback') return;
  const login = peer.state
    ? parseLogin(start.status, location, start.headers.getSetCookie())
    : { state: 'STATE' };
  const code = sandbox.issueCode('bob', 'snsapi_userinfo', appid);
  const res = await fetch(`${base}/auth/wechat/callback?code=${code}&state=${login.state}`, {
    headers: login.cookie ? { cookie: login.cookie } : {},
  });
  const text = await res.text();
  const bob = sandbox.users.find((user) => user.key === 'bob');
  const body = res.status === 200 ? JSON.parse(text) : {};
  // openids differ per app: bob's in the app that logged him in.
  if (body.openid !== sandbox.openidOf('bob', appid) || body.nickname !== bob.nickname) {
    throw new Error(`${peer.name}: the callback answered ${res.status} ${text.slice(0, 200)}`);
  }
}

// ---- the server process ----

async function startServer(peer, sandbox, { cpuProfDir, caFile }) {
  const port = await freePort();
  const node = [
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    resolve(BENCH, peer.script),
  ];
  const [command, argv] = pinned
    ? ['taskset', ['-c', '0', process.execPath, ...node]]
    : [process.execPath, node];
  const child = spawn(command, argv, {
    cwd: BENCH,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
      ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
      ...peer.env,
    },
  });
  let output = '';
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${peer.name} did not start in 30 s:\n${output}`)),
      30_000,
    );
    child.stdout.on('data', (chunk) => {
      output = (output + chunk).slice(-65536);
      if (/^listening \d+$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-65536)));
    exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${peer.name} exited (${how}) before listening:\n${output}`));
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    pid: child.pid,
    log: () => output,
    startRssKb: procStatus(child.pid, 'VmRSS'),
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** utime + stime of the whole process, in clock ticks. */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy ticks of all CPUs (everything but idle and iowait) from /proc/stat. */
function busyTicks() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user + nice + system + irq + softirq + steal;
}

function peakRssKb(pid) {
  return procStatus(pid, 'VmHWM');
}

function procStatus(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

function commandExists(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for 127.0.0.1, made now; servers trust it through NODE_EXTRA_CA_CERTS. */
function makeCertificate(dir) {
  if (!commandExists('openssl')) return undefined;
  const keyFile = join(dir, 'sandbox-key.pem');
  const file = join(dir, 'sandbox-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      file,
    ],
    { stdio: 'ignore' },
  );
  return { file, pem: { key: readFileSync(keyFile), cert: readFileSync(file) } };
}

// ---- the whole run ----

const started = Date.now();
console.log(
  `bench: ${peers.length} peers x ${scenarios.length} scenarios, ${settings.connections} connections, ` +
    `${settings.warmup} s warm-up + ${settings.duration} s, ${pinned ? 'servers on core 0, sandbox + autocannon on core 1' : 'no CPU pinning'}`,
);
const results = [];
let failures = 0;
for (const scenario of args['profile-only'] ? [] : scenarios) {
  for (const peer of peers) {
    try {
      const result = await run(peer, scenario);
      results.push(result);
      console.log(summary(result));
      if (result.serverLog)
        console.log(
          `  status codes ${JSON.stringify(result.statusCodes)}; the server's last output:\n${result.serverLog}`,
        );
      if (result.errors || result.badStatus || result.stateExhausted) failures++;
    } catch (error) {
      failures++;
      results.push({ peer: peer.name, scenario: scenario.name, failed: error.message });
      console.error(
        `${scenario.name.padEnd(SCENARIO_WIDTH)} ${peer.name.padEnd(PEER_WIDTH)} FAILED: ${error.message}`,
      );
    }
  }
}

// Not after a smoke: one second with no warm-up measures the tenants' first loads, not a cached tenant.
for (const t of smoke ? [] : tenantRatios(results)) {
  console.log(
    `${t.scenario.padEnd(SCENARIO_WIDTH)} tenants / fixed: req/s ${t.rps?.toFixed(3) ?? '-'}x, ` +
      `CPU per request ${t.cost?.toFixed(3) ?? '-'}x${t.met === false ? `  ABOVE THE ${t.limit}x LIMIT` : ''}${t.disturbed ? '  (disturbed: other processes)' : ''}`,
  );
}

// Our module, and its many-tenants mode beside it when that ran: where a tenant's login spends more.
const profiles = [];
if (profiling && args['keep-profiles']) mkdirSync(args['keep-profiles'], { recursive: true });
for (const peer of profiling ? peers.filter((p) => PROFILED.includes(p.name)) : []) {
  for (const scenario of SCENARIOS.filter((s) => s.name === 'callback' || s.name === 'redirect')) {
    const dir = mkdtempSync(
      join(args['keep-profiles'] ?? work, `prof-${peer.name}-${scenario.name}-`),
    );
    try {
      const result = await run(peer, scenario, { cpuProfDir: dir });
      const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
      if (!file) throw new Error('no .cpuprofile written');
      profiles.push({
        peer: peer.name,
        scenario: scenario.name,
        rps: result.rps,
        profile: JSON.parse(readFileSync(join(dir, file), 'utf8')),
      });
      console.log(
        `profiled ${peer.name} ${scenario.name} (${Math.round(result.rps)} req/s under --cpu-prof${args['keep-profiles'] ? `, kept in ${dir}` : ''})`,
      );
    } catch (error) {
      failures++;
      console.error(`profile ${peer.name} ${scenario.name} FAILED: ${error.message}`);
    }
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
if (writing) {
  const file = args.out ? resolve(args.out) : join(BENCH, 'RESULTS.md');
  // The hand-written notes between the markers survive a new run.
  const notes = existsSync(file)
    ? /<!-- notes -->[\s\S]*<!-- \/notes -->/.exec(readFileSync(file, 'utf8'))?.[0]
    : undefined;
  writeFileSync(
    file,
    writeResults({
      results,
      peers,
      scenarios,
      settings,
      pinned,
      profiles,
      machine,
      seconds,
      notes,
    }),
  );
  console.log(`bench: wrote ${file}`);
}
if (args['profile-only'])
  for (const p of profiles) console.log(`\n${p.peer} ${p.scenario}\n${profileText(p.profile)}`);
console.log(`bench: ${results.length} runs in ${seconds} s, ${failures} with errors`);
process.exit(failures ? 1 : 0);

function summary(r) {
  if (r.skipped)
    return `${r.scenario.padEnd(SCENARIO_WIDTH)} ${r.peer.padEnd(PEER_WIDTH)} skipped: ${r.skipped}`;
  const conn = r.newConnPerUpstream === null ? '-' : r.newConnPerUpstream.toFixed(3);
  return (
    `${r.scenario.padEnd(SCENARIO_WIDTH)} ${r.peer.padEnd(PEER_WIDTH)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
    `errors ${r.errors}  bad ${r.badStatus}  rss ${Math.round(r.peakRssKb / 1024)} MB  cpu ${Math.round(r.cpuPercent)}%  new conn/upstream ${conn}` +
    `  runner ${Math.round(r.runnerCpuPercent)}%` +
    (r.otherCpuPercent >= 10 ? `  OTHER PROCESSES ${Math.round(r.otherCpuPercent)}%` : '') +
    (r.stateExhausted ? `  STATE POOL RAN DRY x${r.stateExhausted}` : '')
  );
}
