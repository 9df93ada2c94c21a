// The soak (`--soak MINUTES`): one server with every login kind (servers/nest-wx-oauth-soak.ts)
// under a steady arrival rate of mixed logins (flows.mjs), WeChat failing now and then, sampled
// every interval over IPC (servers/probe.ts) and from /proc; fails when a login gets an answer
// it must not, the server dies, or a measure grows (growth.mjs). Writes the samples (JSON), the
// plot of memory over time (SVG) and its section of RESULTS.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { poissonGaps } from '../lib/open-loop.mjs';
import { cpuWindow, startServer } from '../lib/processes.mjs';
import { writeSection } from '../lib/results-file.mjs';
import { APPIDS, FAULTS, Flow, Tally, arrivals, soakApps, soakUsers } from './flows.mjs';
import { judgeGrowth } from './growth.mjs';
import { plotMemory } from './plot.mjs';
import { round, show, soakSection } from './soak-report.mjs';

/** How many test users log in: each has a few records (tokens, a session key) that live long. */
const USER_COUNT = 200;
/** The official account's message push, between the sandbox and the soak app only. */
const PUSH = {
  token: 'soakPushToken42',
  encodingAesKey: 'soakAesKey0123456789abcdefghijklmnopqrstuvw',
};
/** The SPA's origin: nobody serves it, the handoff is redeemed as its page would. */
const FRONTEND = 'http://spa.localhost:5173';
/** Logins in flight past which the server is taken for stuck and the soak stops. */
const MAX_IN_FLIGHT = 5000;

export const SAMPLES_FILE = 'soak-samples.json';
export const PLOT_FILE = 'soak-memory.svg';

/** Answers 1 when the soak failed, else 0. */
export async function runSoak(context) {
  const { minutes, rate, sampleEvery, growthCheck, smoke } = context;
  const durationMs = Math.round(minutes * 60_000);
  const warmupMs =
    context.warmupMinutes === undefined
      ? Math.max(120_000, durationMs / 5)
      : context.warmupMinutes * 60_000;
  const faultEveryMs = smoke ? 4000 : 20_000;
  console.log(
    `bench --soak: ${minutes.toFixed(2)} min at ${rate} logins/s, a sample every ${sampleEvery} s, ` +
      `${growthCheck ? `growth judged after ${(warmupMs / 60_000).toFixed(1)} min of warm-up` : 'growth not judged'}`,
  );
  const sandbox = await WxSandbox.start({ apps: soakApps(), users: soakUsers(USER_COUNT) });
  const tally = new Tally();
  const samples = [];
  let server;
  let died;
  let stopping = false;
  let load;
  let faults;
  try {
    server = await startSoakServer(sandbox, context.bench);
    void server.exited.then((how) => {
      if (!stopping) died = how;
    });
    sandbox.setMessagePush(APPIDS.officialAccount, { url: `${server.url}/wechat/events`, ...PUSH });
    faults = injectFaults(sandbox, faultEveryMs);
    const alive = () => died === undefined;
    load = startLoad({ server, sandbox, rate, tally, faults, alive });
    const sample = sampler(server, tally, load);
    const start = performance.now();
    samples.push(await sample(0));
    for (let t = sampleEvery * 1000; t <= durationMs && alive() && !load.stuck;) {
      await sleep(Math.max(0, t - (performance.now() - start)));
      if (alive()) samples.push(await sample(t));
      t += sampleEvery * 1000;
    }
  } finally {
    faults?.stop();
    await load?.stop();
    stopping = true;
    await server?.stop();
    await sandbox.close();
  }

  const verdict = growthCheck
    ? judgeGrowth(samples, warmupMs)
    : { judged: false, reason: 'the growth check is off', measures: [] };
  const problems = problemsOf({ verdict, tally, faults, load, died, server });
  const report = {
    minutes,
    rate,
    sampleEvery,
    warmupMs,
    faultEveryMs,
    faultsInjected: faults.count(),
    users: USER_COUNT,
    machine: context.machine,
    pinned: context.pinned,
    verdict,
    tally,
    problems,
    samples,
  };
  writeArtefacts(report, context);
  printSummary(report);
  return problems.length ? 1 : 0;
}

