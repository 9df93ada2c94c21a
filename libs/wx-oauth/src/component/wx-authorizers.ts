import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { readDated, saveNewest } from '../store/newest-wins.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import { WxComponentPlatform } from './wx-component-platform.js';

/** How long a revocation is remembered: longer than anything a merchant's login could carry over. */
const RECORD_TTL_MS = 366 * 24 * 60 * 60_000;

type Authorization = 'authorized' | 'revoked';

/**
 * Whether each merchant's account is still authorised to the platform, as its
 * events said (`unauthorized`; `authorized` and `updateauthorized`, or a
 * completed authorisation), newest wins: recorded in the store, so that every
 * instance refuses a revoked merchant's logins and calls at once
 * (`authorizer_revoked`, 403), before WeChat would.
 *
 * @internal
 */
@Injectable()
export class WxAuthorizers {
  constructor(
    private readonly platform: WxComponentPlatform,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
  ) {}

  /** Records that `appid` revoked its authorisation at `at` (seconds). */
  revoke(appid: string, at: number): Promise<boolean> {
    return this.record(appid, 'revoked', at);
  }

  /** Records that `appid` authorised the platform (again) at `at` (seconds; default now). */
  restore(appid: string, at = Math.floor(this.clock.now() / 1000)): Promise<boolean> {
    return this.record(appid, 'authorized', at);
  }

  async isRevoked(appid: string): Promise<boolean> {
    return (await readDated(this.store, this.key(appid)))?.value === 'revoked';
  }

  /** `authorizer_revoked` when `appid` revoked its authorisation. */
  async assertAuthorized(appid: string): Promise<void> {
    if (await this.isRevoked(appid))
      throw new WxOAuthError(
        'authorizer_revoked',
        `The app ${appid} is no longer authorised to the third-party platform ${this.platform.appid} (it revoked the authorisation): the merchant must authorise it again`,
      );
  }

  private record(appid: string, value: Authorization, at: number): Promise<boolean> {
    return saveNewest(this.store, this.clock, this.key(appid), { value, at }, RECORD_TTL_MS);
  }

  private key(appid: string): string {
    return `component:${this.platform.appid}:authorizer:${appid}`;
  }
}
