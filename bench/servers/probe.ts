// What the soak asks its server over the IPC channel the runner opened, every interval: the
// event loop's delay since the last sample, the open handles, the memory (the heap also after
// a full collection, with --expose-gc: what is still referenced, free of garbage not yet
// collected), and how many entries the store holds.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** One sample; times in ms, sizes in bytes. */
export interface ProbeSample {
  rss: number;
  heapUsed: number;
  liveHeap: number | null;
  heapTotal: number;
  external: number;
  delayP50: number;
  delayP99: number;
  delayMax: number;
  handles: number;
  handleTypes: Record<string, number>;
  storeKeys: number;
}

/** How often the delay is measured: each measure is the time between two timer ticks, this much and the delay. */
const RESOLUTION_MS = 10;

/** Answers `{ type: 'sample', id }` messages with a ProbeSample and the same id. */
export function answerProbes(storeKeys: () => number): void {
  const send = process.send?.bind(process);
  if (!send) return;
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type !== 'sample') return;
    // The delay first, then reset: the collection below falls into the next interval's maximum.
    const late = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const delays = {
      delayP50: late(delay.percentile(50)),
      delayP99: late(delay.percentile(99)),
      delayMax: late(delay.max),
    };
    delay.reset();
    const resources = process.getActiveResourcesInfo();
    const handleTypes: Record<string, number> = {};
    for (const type of resources) handleTypes[type] = (handleTypes[type] ?? 0) + 1;
    const { heapUsed } = process.memoryUsage();
    gc?.();
    const memory = process.memoryUsage();
    const sample: ProbeSample = {
      rss: memory.rss,
      heapUsed,
      liveHeap: gc ? memory.heapUsed : null,
      heapTotal: memory.heapTotal,
      external: memory.external,
      ...delays,
      handles: resources.length,
      handleTypes,
      storeKeys: storeKeys(),
    };
    send({ id: message.id, sample });
  });
}