/** The soak's app, given the sandbox's five apps, its message push, and the SPA's origin. */
function startSoakServer(sandbox, bench) {
  const credentials = (prefix, appid) => ({
    [`WX_${prefix}_APPID`]: appid,
    [`WX_${prefix}_SECRET`]: sandbox.app(appid).secret,
  });
  return startServer(
    { name: 'nest-wx-oauth-soak', script: 'dist/nest-wx-oauth-soak.js' },
    sandbox,
    {
      cwd: bench,
      ipc: true,
      nodeArgs: ['--expose-gc'],
      env: {
        ...credentials('MP', APPIDS.officialAccount),
        ...credentials('WEB', APPIDS.website),
        ...credentials('MINI', APPIDS.miniProgram),
        ...credentials('MOBILE', APPIDS.mobileApp),
        ...credentials('MULTIEND', APPIDS.multiEndApp),
        WX_MP_TOKEN: PUSH.token,
        WX_MP_AES_KEY: PUSH.encodingAesKey,
        WX_MP_BASE_URL: sandbox.url,
        SOAK_FRONTEND_ORIGIN: FRONTEND,
      },
    },
  );
}

/** WeChat fails now and then: every `everyMs`, a fault on the next call to one endpoint, in turn. */
function injectFaults(sandbox, everyMs) {
  let count = 0;
  const timer = setInterval(() => {
    const { endpoint, fault } = FAULTS[count % FAULTS.length];
    sandbox.inject(fault, { endpoint, times: 1 });
    count++;
  }, everyMs);
  return { count: () => count, stop: () => clearInterval(timer) };
}

/**
 * The arrivals: a Poisson process at `rate`, each a login of a kind picked by weight, never
 * waiting for another. `stop()` ends them and waits (20 s at most) for those in flight.
 */
function startLoad({ server, sandbox, rate, tally, faults, alive }) {
  const next = arrivals(20_240_601, USER_COUNT);
  const gap = poissonGaps(42, rate);
  const inFlight = new Set();
  const state = { stopped: false, stuck: false };
  const start = performance.now();
  const running = (async () => {
    let due = gap();
    while (!state.stopped && alive()) {
      const wait = due - (performance.now() - start);
      if (wait >= 1) await sleep(Math.floor(wait));
      for (; due <= performance.now() - start && !state.stopped; due += gap()) {
        if (inFlight.size >= MAX_IN_FLIGHT) {
          state.stuck = state.stopped = true;
          break;
        }
        const { kind, user, client } = next();
        tally.of(kind.name).arrivals++;
        const flow = new Flow({
          url: server.url,
          sandbox,
          frontend: FRONTEND,
          user,
          client,
          tally,
          kind: kind.name,
          faultsInjected: faults.count,
        });
        const login = kind.run(flow).catch((error) => flow.unexpected(error.message));
        inFlight.add(login);
        void login.then(() => inFlight.delete(login));
      }
    }
  })();
  return {
    inFlight,
    get stuck() {
      return state.stuck;
    },
    async stop() {
      state.stopped = true;
      await running;
      await Promise.race([Promise.all(inFlight), sleep(20_000)]);
    },
  };
}

/** Takes a sample at `t` ms: the server's probe, its CPU and other processes' since the last, the logins so far. */
function sampler(server, tally, load) {
  const cpu = cpuWindow(server.pid);
  return async (t) => {
    const { sample } = await server.ask({ type: 'sample' });
    // otherSeconds: CPU that neither the server nor this runner used, which disturbs the delay.
    const { serverSeconds, otherSeconds } = cpu.lap();
    const totals = tally.total();
    const taken = {
      t,
      ...sample,
      cpuSeconds: serverSeconds,
      otherCpuSeconds: otherSeconds,
      arrivals: totals.arrivals,
      completed: totals.completed,
      unexpected: totals.unexpected,
      wechatFaults: totals.wechatFaults,
      inFlight: load.inFlight.size,
    };
    console.log(
      `  ${(t / 60_000).toFixed(2).padStart(6)} min  rss ${mb(taken.rss)} MB  heap ${mb(taken.heapUsed)} MB  live ${mb(taken.liveHeap)} MB  ` +
        `delay p99 ${taken.delayP99.toFixed(1)} ms  handles ${taken.handles}  store ${taken.storeKeys}  ` +
        `logins ${taken.completed}  unexpected ${taken.unexpected}  in flight ${taken.inFlight}`,
    );
    return taken;
  };
}

