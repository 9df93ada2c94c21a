// The soak's plot, an SVG written from the samples: RSS, the heap used when sampled and the
// live heap (after a full collection) over time, the warm-up shaded, and the medians the
// verdict compares drawn over the middle and last thirds.
const WIDTH = 760;
const HEIGHT = 380;
const MARGIN = { left: 64, right: 24, top: 56, bottom: 48 };
const MB = 1024 * 1024;

const SERIES = [
  { key: 'rss', label: 'RSS', color: '#1f6feb', dash: '' },
  { key: 'heapUsed', label: 'heap used', color: '#d29922', dash: '5 4' },
  { key: 'liveHeap', label: 'live heap (after a full GC)', color: '#cf222e', dash: '' },
];

/** The SVG of `samples` (`t` in ms, sizes in bytes); `verdict` from judgeGrowth. */
export function plotMemory(samples, { title, warmupMs, verdict }) {
  const series = SERIES.filter((s) => samples.some((x) => x[s.key] !== null));
  const tMax = Math.max(samples.at(-1).t, 1);
  const yTop = niceCeiling(
    Math.max(...samples.flatMap((x) => series.map((s) => x[s.key] ?? 0))) / MB,
  );
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t) => MARGIN.left + (t / tMax) * plotW;
  const y = (mb) => MARGIN.top + plotH - (mb / yTop) * plotH;
  const f = (n) => n.toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="600" fill="#1f2328">${escape(title)}</text>`,
  ];
  // The warm-up, which the verdict leaves out.
  const warmEnd = Math.min(warmupMs, tMax);
  parts.push(
    `<rect x="${f(x(0))}" y="${MARGIN.top}" width="${f(x(warmEnd) - x(0))}" height="${plotH}" fill="#f6f8fa"/>`,
    `<text x="${f(x(warmEnd / 2))}" y="${MARGIN.top + 14}" text-anchor="middle" fill="#656d76">warm-up</text>`,
  );
  // Grid and axes.
  const yStep = niceStep(yTop);
  for (let v = 0; v <= yTop + 1e-9; v += yStep) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#d0d7de" stroke-width="${v === 0 ? 1 : 0.5}"/>`,
      `<text x="${MARGIN.left - 8}" y="${f(y(v) + 4)}" text-anchor="end" fill="#1f2328">${round(v)}</text>`,
    );
  }
  const minutes = tMax / 60_000;
  const xStep = niceStep(minutes);
  for (let m = 0; m <= minutes + 1e-9; m += xStep) {
    parts.push(
      `<line x1="${f(x(m * 60_000))}" x2="${f(x(m * 60_000))}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#1f2328"/>`,
      `<text x="${f(x(m * 60_000))}" y="${MARGIN.top + plotH + 18}" text-anchor="middle" fill="#1f2328">${round(m)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle" fill="#1f2328">minutes</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">MB</text>`,
  );
  // The series.
  for (const s of series) {
    const points = samples
      .filter((p) => p[s.key] !== null)
      .map((p) => `${f(x(p.t))},${f(y(p[s.key] / MB))}`)
      .join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
  }
  // The medians the verdict compares: middle third, then last third.
  if (verdict?.judged) {
    for (const measure of verdict.measures.filter((m) => m.key === 'rss' || m.key === 'liveHeap')) {
      const color = SERIES.find((s) => s.key === measure.key).color;
      for (const [from, to, value] of [
        [verdict.middleFrom, verdict.lastFrom, measure.middle],
        [verdict.lastFrom, tMax, measure.last],
      ])
        parts.push(
          `<line x1="${f(x(from))}" x2="${f(x(to))}" y1="${f(y(value / MB))}" y2="${f(y(value / MB))}" stroke="${color}" stroke-width="6" stroke-opacity="0.25"/>`,
        );
    }
  }
  // The legend.
  let lx = MARGIN.left;
  for (const s of series) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="42" y2="42" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${lx + 30}" y="46" fill="#1f2328">${escape(s.label)}</text>`,
    );
    lx += 30 + 6.5 * s.label.length + 20;
  }
  if (verdict?.judged)
    parts.push(
      `<rect x="${lx}" y="37" width="24" height="10" fill="#656d76" fill-opacity="0.25"/>`,
      `<text x="${lx + 30}" y="46" fill="#1f2328">medians compared</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function niceStep(max) {
  const raw = max / 6;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((k) => k * power).find((step) => raw <= step);
}

function niceCeiling(max) {
  const step = niceStep(max || 1);
  return Math.ceil((max || 1) / step) * step;
}

const round = (v) => String(Math.round(v * 100) / 100);
const escape = (text) =>
  String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
