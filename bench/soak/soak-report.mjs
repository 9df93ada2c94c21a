// The soak's section of RESULTS.md: what ran, the plot, the verdict, a row per minute and the
// logins by kind.
import { KINDS } from './flows.mjs';
import { median } from './growth.mjs';

const MB = 1024 * 1024;

export function soakSection(report, { plot, samples: samplesFile }) {
  const { minutes, rate, sampleEvery, warmupMs, faultEveryMs, users, machine, pinned, verdict } =
    report;
  const totals = report.tally.total();
  const ok = report.problems.length === 0;
  const lines = [
    '## Soak (issue 33: `--soak MINUTES`)',
    '',
    `\`node bench/run.mjs --soak ${round(minutes)}\`, run ${machine.date} on ${machine.nproc} cores (${machine.cpu}, node ${machine.node}); ` +
      `${pinned ? 'the server pinned to core 0, the sandbox and the load to core 1' : '**no CPU pinning**'}. ` +
      `One server, \`servers/nest-wx-oauth-soak.ts\`: every login kind of the module on Express with the memory store, its login records living a minute. ` +
      `Logins arrive as a Poisson process at ${rate} a second, ${users} users, of ${KINDS.length} kinds (below): browsers inside WeChat and on a desktop, WeChat's duplicate callback, an SPA's handoff, the follow login, the mini-program, native and multi-end apps, ` +
      `with logins left unfinished, refused, replayed and bad, and one of WeChat's calls failing every ${faultEveryMs / 1000} s (${report.faultsInjected} in all). ` +
      `A sample every ${sampleEvery} s (RSS; heap used, and live after a full collection; event-loop delay; open handles; store entries; the server's CPU). ` +
      `A measure grows when the median of the last third of the samples after the ${round(warmupMs / 60_000)}-minute warm-up exceeds the middle third's by more than its tolerance (bench/README.md). ` +
      `The samples: [${samplesFile}](${samplesFile}).`,
    '',
    `![RSS and heap of the soak's server over time](${plot})`,
    '',
    ok
      ? `**No growth**: ${verdict.judged ? 'every measure held' : `not judged (${verdict.reason})`}; ${totals.completed} logins completed, no answer a login must not get.`
      : `**FAILED**: ${report.problems.map((p) => p.split('\n')[0]).join('; ')}.`,
    '',
  ];
  const disturbed = verdict.judged ? Math.max(verdict.otherCpu.middle, verdict.otherCpu.last) : 0;
  if (disturbed >= 10)
    lines.push(
      `**Disturbed**: other processes used ${verdict.otherCpu.middle.toFixed(0)}% of a core in the middle third and ${verdict.otherCpu.last.toFixed(0)}% in the last: the event-loop delay, the handles (requests in flight) and the CPU are unreliable; rerun on a quiet machine.`,
      '',
    );
  if (verdict.judged)
    lines.push(
      '| measure | middle third, median | last third, median | growth | allowed | slope over the window, per hour | grew |',
      '|---|--:|--:|--:|--:|--:|---|',
      ...verdict.measures.map(
        (m) =>
          `| ${m.label} | ${show(m, m.middle)} | ${show(m, m.last)} | ${show(m, m.growth)} | ${show(m, m.allowed)} | ${show(m, m.perHour)} | ${m.grew ? '**yes**' : 'no'} |`,
      ),
      '',
    );
  lines.push(
    "| minute | logins completed /s | RSS MB | heap used MB | live heap MB | event-loop delay p50 / p99 / max ms | open handles | store entries | server CPU % | other processes' CPU % |",
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...minuteRows(report.samples).map(
      (r) =>
        `| ${r.minute} | ${r.rate === null ? '–' : r.rate.toFixed(1)} | ${mb(r.rss)} | ${mb(r.heapUsed)} | ${mb(r.liveHeap)} | ` +
        `${r.delayP50.toFixed(1)} / ${r.delayP99.toFixed(1)} / ${r.delayMax.toFixed(0)} | ${r.handles} | ${r.storeKeys} | ${r.cpu === null ? '–' : r.cpu.toFixed(0)} | ${r.other === null ? '–' : r.other.toFixed(0)} |`,
    ),
    '',
    'Memory, handles and store entries as sampled at the end of the minute; the delay over the minute (the median of its p50s, the highest p99 and maximum); ' +
      "logins/s and CPU over the minute. The probe's full collection falls into the next interval's maximum delay.",
    '',
    "| login kind | arrivals | completed | refused, as they must be | failed with WeChat's injected failure | unexpected |",
    '|---|--:|--:|--:|--:|--:|',
    ...KINDS.map((kind) => {
      const k = report.tally.of(kind.name);
      return `| ${kind.name} | ${k.arrivals} | ${k.completed} | ${k.refused} | ${k.wechatFaults} | ${k.unexpected} |`;
    }),
    `| **all** | ${totals.arrivals} | ${totals.completed} | ${totals.refused} | ${totals.wechatFaults} | ${totals.unexpected} |`,
    '',
  );
  return lines.join('\n');
}

/** One row per minute: the last sample in it, the delay and rates over it; minute 0 is the start. */
export function minuteRows(samples) {
  const rows = [];
  let previous;
  for (const sample of samples) {
    const minute = Math.ceil(sample.t / 60_000);
    if (!rows.length || rows.at(-1).minute !== minute)
      rows.push({ minute, samples: [], before: previous });
    rows.at(-1).samples.push(sample);
    previous = sample;
  }
  return rows.map(({ minute, samples: group, before }) => {
    const last = group.at(-1);
    const seconds = before ? (last.t - before.t) / 1000 : 0;
    return {
      minute,
      rss: last.rss,
      heapUsed: last.heapUsed,
      liveHeap: last.liveHeap,
      handles: last.handles,
      storeKeys: last.storeKeys,
      delayP50: median(group.map((s) => s.delayP50)),
      delayP99: Math.max(...group.map((s) => s.delayP99)),
      delayMax: Math.max(...group.map((s) => s.delayMax)),
      rate: seconds ? (last.completed - before.completed) / seconds : null,
      cpu: seconds ? (100 * group.reduce((sum, s) => sum + s.cpuSeconds, 0)) / seconds : null,
      other: seconds
        ? (100 * group.reduce((sum, s) => sum + (s.otherCpuSeconds ?? 0), 0)) / seconds
        : null,
    };
  });
}

const mb = (bytes) => (bytes === null || bytes === undefined ? '–' : (bytes / MB).toFixed(1));
/** A number to two decimals at most, as written. */
export const round = (v) => String(Math.round(v * 100) / 100);
/** A growth measure's value in its unit. */
export const show = (m, v) =>
  `${(v / m.scale).toFixed(m.unit === 'MB' || m.unit === 'ms' ? 1 : 0)}${m.unit ? ` ${m.unit}` : ''}`;