/** Why the soak fails, if it does. */
function problemsOf({ verdict, tally, faults, load, died, server }) {
  const totals = tally.total();
  // Each injected failure fails one call to WeChat, which at most two answers share (a duplicate callback's).
  const faultsAllowed = 2 * faults.count();
  const grew = verdict.judged ? verdict.measures.filter((m) => m.grew) : [];
  return [
    ...(totals.wechatFaults > faultsAllowed
      ? [
          `${totals.wechatFaults} answers of 502 or 504 for ${faults.count()} failures injected into WeChat`,
        ]
      : []),
    ...(died !== undefined ? [`the server exited (${died}):\n${server.log().slice(-2000)}`] : []),
    ...(load.stuck
      ? [`more than ${MAX_IN_FLIGHT} logins in flight: the server stopped answering`]
      : []),
    ...(totals.unexpected
      ? [
          `${totals.unexpected} answers the logins must not get, e.g.:\n  ${tally.examples.join('\n  ')}`,
        ]
      : []),
    ...grew.map(
      (m) =>
        `${m.label} grew: last third's median ${show(m, m.last)} against the middle third's ${show(m, m.middle)}, more than the ${show(m, m.allowed)} allowed`,
    ),
  ];
}

/** The samples, the plot, and with `resultsFile` the soak's section of it. */
function writeArtefacts(report, { artefactDir, resultsFile }) {
  writeFileSync(join(artefactDir, SAMPLES_FILE), samplesJson(report));
  writeFileSync(
    join(artefactDir, PLOT_FILE),
    plotMemory(report.samples, {
      title: `nest-wx-oauth soak: ${round(report.minutes)} min at ${report.rate} logins/s (${report.tally.total().completed} logins)`,
      warmupMs: report.warmupMs,
      verdict: report.verdict,
    }),
  );
  if (!resultsFile) return;
  writeSection(
    resultsFile,
    'soak',
    soakSection(report, { plot: PLOT_FILE, samples: SAMPLES_FILE }),
  );
  console.log(
    `bench --soak: wrote ${join(artefactDir, PLOT_FILE)}, ${SAMPLES_FILE} and its section of ${resultsFile}`,
  );
}

function printSummary({ verdict, tally, problems }) {
  if (verdict.judged && Math.max(verdict.otherCpu.middle, verdict.otherCpu.last) >= 10)
    console.log(
      `  DISTURBED: other processes used ${verdict.otherCpu.middle.toFixed(0)}% of a core in the middle third, ${verdict.otherCpu.last.toFixed(0)}% in the last`,
    );
  for (const m of verdict.measures)
    console.log(
      `  ${m.label}: middle ${show(m, m.middle)}, last ${show(m, m.last)} (allowed +${show(m, m.allowed)}), ${show(m, m.perHour)} per hour${m.grew ? '  GREW' : ''}`,
    );
  if (!verdict.judged) console.log(`  growth not judged: ${verdict.reason}`);
  const totals = tally.total();
  console.log(
    `bench --soak: ${totals.arrivals} logins arrived, ${totals.completed} completed, ${totals.refused} refused as they must be, ` +
      `${totals.wechatFaults} failed with WeChat's injected failures, ${totals.unexpected} unexpected`,
  );
  for (const problem of problems) console.error(`bench --soak FAILED: ${problem}`);
}

/** The report as JSON, one sample per object (what Prettier leaves as it is). */
function samplesJson(report) {
  const { tally, ...rest } = report;
  return (
    JSON.stringify(
      {
        ...rest,
        kinds: Object.fromEntries(tally.kinds),
        examples: Object.fromEntries(tally.examples.map((e, i) => [i, e])),
        problems: Object.fromEntries(report.problems.map((p, i) => [i, p])),
      },
      null,
      2,
    ) + '\n'
  );
}

const mb = (bytes) => (bytes === null ? '-' : (bytes / 1024 / 1024).toFixed(1));
