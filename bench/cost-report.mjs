// The "Cost of a login" section of RESULTS.md (cost.mjs): the medians of the paired rounds,
// and issue 33's targets against nest-passport-axios and WeChat's two round trips.

/** Ours at most this many times nest-passport-axios's CPU per login (callback, callback-tls). */
const CPU_LIMIT = 1.15;
/** Ours at most this many times nest-passport-axios's peak RSS, in every scenario. */
const RSS_LIMIT = 1.2;
/** The open model's p50 and p99 at most these many times WeChat's two round trips. */
const LATENCY_LIMITS = { p50: 1.05, p99: 1.25 };
/** WeChat's latency per request in the open model's scenario (callback-tls-20ms). */
const WECHAT_MS = 20;

export function costSection({ runs, context, pairs }) {
  const { machine, rounds, rate, cpuRate, duration, warmup, pinned, adapters } = context;
  const ok = runs.filter((r) => !r.failed);
  const of = (adapter, scenario, peer) =>
    ok.filter((r) => r.adapter === adapter && r.scenario === scenario && r.peer === peer);
  const scenarios = [...new Set(ok.map((r) => r.scenario))];
  const rows = [];
  const targets = [];
  const roundTrips = 2 * WECHAT_MS;
  for (const adapter of adapters) {
    const [ours, ref] = pairs[adapter];
    for (const scenario of scenarios) {
      const floor = adapter === adapters[0] ? [['baseline', 'baseline']] : [];
      for (const [group, peer] of [[adapter, ours], [adapter, ref], ...floor]) {
        const list = of(group, scenario, peer);
        if (!list.length) continue;
        const m = (key) => median(list.map((r) => r[key]));
        rows.push(
          `| ${group === 'baseline' ? 'node:http' : group} | ${scenario} | ${peer === ours ? `**${peer}**` : `_${peer}_`} | ${list[0].rate} | ` +
            `${sum(list, 'completed')}/${sum(list, 'sent')} | ${fixed(m('p50'))} | ${fixed(m('p99'))} | ` +
            `${fixed(m('cpuUsPerLogin'), 0)} | ${fixed(m('cpuPercent'), 0)} | ${mb(m('startRssKb'))} → ${mb(m('peakRssKb'))} | ` +
            `${list.map((r) => fixed(r.cpuUsPerLogin, 0)).join(', ')} |`,
        );
      }
      const paired = pairsOf(of(adapter, scenario, ours), of(adapter, scenario, ref));
      const ratioTarget = (name, key, limit) => {
        const ratios = paired.map(([a, b]) => (a[key] && b[key] ? a[key] / b[key] : null));
        const value = median(ratios.filter((x) => x !== null));
        targets.push({
          adapter,
          name,
          measured:
            value === null
              ? 'n/a'
              : `${value.toFixed(2)}× (rounds: ${ratios.map((x) => fixed(x, 2)).join(', ')})`,
          met: value === null ? null : value <= limit,
          disturbed: paired.flat().some((r) => r.otherCpuPercent >= 10),
        });
      };
      if (scenario === 'callback' || scenario === 'callback-tls')
        ratioTarget(
          `${scenario}: CPU per login ≤ ${CPU_LIMIT}× ${ref}'s`,
          'cpuUsPerLogin',
          CPU_LIMIT,
        );
      ratioTarget(`${scenario}: peak RSS ≤ ${RSS_LIMIT}× ${ref}'s`, 'peakRssKb', RSS_LIMIT);
      if (scenario === 'callback-tls-20ms') {
        const list = of(adapter, scenario, ours);
        const reference = of(adapter, scenario, ref);
        const floor = of('baseline', scenario, 'baseline');
        for (const [key, times] of Object.entries(LATENCY_LIMITS)) {
          const value = median(list.map((r) => r[key]));
          const theirs = median(reference.map((r) => r[key]));
          const least = median(floor.map((r) => r[key]));
          const limit = roundTrips * times;
          targets.push({
            adapter,
            name: `${scenario} at ${rate}/s (open model): ${key} ≤ ${times}× WeChat's two round trips (≤ ${limit} ms)`,
            measured:
              value === null
                ? 'n/a'
                : `${value.toFixed(1)} ms = ${(value / roundTrips).toFixed(2)}× ${roundTrips} ms (${ref}: ${fixed(theirs)} ms = ${fixed(theirs / roundTrips, 2)}×; ` +
                  `baseline, node:http: ${fixed(least)} ms = ${fixed(least / roundTrips, 2)}×)`,
            met: value === null ? null : value <= limit,
            disturbed: [...list, ...reference].some((r) => r.otherCpuPercent >= 10),
          });
        }
      }
    }
  }
  const failed = runs.filter((r) => r.failed || r.bad);
  const disturbed = ok.filter((r) => r.otherCpuPercent >= 10);
  const verdict = (t) =>
    `${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'}${t.disturbed ? ' (disturbed)' : ''}`;
  const markdown = [
    '## Cost of a login (issue 33: `--cost`)',
    '',
    `\`node bench/run.mjs --cost\`, run ${machine.date} on ${machine.nproc} cores (${machine.cpu}, node ${machine.node}); ` +
      `${pinned ? 'each server pinned to core 0, the sandbox and the load to core 1' : '**no CPU pinning**'}. ` +
      `Our module against \`nest-passport-axios\` (a minimal passport-oauth2 strategy behind \`AuthGuard\`, WeChat's two calls on a tuned axios instance: the asked-for stack without the library) on the same adapter, ` +
      `in ${rounds} paired rounds (both peers back to back per scenario, their order swapped each round); ${warmup} s warm-up then ${duration} s measured per run. ` +
      `The load is an open model: logins arrive as a Poisson process at a fixed rate (the same seeded sequence for both peers) on a keep-alive pool with no connection limit, ` +
      `and a login's latency runs from when it was due to the end of its answer (bench/README.md says why not autocannon). ` +
      `\`callback\` and \`callback-tls\` run at ${cpuRate} logins/s, below either peer's saturation, for the CPU per login; ` +
      `\`callback-tls-20ms\` (TLS, ${WECHAT_MS} ms per WeChat request and per new connection) at ${rate} logins/s for the latency, ` +
      "where `baseline` (node:http, no framework) runs too, once a round: the floor of this harness (the sandbox's timers and TLS, the server's two calls).",
    '',
    '| adapter | scenario | peer | logins/s | completed | p50 ms | p99 ms | CPU µs / login | CPU % of a core | RSS start → peak MB | CPU µs / login per round |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
    ...rows,
    '',
    'Medians of the rounds; "completed" adds up the rounds. CPU is the server\'s utime+stime over the measured window (/proc) divided by the logins it completed; ' +
      "peak RSS is VmHWM over the server's life (start, warm-up and window).",
    '',
    "| adapter | target | measured (median of the rounds' ratios) | met |",
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.adapter} | ${t.name} | ${t.measured} | ${verdict(t)} |`),
    '',
    ...(disturbed.length
      ? [
          `**Disturbed**: other processes used CPU during ${disturbed.map((r) => `round ${r.round} ${r.scenario}/${r.peer} (${Math.round(r.otherCpuPercent)}% of a core)`).join(', ')}; rerun on a quiet machine.`,
          '',
        ]
      : []),
    ...(failed.length
      ? [
          `**Failed**: ${failed.map((r) => `round ${r.round} ${r.scenario}/${r.peer}: ${r.failed ?? `${r.bad} logins not answered 200 (${JSON.stringify(r.statuses)})`}`).join('; ')}.`,
          '',
        ]
      : []),
  ].join('\n');
  const consoleText = targets
    .map(
      (t) =>
        `${t.adapter} ${t.name}: ${t.measured}${t.met === false ? '  MISSED' : ''}${t.disturbed ? ' (disturbed)' : ''}`,
    )
    .join('\n');
  return { markdown, console: consoleText };
}

/** Our runs and the reference's of the same rounds, matched by round. */
function pairsOf(ours, refs) {
  return ours
    .map((a) => [a, refs.find((b) => b.round === a.round)])
    .filter(([, b]) => b !== undefined);
}

export function median(values) {
  const list = values.filter((v) => v !== null && v !== undefined && !Number.isNaN(v));
  if (!list.length) return null;
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const sum = (list, key) => list.reduce((total, r) => total + r[key], 0);
const fixed = (value, digits = 1) =>
  value === null || value === undefined ? '–' : value.toFixed(digits);
const mb = (kb) => (kb === null ? '–' : (kb / 1024).toFixed(0));
