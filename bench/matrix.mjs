// The matrix: for each peer and scenario, a fresh server process pinned to core 0, loaded by
// autocannon (a closed loop of `connections` connections) against the WeChat sandbox, both
// in this process on core 1; then our module again under --cpu-prof. Writes the main
// tables of bench/RESULTS.md (report.mjs).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { SCENARIOS } from './lib/peers.mjs';
import { mintStates, requestFor, sanityCheck, tenantApps } from './lib/logins.mjs';
import { cpuWindow, peakRssKb, startServer } from './lib/processes.mjs';
import { profileText, tenantRatios } from './report.mjs';

/** The peers a run profiles (`--cpu-prof`), when selected. */
const PROFILED = ['nest-wx-oauth', 'nest-wx-oauth-tenants'];

/** Login states minted per second of warm-up: more than any peer serves callbacks on one core. */
const WARMUP_STATES_PER_S = 15_000;

/**
 * Every peer in every scenario, then the profiles; answers the results, the profiles and how many
 * runs failed. `context`: `{ bench, settings, tls, work, smoke, profiling, keepProfiles, profileOnly }`.
 */
export async function runMatrix(peers, scenarios, context) {
  const { smoke } = context;
  const nameWidth = Math.max(...peers.map((p) => p.name.length));
  const scenarioWidth = Math.max(...SCENARIOS.map((s) => s.name.length));
  const results = [];
  let failures = 0;
  for (const scenario of context.profileOnly ? [] : scenarios) {
    for (const peer of peers) {
      try {
        const result = await run(peer, scenario, context);
        results.push(result);
        console.log(summary(result, nameWidth, scenarioWidth));
        if (result.serverLog)
          console.log(
            `  status codes ${JSON.stringify(result.statusCodes)}; the server's last output:\n${result.serverLog}`,
          );
        if (result.errors || result.badStatus || result.stateExhausted) failures++;
      } catch (error) {
        failures++;
        results.push({ peer: peer.name, scenario: scenario.name, failed: error.message });
        console.error(
          `${scenario.name.padEnd(scenarioWidth)} ${peer.name.padEnd(nameWidth)} FAILED: ${error.message}`,
        );
      }
    }
  }

  // Not after a smoke: one second with no warm-up measures the tenants' first loads, not a cached tenant.
  for (const t of smoke ? [] : tenantRatios(results)) {
    console.log(
      `${t.scenario.padEnd(scenarioWidth)} tenants / fixed: req/s ${t.rps?.toFixed(3) ?? '-'}x, ` +
        `CPU per request ${t.cost?.toFixed(3) ?? '-'}x${t.met === false ? `  ABOVE THE ${t.limit}x LIMIT` : ''}${t.disturbed ? '  (disturbed: other processes)' : ''}`,
    );
  }

  // Our module, and its many-tenants mode beside it when that ran: where a tenant's login spends more.
  const profiles = [];
  if (context.profiling && context.keepProfiles)
    mkdirSync(context.keepProfiles, { recursive: true });
  for (const peer of context.profiling ? peers.filter((p) => PROFILED.includes(p.name)) : []) {
    for (const scenario of SCENARIOS.filter(
      (s) => s.name === 'callback' || s.name === 'redirect',
    )) {
      const dir = mkdtempSync(
        join(context.keepProfiles ?? context.work, `prof-${peer.name}-${scenario.name}-`),
      );
      try {
        const result = await run(peer, scenario, { ...context, cpuProfDir: dir });
        const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
        if (!file) throw new Error('no .cpuprofile written');
        profiles.push({
          peer: peer.name,
          scenario: scenario.name,
          rps: result.rps,
          profile: JSON.parse(readFileSync(join(dir, file), 'utf8')),
        });
        console.log(
          `profiled ${peer.name} ${scenario.name} (${Math.round(result.rps)} req/s under --cpu-prof${context.keepProfiles ? `, kept in ${dir}` : ''})`,
        );
      } catch (error) {
        failures++;
        console.error(`profile ${peer.name} ${scenario.name} FAILED: ${error.message}`);
      }
    }
  }
  if (context.profileOnly)
    for (const p of profiles) console.log(`\n${p.peer} ${p.scenario}\n${profileText(p.profile)}`);
  return { results, profiles, failures };
}

