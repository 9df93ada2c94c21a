import type { WxSandboxEndpoint, WxSandboxFault } from '../wx-sandbox.types.js';

interface QueuedFault {
  readonly fault: WxSandboxFault;
  /** `undefined` targets every `/sns` and `/cgi-bin` endpoint. */
  readonly endpoint: WxSandboxEndpoint | undefined;
  remaining: number;
}

/** Faults waiting for their requests, consumed first in, first out. */
export class SandboxFaults {
  private queue: QueuedFault[] = [];

  add(fault: WxSandboxFault, endpoint: WxSandboxEndpoint | undefined, times: number): void {
    if (!Number.isInteger(times) || times < 1)
      throw new Error('WxSandbox: inject() times must be an integer >= 1');
    if (fault.type === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0)) {
      throw new Error('WxSandbox: a delay fault needs ms >= 0');
    }
    this.queue.push({ fault, endpoint, remaining: times });
  }

  /** The fault for this request, if one is queued for its endpoint. */
  take(endpoint: WxSandboxEndpoint): WxSandboxFault | undefined {
    const index = this.queue.findIndex(
      (queued) => queued.endpoint === undefined || queued.endpoint === endpoint,
    );
    if (index < 0) return undefined;
    const queued = this.queue[index];
    if (--queued.remaining === 0) this.queue.splice(index, 1);
    return queued.fault;
  }

  clear(): void {
    this.queue = [];
  }
}
