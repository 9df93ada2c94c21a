import type { WxClock } from './clock.js';

/** A clock the specs move by hand; `sleep` moves it too, so that waits take no real time. */
export class ManualClock implements WxClock {
  constructor(private time = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
