import type { SandboxClock } from './sandbox-clock.js';
import { randomToken } from './random-strings.js';

interface Ticket {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * Each platform's `component_verify_ticket`: a new one at every push, and only the newest is
 * good for `api_component_token`, until it expires (12 hours by default).
 */
export class SandboxComponentTickets {
  private readonly newest = new Map<string, Ticket>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly ttlMs: number,
  ) {}

  /** Mints the platform's next ticket, which replaces the one before. */
  mint(componentAppid: string): string {
    const ticket = { value: `ticket@@@${randomToken()}`, expiresAt: this.clock.now() + this.ttlMs };
    this.newest.set(componentAppid, ticket);
    return ticket.value;
  }

  /** The newest ticket, expired or not; `undefined` before the first push. */
  current(componentAppid: string): string | undefined {
    return this.newest.get(componentAppid)?.value;
  }

  /** 61006 for a ticket that is not the platform's newest, 61005 for the newest once expired. */
  check(componentAppid: string, ticket: string): true | 61005 | 61006 {
    const newest = this.newest.get(componentAppid);
    if (!newest || newest.value !== ticket) return 61006;
    return this.clock.now() >= newest.expiresAt ? 61005 : true;
  }
}
