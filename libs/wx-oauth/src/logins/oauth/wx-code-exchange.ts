import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { naming } from '../../apps/wx-registration.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import type { WxUserByCode } from '../../client/wx-oauth.types.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import { DuplicateCallbacks } from '../../state/duplicate-callbacks.js';
import type { WxStateApp } from '../../state/wx-state.store.js';
import { WX_OAUTH_OPTIONS } from '../../wx-oauth.constants.js';

/** What a callback's exchange gives: WeChat's answer, and the app it came from. */
export interface WxLoginResult extends WxUserByCode {
  appid: string;
}

/**
 * A callback's code exchanged with the app its state names, then the profile
 * fetched when the granted scope allows; WeChat's duplicate callback shares
 * the first one's exchange. A login on a third-party platform's behalf comes
 * back with the merchant's `appid`, which must be the state's app.
 */
@Injectable()
export class WxCodeExchange {
  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly apps: WxOAuthApps,
    private readonly duplicates: DuplicateCallbacks,
  ) {}

  exchange(
    code: string,
    app: WxStateApp | undefined,
    state: string,
    callbackAppid?: string,
  ): Promise<WxLoginResult> {
    return this.duplicates.share(state, code, () => this.exchangeWith(app, code, callbackAppid));
  }

  private async exchangeWith(
    stateApp: WxStateApp | undefined,
    code: string,
    callbackAppid: string | undefined,
  ): Promise<WxLoginResult> {
    // A signed state names an app of this registration (of its tenant), unless the registration changed since.
    const app = await this.apps.byAppid(stateApp?.appid, stateApp?.tenant);
    if (!app)
      throw new WxOAuthError(
        'invalid_state',
        'Login state names an app this site no longer has; please log in again',
      );
    const onBehalf = app.client.componentAppid !== undefined;
    if ((onBehalf || callbackAppid !== undefined) && callbackAppid !== app.client.appid)
      throw new WxOAuthError(
        'invalid_state',
        "The callback's appid is not the app this login started with; please log in again",
      );
    const answer = await naming(app, app.client.getUserByCode(code, this.settings.lang));
    return { ...answer, appid: app.client.appid };
  }
}
