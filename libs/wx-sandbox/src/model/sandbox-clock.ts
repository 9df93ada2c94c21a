/** Real time plus whatever `advance` added, so tests can expire codes and tokens instantly. */
export class SandboxClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new Error('WxSandbox: advance() takes a number of ms >= 0');
    this.offsetMs += ms;
  }
}
