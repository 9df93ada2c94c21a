import { randomBytes } from 'node:crypto';
import type { SandboxClock } from './sandbox-clock.js';
import { randomAlnum } from './random-strings.js';

/**
 * The codes a mini-program hands its server: `wx.login()`'s js_code, and the code of the
 * getPhoneNumber button; and the one a multi-end app's `wx.weixinAppLogin` (or
 * `wx.getIdentityCode`) hands its server for `/donut/code2verifyinfo`.
 */
export type MiniCodeKind = 'login' | 'phone' | 'identity';

/** A code taken: its user, or why there is none (endpoints answer these differently). */
export type MiniCodeTaken = { userKey: string } | { refused: 'unknown' | 'used' | 'expired' };

interface MiniCode {
  readonly kind: MiniCodeKind;
  readonly appid: string;
  readonly userKey: string;
  readonly expiresAt: number;
  used: boolean;
}

/** Bounds memory under benchmarks, as `SandboxGrants` does: the oldest codes are forgotten. */
const MAX_ENTRIES = 100_000;

/**
 * Single-use codes of mini-programs and multi-end apps, expiring under the sandbox clock. A code of one kind
 * is unknown to the other's endpoint, and one app's code is unknown to another app.
 */
export class SandboxMiniCodes {
  private readonly codes = new Map<string, MiniCode>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly ttlMs: number,
  ) {}

  issue(kind: MiniCodeKind, appid: string, userKey: string): string {
    // Shaped like WeChat's: 32 alphanumerics from the logins, 64 hex from the phone button.
    const code = kind === 'phone' ? randomBytes(32).toString('hex') : randomAlnum(32);
    this.codes.set(code, {
      kind,
      appid,
      userKey,
      expiresAt: this.clock.now() + this.ttlMs,
      used: false,
    });
    if (this.codes.size > MAX_ENTRIES) this.codes.delete(this.codes.keys().next().value as string);
    return code;
  }

  /** `take`, as the mini-program's endpoints answer it: 40163 for a used code, else 40029. */
  redeem(kind: MiniCodeKind, code: string, appid: string): string | 40029 | 40163 {
    const taken = this.take(kind, code, appid);
    if ('userKey' in taken) return taken.userKey;
    return taken.refused === 'used' ? 40163 : 40029;
  }

  /**
   * The user behind a live, unused code of this kind and app, which is used up; else why
   * not. Another app's code is unknown here, and stays usable by its own app.
   */
  take(kind: MiniCodeKind, code: string, appid: string): MiniCodeTaken {
    const entry = this.codes.get(code);
    if (!entry || entry.kind !== kind || entry.appid !== appid) return { refused: 'unknown' };
    if (entry.used) return { refused: 'used' };
    if (this.clock.now() >= entry.expiresAt) return { refused: 'expired' };
    entry.used = true;
    return { userKey: entry.userKey };
  }

  /** Forgets the app's codes: a removed app's are unknown from then on. */
  forgetApp(appid: string): void {
    for (const [code, entry] of this.codes) if (entry.appid === appid) this.codes.delete(code);
  }
}
