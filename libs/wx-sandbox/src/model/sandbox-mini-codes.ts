import { randomBytes } from 'node:crypto';
import type { SandboxClock } from './sandbox-clock.js';
import { randomAlnum } from './random-strings.js';

/**
 * The two codes a mini-program hands its server: `wx.login()`'s js_code, and the code of
 * the getPhoneNumber button.
 */
export type MiniCodeKind = 'login' | 'phone';

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
 * Single-use codes of mini-programs, expiring under the sandbox clock. A code of one kind
 * is unknown to the other's endpoint, and one app's code is unknown to another app.
 */
export class SandboxMiniCodes {
  private readonly codes = new Map<string, MiniCode>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly ttlMs: number,
  ) {}

  issue(kind: MiniCodeKind, appid: string, userKey: string): string {
    // Shaped like WeChat's: 32 alphanumerics from wx.login(), 64 hex from the phone button.
    const code = kind === 'login' ? randomAlnum(32) : randomBytes(32).toString('hex');
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

  /**
   * The user behind a live, unused code of this kind and app, which is used up; 40163 for
   * a used one, 40029 for anything else. Another app's code stays usable by its own app.
   */
  redeem(kind: MiniCodeKind, code: string, appid: string): string | 40029 | 40163 {
    const entry = this.codes.get(code);
    if (!entry || entry.kind !== kind || entry.appid !== appid) return 40029;
    if (entry.used) return 40163;
    if (this.clock.now() >= entry.expiresAt) return 40029;
    entry.used = true;
    return entry.userKey;
  }

  /** Forgets the app's codes: a removed app's are unknown from then on. */
  forgetApp(appid: string): void {
    for (const [code, entry] of this.codes) if (entry.appid === appid) this.codes.delete(code);
  }
}
