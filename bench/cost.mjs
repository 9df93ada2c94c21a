// What a login costs, ours against nest-passport-axios (the asked-for stack: Nest, Passport,
// axios, no library) on the same adapter, in paired rounds (issue 33):
//
// - CPU per login and peak RSS, in `callback` and `callback-tls`, at a fixed arrival rate that
//   neither saturates (`--cpu-rate`): both servers do the same work a second, so the CPU each
//   spends per completed login compares the logins themselves, not how well each batches
//   work at saturation;
// - the latency of an open model (lib/open-loop.mjs) in `callback-tls-20ms` at `--rate`: TLS,
//   20 ms per WeChat request and per new connection, against the two round trips a login
//   costs at WeChat (40 ms).
//
// Each round runs both peers back to back per scenario, their order swapped every round, so
// that a drift of the machine falls on both; the verdicts take the median of the rounds'
// ratios. Our module's login states are minted on a second instance beforehand, as the matrix
// does, so the measured server only serves callbacks.
import { WxSandbox } from 'nest-wx-oauth/testing';
import { PEERS, SCENARIOS } from './lib/peers.mjs';
import { mintStates, requestFor, sanityCheck } from './lib/logins.mjs';
import { openLoop, openLoopAgent } from './lib/open-loop.mjs';
import { cpuWindow, peakRssKb, startServer } from './lib/processes.mjs';
import { writeSection } from './lib/results-file.mjs';
import { costSection } from './cost-report.mjs';

/** The pair per adapter: ours first, the reference second. */
const PAIRS = {
  express: ['nest-wx-oauth', 'nest-passport-axios'],
  fastify: ['nest-wx-oauth-fastify', 'nest-passport-axios-fastify'],
};

/** What every WeChat login costs at least on this harness, in the open model: node:http, no framework. */
const BASELINE = PEERS.find((p) => p.name === 'baseline');

/** What each scenario measures, and at which rate. */
const MEASURES = [
  { scenario: 'callback', measure: 'cpu' },
  { scenario: 'callback-tls', measure: 'cpu' },
  { scenario: 'callback-tls-20ms', measure: 'latency' },
];

/** Answers how many runs failed; writes the "Cost of a login" section when `resultsFile` is set. */
export async function runCost(context) {
  const { rounds, rate, cpuRate, adapters, duration, warmup, tls, resultsFile } = context;
  for (const adapter of adapters)
    if (!PAIRS[adapter]) throw new Error(`unknown adapter ${adapter}`);
  console.log(
    `bench --cost: ${rounds} paired rounds on ${adapters.join(', ')}; ${warmup} s warm-up + ${duration} s each; ` +
      `CPU at ${cpuRate} logins/s, open model at ${rate} logins/s`,
  );
  // A smoke runs each measure once: callback-tls measures as callback does.
  const measures = context.smoke ? MEASURES.filter((m) => m.scenario !== 'callback-tls') : MEASURES;
  const runs = [];
  let failures = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const adapter of adapters) {
      for (const { scenario: name, measure } of measures) {
        const scenario = SCENARIOS.find((s) => s.name === name);
        if (scenario.sandbox.tls && !tls) continue;
        const pair = PAIRS[adapter].map((peerName) => PEERS.find((p) => p.name === peerName));
        const peers = round % 2 ? pair : [...pair].reverse();
        // The latency's floor on this harness: node:http and no framework, once a round.
        const floor = measure === 'latency' && adapter === adapters[0] ? [BASELINE] : [];
        for (const peer of [...peers, ...floor]) {
          const at = measure === 'cpu' ? cpuRate : rate;
          const group = peer === BASELINE ? BASELINE.name : adapter;
          try {
            const run = await measureOpen(peer, scenario, at, context);
            runs.push({ ...run, round, adapter: group, measure });
            console.log(line(run, round));
            if (run.serverLog) console.log(`  the server's last output:\n${run.serverLog}`);
            if (run.bad) failures++;
          } catch (error) {
            failures++;
            runs.push({
              peer: peer.name,
              scenario: name,
              round,
              adapter: group,
              measure,
              failed: error.message,
            });
            console.error(`round ${round} ${name} ${peer.name} FAILED: ${error.message}`);
          }
        }
      }
    }
  }
  const section = costSection({ runs, context, pairs: PAIRS });
  console.log(section.console);
  if (resultsFile) {
    writeSection(resultsFile, 'cost', section.markdown);
    console.log(`bench --cost: wrote its section of ${resultsFile}`);
  }
  return failures;
}

