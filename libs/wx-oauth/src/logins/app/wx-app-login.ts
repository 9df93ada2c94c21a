import { Inject, Injectable } from '@nestjs/common';
import { naming, type WxApp, type WxRegistration } from '../../apps/wx-registration.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import type { WxAccessToken } from '../../client/wx-oauth.types.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import {
  mobileAppProfile,
  multiEndAppProfile,
  type WxMobileAppProfile,
} from '../../profile/wx-profile.js';
import { WxAppTokenService } from '../../tokens/wx-app-token.service.js';
import { WxTokenService } from '../../tokens/wx-token.service.js';
import { WX_OAUTH_OPTIONS } from '../../wx-oauth.constants.js';
import type { WxAppLoginBody } from './app-login-body.js';

/** A native app's login: its profile, and the mobile app's tokens (already saved); a multi-end login has none. */
export interface WxAppLogIn {
  profile: WxMobileAppProfile;
  tokens?: WxAccessToken;
}

/**
 * The native app's login, which the strategy runs on a `@WxAppLoginRoute()`
 * route: an OpenSDK code (or a multi-end app's `wx.miniapp.login()` code)
 * exchanged with the mobile app's appid and secret, then its userinfo; or a
 * multi-end app's `wx.weixinAppLogin()` code through `/donut/code2verifyinfo`.
 * The secret never leaves the server. WeChat refuses a code twice (40163).
 *
 * @internal
 */
@Injectable()
export class WxAppLogin {
  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly tokens: WxTokenService,
    private readonly appTokens: WxAppTokenService,
  ) {}

  /** The app `body`'s code is for: `registration`'s multi-end app, else its mobile app; `flow_unavailable` without it. */
  appOf({ multiEnd }: WxAppLoginBody, registration: WxRegistration): WxApp {
    return multiEnd ? registration.multiEndApp() : registration.mobileApp();
  }

  /** The login of `body`'s code with `app` (`appOf`). */
  logIn({ code, multiEnd }: WxAppLoginBody, app: WxApp): Promise<WxAppLogIn> {
    return multiEnd ? this.multiEnd(code, app) : this.mobile(code, app);
  }

  private async mobile(code: string, app: WxApp): Promise<WxAppLogIn> {
    const appid = app.client.appid;
    const answer = await naming(app, app.client.getUserByCode(code, this.settings.lang)).catch(
      (error: unknown) => {
        // The one misconfiguration WeChat reports as the user's fault: the code is another app's.
        if (error instanceof WxOAuthError && error.errcode === 40029)
          throw new WxOAuthError(
            error.kind,
            `${error.message} (if every app login fails so, mobileApp / WX_MOBILE_APPID is not the appid the app's OpenSDK registered)`,
            error,
          );
        throw error;
      },
    );
    const profile = mobileAppProfile(answer, this.settings.idField, appid);
    // Saved before the app's validator runs, as the browser login's: it may call WxTokenService.
    await this.tokens.save(answer.token, appid);
    return { profile, tokens: answer.token };
  }

  private async multiEnd(code: string, app: WxApp): Promise<WxAppLogIn> {
    const { client } = app;
    const info = await naming(
      app,
      this.appTokens.withToken(client.appid, (token) => client.code2VerifyInfo(token, code)),
    );
    const openapp = info?.user_info?.openapp_info;
    if (
      typeof openapp?.openid !== 'string' ||
      !openapp.openid ||
      typeof openapp.appid !== 'string'
    ) {
      const type = String(info?.login_info?.type ?? 'unknown').slice(0, 32);
      throw new WxOAuthError(
        'invalid_code',
        `The multi-end app's code is a ${type} login, not a WeChat one: this route logs in WeChat users`,
        { endpoint: '/donut/code2verifyinfo' },
      );
    }
    // code2verifyinfo gives no user token.
    return { profile: multiEndAppProfile(info, openapp, this.settings.idField) };
  }
}