// ---- one peer, one scenario ----

async function run(peer, scenario, { bench, settings, tls, cpuProfDir }) {
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
  const { connections } = settings;
  let server;
  let minter;
  try {
    server = await startServer(peer, sandbox, { cwd: bench, cpuProfDir, caFile });
    const base = server.url;
    await sanityCheck(peer, scenario, sandbox, base);
    // Logins are started on a second instance of the same app, as behind a load balancer:
    // the state cookie is signed with a key both derive from the secret, so the measured
    // server spends nothing (CPU, memory, profile samples) on minting.
    if (needsStates) minter = await startServer(peer, sandbox, { cwd: bench, caFile });
    const states = [];
    let exhausted = 0;
    const nextRequest = requestFor(peer, scenario, sandbox, states, () => exhausted++);

    let warmRate = 0;
    // With tenants, the warm-up's first round of logins loads each tenant once: the window sees
    // them all cached (tenants.cacheTtl, 60 s, outlasts warm-up, minting and window at the default durations).
    if (settings.warmup > 0) {
      if (needsStates)
        await mintStates(peer, minter.url, settings.warmup * WARMUP_STATES_PER_S, states, {
          connections,
        });
      const warm = await load(base, nextRequest, { duration: settings.warmup, connections });
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
        { connections },
      );
      exhausted = 0;
    }

    sandbox.resetStats();
    const cpu = cpuWindow(server.pid);
    const result = await load(base, nextRequest, { duration: settings.duration, connections });
    const { serverSeconds, runnerSeconds, otherSeconds } = cpu.lap();
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
      cpuPercent: (100 * serverSeconds) / result.duration,
      runnerCpuPercent: (100 * runnerSeconds) / result.duration,
      otherCpuPercent: (100 * otherSeconds) / result.duration,
      upstreamRequests: upstream,
      upstreamConnections: stats.connections,
      upstreamPerRequest: result.requests.total ? upstream / result.requests.total : 0,
      newConnPerUpstream: upstream ? stats.connections / upstream : null,
      // What a login costs the server, comparable also where latency, not CPU, bounds req/s.
      cpuUsPerRequest: result.requests.total ? (1e6 * serverSeconds) / result.requests.total : null,
      stateExhausted: exhausted,
      serverLog: badStatus || result.errors ? server.log().slice(-2000) : undefined,
    };
  } finally {
    await Promise.all([server?.stop(), minter?.stop()]);
    await sandbox.close();
  }
}

function load(url, next, { duration, connections }) {
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      typeof next === 'function'
        ? { setupRequest: (request) => ({ ...request, ...next() }) }
        : next,
    ],
  });
}

function summary(r, nameWidth, scenarioWidth) {
  if (r.skipped)
    return `${r.scenario.padEnd(scenarioWidth)} ${r.peer.padEnd(nameWidth)} skipped: ${r.skipped}`;
  const conn = r.newConnPerUpstream === null ? '-' : r.newConnPerUpstream.toFixed(3);
  return (
    `${r.scenario.padEnd(scenarioWidth)} ${r.peer.padEnd(nameWidth)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
    `errors ${r.errors}  bad ${r.badStatus}  rss ${Math.round(r.peakRssKb / 1024)} MB  cpu ${Math.round(r.cpuPercent)}%  new conn/upstream ${conn}` +
    `  runner ${Math.round(r.runnerCpuPercent)}%` +
    (r.otherCpuPercent >= 10 ? `  OTHER PROCESSES ${Math.round(r.otherCpuPercent)}%` : '') +
    (r.stateExhausted ? `  STATE POOL RAN DRY x${r.stateExhausted}` : '')
  );
}
