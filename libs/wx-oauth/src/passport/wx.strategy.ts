import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { WxAccessToken } from '../client/wx-oauth.types.js';
import { WxLogin } from '../login/wx-login.js';
import type { WxProfile } from '../login/wx-profile.js';
import { WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import { WxOAuth2Strategy } from './wx-oauth2.strategy.js';

/**
 * The Passport strategy `'wechat'` (passport-oauth2, extended for WeChat):
 * the login start, the state check, the code exchange and the profile, for
 * `WxAuthGuard` and a plain `AuthGuard('wechat')` alike. `validate` maps
 * WeChat's user to the app's: by default the module's `validate` option, else
 * the profile.
 *
 * An app writes its own as any Nest strategy: a provider extending this class,
 * with its services injected beside `WxLogin` and its own `validate`. It
 * replaces the module's, whichever of the two Nest builds first.
 *
 * @publicApi
 */
@Injectable()
export class WxStrategy
  extends PassportStrategy(WxOAuth2Strategy, WX_OAUTH_STRATEGY)
  implements OnModuleInit
{
  /** @nestjs/passport's: the passport instance its strategies register with (untyped there). */
  declare readonly getPassportInstance: () => { use(name: string, strategy: object): unknown };

  constructor(login: WxLogin) {
    super(login);
  }

  /** Its result becomes `req.user`; null refuses the login (401). */
  validate(profile: WxProfile, tokens?: WxAccessToken): unknown {
    const { validate } = this.login.settings;
    return validate ? validate(profile, tokens) : profile;
  }

  /**
   * passport keeps one strategy per name, the last registered. Every strategy
   * registers when it is built; an app's own registers again once all are
   * built, so that it wins over the module's.
   */
  onModuleInit(): void {
    if (this.constructor !== WxStrategy) this.getPassportInstance().use(WX_OAUTH_STRATEGY, this);
  }
}
