// The soak's verdict: does anything grow without bound? After the warm-up (JIT, caches, the
// heap's sizing, every login record's first lifetime), the samples are split into three equal
// parts; a measure grows when the median of the last third exceeds the median of the middle
// third by more than its tolerance (a share of the middle median, or a floor, whichever is
// larger). Medians shrug off a collection or a burst caught by one sample; comparing the last
// two thirds leaves the settling of the first out; a measure that levels off within the middle
// third (a cache filling up) passes, one that still climbs in the last does not. The slope over
// the whole window is reported beside it, per hour.

const MB = 1024 * 1024;

/** The measures judged, with their tolerances. */
export const MEASURES = [
  { key: 'rss', label: 'RSS', unit: 'MB', scale: MB, relative: 0.1, floor: 16 * MB },
  // The heap after a full collection: what is still referenced, the sharpest signal of a leak.
  {
    key: 'liveHeap',
    label: 'live heap (after a full GC)',
    unit: 'MB',
    scale: MB,
    relative: 0.05,
    floor: 4 * MB,
  },
  { key: 'handles', label: 'open handles', unit: '', scale: 1, relative: 0.2, floor: 10 },
  { key: 'storeKeys', label: 'store entries', unit: '', scale: 1, relative: 0.1, floor: 100 },
  { key: 'delayP99', label: 'event-loop delay p99', unit: 'ms', scale: 1, relative: 0.5, floor: 5 },
];

/** At least this many samples in each third, or the soak is too short to judge. */
const MIN_PER_THIRD = 2;

/**
 * Judges `samples` (`{ t }` in ms since the start, and the measures) after `warmupMs`. Answers
 * `{ judged, reason?, measures: [{ key, label, middle, last, allowed, growth, perHour, grew }] }`.
 */
export function judgeGrowth(samples, warmupMs) {
  const window = samples.filter((s) => s.t >= warmupMs);
  const n = window.length;
  const cut = (k) => Math.round((k * n) / 3);
  const middle = window.slice(cut(1), cut(2));
  const last = window.slice(cut(2));
  if (middle.length < MIN_PER_THIRD || last.length < MIN_PER_THIRD)
    return {
      judged: false,
      reason: `${n} samples after the warm-up: too few to judge (${3 * MIN_PER_THIRD} needed)`,
      measures: [],
    };
  const measures = MEASURES.map((measure) => {
    const value = (s) => valueOf(s, measure.key);
    const m = median(middle.map(value));
    const l = median(last.map(value));
    const allowed = Math.max(m * measure.relative, measure.floor);
    const growth = l - m;
    return {
      ...measure,
      middle: m,
      last: l,
      allowed,
      growth,
      perHour: slope(window.map((s) => [s.t, value(s)])) * 3_600_000,
      grew: growth > allowed,
    };
  });
  return {
    judged: true,
    measures,
    from: window[0].t,
    middleFrom: middle[0].t,
    lastFrom: last[0].t,
    // Other processes' CPU in each third, in % of a core: they disturb the delay most.
    otherCpu: { middle: otherCpu(samples, middle), last: otherCpu(samples, last) },
  };
}

/** The CPU other processes used over `part` of `samples`, in % of a core (each sample counts since the one before). */
function otherCpu(samples, part) {
  const before = samples[samples.indexOf(part[0]) - 1] ?? part[0];
  const seconds = (part.at(-1).t - before.t) / 1000;
  const used = part.reduce((sum, s) => sum + (s.otherCpuSeconds ?? 0), 0);
  return seconds ? (100 * used) / seconds : 0;
}

/** A sample's measure; the heap before collection where the server could not collect (no --expose-gc). */
export function valueOf(sample, key) {
  return key === 'liveHeap' ? (sample.liveHeap ?? sample.heapUsed) : sample[key];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Least-squares slope of `points` ([x, y]), per unit of x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxx ? sxy / sxx : 0;
}
