import type { SandboxClock } from './sandbox-clock.js';
import { randomToken } from './random-strings.js';

/** An official account's or a mini-program's own access token (client credential), not a user's. */
export interface SandboxAppToken {
  readonly appid: string;
  readonly token: string;
  readonly expiresAt: number;
}

/** `expires_in` of app access tokens, as on WeChat. */
export const APP_TOKEN_TTL_SECONDS = 7200;

/**
 * The stable access token of each app: the same one for its whole life, a new one once it
 * has expired or on `force_refresh`, which revokes the one before (40001 from then on).
 */
export class SandboxAppTokens {
  private readonly current = new Map<string, SandboxAppToken>();
  private readonly byToken = new Map<string, SandboxAppToken>();
  private readonly minted = new Map<string, number>();

  constructor(private readonly clock: SandboxClock) {}

  stableToken(appid: string, forceRefresh: boolean): SandboxAppToken {
    const live = this.current.get(appid);
    if (live && !forceRefresh && this.clock.now() < live.expiresAt) return live;
    if (live) this.byToken.delete(live.token);
    const token: SandboxAppToken = {
      appid,
      token: randomToken(),
      expiresAt: this.clock.now() + APP_TOKEN_TTL_SECONDS * 1000,
    };
    this.current.set(appid, token);
    this.byToken.set(token.token, token);
    this.minted.set(appid, this.issued(appid) + 1);
    return token;
  }

  /** Seconds the token has left, rounded up so a fresh one reads 7200. */
  expiresIn(token: SandboxAppToken): number {
    return Math.ceil((token.expiresAt - this.clock.now()) / 1000);
  }

  find(token: string): SandboxAppToken | 40001 | 42001 {
    const found = this.byToken.get(token);
    if (!found) return 40001;
    return this.clock.now() >= found.expiresAt ? 42001 : found;
  }

  /** Revokes the app's token and forgets its count, as for an app that is gone. */
  forgetApp(appid: string): void {
    const live = this.current.get(appid);
    if (live) this.byToken.delete(live.token);
    this.current.delete(appid);
    this.minted.delete(appid);
  }

  /** How many tokens `appid` has been given, renewals included. */
  issued(appid: string): number {
    return this.minted.get(appid) ?? 0;
  }
}
