import type { SandboxClock } from './sandbox-clock.js';
import { randomAlnum, randomToken } from './random-strings.js';
import type { WxSandboxScope, WxSandboxUser } from '../wx-sandbox.types.js';

/** What a user approved, as the tokens of one authorization carry it. */
export interface SandboxGrant {
  /** The app the code was issued for: only its credentials may redeem or refresh. */
  readonly appid: string;
  /** The user as that app sees them (its openid). */
  readonly user: WxSandboxUser;
  readonly scope: WxSandboxScope;
  /**
   * The third-party platform that logged the user in on the app's behalf: only its
   * `/sns/oauth2/component/*` exchange and refresh take the code and refresh token.
   */
  readonly component: string | undefined;
  accessToken: string;
  accessExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: number;
}

interface SandboxCode {
  readonly appid: string;
  readonly user: WxSandboxUser;
  readonly scope: WxSandboxScope;
  readonly component: string | undefined;
  readonly expiresAt: number;
  used: boolean;
}

export interface SandboxGrantsOptions {
  codeTtlMs: number;
  refreshTokenTtlMs: number;
  accessTokenTtlSeconds: number;
}

/**
 * Bounds memory under benchmarks: past this many live codes or grants the oldest
 * are forgotten, and WeChat's "unknown" errors answer for them.
 */
const MAX_ENTRIES = 100_000;

/** Authorization codes and the tokens they turn into, expiring under the sandbox clock. */
export class SandboxGrants {
  private readonly codes = new Map<string, SandboxCode>();
  private readonly byRefreshToken = new Map<string, SandboxGrant>();
  private readonly byAccessToken = new Map<string, SandboxGrant>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly options: SandboxGrantsOptions,
  ) {}

  /** A code for `appid`, or for a platform's exchange on the app's behalf with `component`. */
  issueCode(appid: string, user: WxSandboxUser, scope: WxSandboxScope, component?: string): string {
    const code = randomAlnum(32);
    this.codes.set(code, {
      appid,
      user,
      scope,
      component,
      expiresAt: this.clock.now() + this.options.codeTtlMs,
      used: false,
    });
    if (this.codes.size > MAX_ENTRIES) this.codes.delete(this.codes.keys().next().value as string);
    return code;
  }

  /**
   * Single use: a second exchange of the same code gets 40163, an unknown or expired one
   * 40029, and so does another app's code, which stays usable by its own app. A user
   * `blocked` by risk control gets 40226, the code used up: WeChat blocks the login, not
   * the code. A code issued on behalf of a platform is another app's to any other caller: the
   * plain exchange of a platform's code is 40029, and the other way round.
   */
  redeemCode(
    code: string,
    appid: string,
    blocked?: (user: WxSandboxUser) => boolean,
    component?: string,
  ): SandboxGrant | 40029 | 40163 | 40226 {
    const entry = this.codes.get(code);
    if (!entry || entry.appid !== appid || entry.component !== component) return 40029;
    if (entry.used) return 40163;
    if (this.clock.now() >= entry.expiresAt) return 40029;
    entry.used = true;
    if (blocked?.(entry.user)) return 40226;
    const now = this.clock.now();
    const grant: SandboxGrant = {
      appid: entry.appid,
      user: entry.user,
      scope: entry.scope,
      component: entry.component,
      accessToken: randomToken(),
      accessExpiresAt: now + this.accessTtlMs(),
      refreshToken: randomToken(),
      refreshExpiresAt: now + this.options.refreshTokenTtlMs,
    };
    this.byRefreshToken.set(grant.refreshToken, grant);
    this.byAccessToken.set(grant.accessToken, grant);
    if (this.byRefreshToken.size > MAX_ENTRIES)
      this.forget(this.byRefreshToken.values().next().value as SandboxGrant);
    return grant;
  }

  /**
   * As WeChat: a live access token is kept and its expiry extended, an expired one is
   * replaced (the old one stops working); the refresh token itself is never extended. Only
   * the platform that logged the user in refreshes on its behalf.
   */
  refresh(refreshToken: string, appid: string, component?: string): SandboxGrant | 40030 | 42002 {
    const grant = this.byRefreshToken.get(refreshToken);
    if (!grant || grant.appid !== appid || grant.component !== component) return 40030;
    const now = this.clock.now();
    if (now >= grant.refreshExpiresAt) return 42002;
    if (now >= grant.accessExpiresAt) {
      this.byAccessToken.delete(grant.accessToken);
      grant.accessToken = randomToken();
      this.byAccessToken.set(grant.accessToken, grant);
    }
    grant.accessExpiresAt = now + this.accessTtlMs();
    return grant;
  }

  findByAccessToken(accessToken: string): SandboxGrant | 40001 | 42001 {
    const grant = this.byAccessToken.get(accessToken);
    if (!grant) return 40001;
    return this.clock.now() >= grant.accessExpiresAt ? 42001 : grant;
  }

  /** Forgets the tokens a platform holds for the app's users: a revoked merchant's. */
  forgetComponentGrants(appid: string, component: string): void {
    for (const [code, entry] of this.codes)
      if (entry.appid === appid && entry.component === component) this.codes.delete(code);
    for (const grant of this.byRefreshToken.values())
      if (grant.appid === appid && grant.component === component) this.forget(grant);
  }

  /** Forgets the app's codes and tokens: a removed app's are unknown from then on. */
  forgetApp(appid: string): void {
    for (const [code, entry] of this.codes) if (entry.appid === appid) this.codes.delete(code);
    for (const grant of this.byRefreshToken.values()) if (grant.appid === appid) this.forget(grant);
  }

  private accessTtlMs(): number {
    return this.options.accessTokenTtlSeconds * 1000;
  }

  private forget(grant: SandboxGrant): void {
    this.byRefreshToken.delete(grant.refreshToken);
    this.byAccessToken.delete(grant.accessToken);
  }
}