/** One peer in one scenario at `rate` logins a second: warm-up, then the measured window. */
async function measureOpen(peer, scenario, rate, { bench, tls, duration, warmup }) {
  const sandbox = await WxSandbox.start({
    ...scenario.sandbox,
    tls: scenario.sandbox.tls ? tls.pem : undefined,
  });
  const caFile = scenario.sandbox.tls ? tls.file : undefined;
  let server;
  let minter;
  try {
    server = await startServer(peer, sandbox, { cwd: bench, caFile });
    await sanityCheck(peer, scenario, sandbox, server.url);
    const states = [];
    let exhausted = 0;
    if (peer.state) {
      minter = await startServer(peer, sandbox, { cwd: bench, caFile });
      // Every arrival spends one, and a Poisson process runs over its mean now and then.
      const count = Math.ceil(rate * (warmup + duration) * 1.1) + 200;
      await mintStates(peer, minter.url, count, states, { connections: 20 });
      await minter.stop();
      minter = undefined;
    }
    const next = requestFor(peer, scenario, sandbox, states, () => exhausted++);
    const agent = openLoopAgent();
    const ok = (status) => status === 200;
    if (warmup > 0)
      await openLoop({ url: server.url, rate, duration: warmup, next, seed: 7, agent, ok });
    sandbox.resetStats();
    const cpu = cpuWindow(server.pid);
    const load = await openLoop({ url: server.url, rate, duration, next, seed: 11, agent, ok });
    const { serverSeconds, runnerSeconds, otherSeconds } = cpu.lap();
    agent.destroy();
    const stats = sandbox.stats;
    const upstream = stats.requests.access_token + stats.requests.userinfo;
    const bad = load.sent - load.completed + exhausted;
    return {
      peer: peer.name,
      scenario: scenario.name,
      rate,
      sent: load.sent,
      completed: load.completed,
      statuses: load.statuses,
      errors: load.errors,
      timeouts: load.timeouts,
      retried: load.retried,
      p50: load.p50,
      p99: load.p99,
      max: load.max,
      lagP99: load.lagP99,
      cpuUsPerLogin: load.completed ? (1e6 * serverSeconds) / load.completed : null,
      cpuPercent: (100 * serverSeconds) / duration,
      runnerCpuPercent: (100 * runnerSeconds) / duration,
      otherCpuPercent: (100 * otherSeconds) / duration,
      startRssKb: server.startRssKb,
      peakRssKb: peakRssKb(server.pid),
      newConnPerUpstream: upstream ? stats.connections / upstream : null,
      stateExhausted: exhausted,
      bad,
      failures: load.failures,
      serverLog: bad ? server.log().slice(-2000) : undefined,
    };
  } finally {
    await Promise.all([server?.stop(), minter?.stop()]);
    await sandbox.close();
  }
}

function line(r, round) {
  const ms = (v) => (v === null ? '-' : v.toFixed(1));
  return (
    `round ${round} ${r.scenario.padEnd(17)} ${r.peer.padEnd(27)} ${r.rate}/s: ${r.completed}/${r.sent} ok, ` +
    `p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, CPU ${r.cpuUsPerLogin?.toFixed(0) ?? '-'} µs/login (${Math.round(r.cpuPercent)}% of a core), ` +
    `peak RSS ${Math.round(r.peakRssKb / 1024)} MB, lag p99 ${ms(r.lagP99)} ms, ` +
    `new conn/upstream ${r.newConnPerUpstream?.toFixed(3) ?? '-'}` +
    (r.otherCpuPercent >= 10 ? `, OTHER PROCESSES ${Math.round(r.otherCpuPercent)}%` : '') +
    (r.retried ? `, ${r.retried} sent again after a keep-alive reset` : '') +
    (r.bad ? `, ${r.bad} FAILED: ${r.failures.join(' | ')}` : '')
  );
}
