import type { SandboxClock } from './sandbox-clock.js';
import { randomAlnum, randomToken } from './random-strings.js';

/** `expires_in` of a corp app's token, as WeCom answers it. */
export const CORP_TOKEN_TTL_SECONDS = 7200;
/** A `user_ticket` lives 1800 s. */
export const USER_TICKET_TTL_SECONDS = 1800;

/** A corp app's token from gettoken: it works for that app only. */
export interface CorpToken {
  readonly corpid: string;
  readonly agentid: string;
  readonly token: string;
  readonly expiresAt: number;
}

/** What a WeCom code stands for. */
export interface WeComCodeGrant {
  readonly corpid: string;
  /** The app it was issued through; `undefined` for snsapi_base without agentid (any app of the corp). */
  readonly agentid: string | undefined;
  /** The person's key in the corp. */
  readonly key: string;
  /** Whether it carries a `user_ticket`: snsapi_privateinfo with an agentid, agreed to. */
  readonly privateinfo: boolean;
}

interface StoredCode extends WeComCodeGrant {
  readonly expiresAt: number;
  used: boolean;
}

/** What a user_ticket lets its app read: one member's details. */
export interface UserTicket {
  readonly corpid: string;
  readonly agentid: string;
  readonly key: string;
  readonly expiresAt: number;
}

/** Past this many live codes or tickets the oldest are forgotten, as for the WeChat codes. */
const MAX_ENTRIES = 100_000;

/**
 * WeCom's tokens, codes and tickets under the sandbox clock: one live token per
 * (corpid, agentid), the same until it expires; codes single use; tickets for 1800 s.
 */
export class WeComGrants {
  private readonly current = new Map<string, CorpToken>();
  private readonly tokens = new Map<string, CorpToken>();
  private readonly minted = new Map<string, number>();
  private readonly codes = new Map<string, StoredCode>();
  private readonly tickets = new Map<string, UserTicket>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly codeTtlMs: number,
  ) {}

  /** The app's live token, or a new one once the last has expired. */
  token(corpid: string, agentid: string): CorpToken {
    const id = appKey(corpid, agentid);
    const live = this.current.get(id);
    if (live && this.clock.now() < live.expiresAt) return live;
    if (live) this.tokens.delete(live.token);
    const token: CorpToken = {
      corpid,
      agentid,
      token: randomToken(),
      expiresAt: this.clock.now() + CORP_TOKEN_TTL_SECONDS * 1000,
    };
    this.current.set(id, token);
    this.tokens.set(token.token, token);
    this.minted.set(id, this.issued(corpid, agentid) + 1);
    return token;
  }

  /** Seconds the token has left, rounded up so a fresh one reads 7200. */
  expiresIn(token: CorpToken): number {
    return Math.ceil((token.expiresAt - this.clock.now()) / 1000);
  }

  /** 40014 for an unknown token, 42001 for an expired one. */
  findToken(token: string): CorpToken | 40014 | 42001 {
    const found = this.tokens.get(token);
    if (!found) return 40014;
    return this.clock.now() >= found.expiresAt ? 42001 : found;
  }

  /** How many tokens the app has been given, renewals included. */
  issued(corpid: string, agentid: string): number {
    return this.minted.get(appKey(corpid, agentid)) ?? 0;
  }

  issueCode(grant: WeComCodeGrant): string {
    const code = randomAlnum(43);
    this.codes.set(code, {
      ...grant,
      expiresAt: this.clock.now() + this.codeTtlMs,
      used: false,
    });
    if (this.codes.size > MAX_ENTRIES) this.codes.delete(this.codes.keys().next().value as string);
    return code;
  }

  /**
   * Single use, for the token's corp, and, when issued through an app, for that app's token
   * only; anything else is 40029, as WeCom answers an unknown, used or expired code alike.
   */
  redeemCode(code: string, token: CorpToken): WeComCodeGrant | 40029 {
    const entry = this.codes.get(code);
    if (!entry || entry.used || entry.corpid !== token.corpid) return 40029;
    if (entry.agentid !== undefined && entry.agentid !== token.agentid) return 40029;
    if (this.clock.now() >= entry.expiresAt) return 40029;
    entry.used = true;
    return entry;
  }

  issueTicket(corpid: string, agentid: string, key: string): string {
    const ticket = randomToken();
    this.tickets.set(ticket, {
      corpid,
      agentid,
      key,
      expiresAt: this.clock.now() + USER_TICKET_TTL_SECONDS * 1000,
    });
    if (this.tickets.size > MAX_ENTRIES)
      this.tickets.delete(this.tickets.keys().next().value as string);
    return ticket;
  }

  /** The ticket, for the app it was issued to; unknown, another app's or expired: `undefined`. */
  findTicket(ticket: string, token: CorpToken): UserTicket | undefined {
    const found = this.tickets.get(ticket);
    if (!found || found.corpid !== token.corpid || found.agentid !== token.agentid)
      return undefined;
    return this.clock.now() >= found.expiresAt ? undefined : found;
  }
}

function appKey(corpid: string, agentid: string): string {
  return `${corpid}\n${agentid}`;
}
