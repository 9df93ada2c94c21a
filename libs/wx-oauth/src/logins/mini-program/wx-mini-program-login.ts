import { Inject, Injectable } from '@nestjs/common';
import { WxAppTokenService } from '../../tokens/wx-app-token.service.js';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { naming, type WxApp } from '../../apps/wx-registration.js';
import type { LoginRequest } from '../../http/login-request.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import type { WxPhoneInfo } from '../../client/wx-oauth.types.js';
import { miniProgramProfile, type WxMiniProgramProfile } from '../../profile/wx-profile.js';
import { WX_OAUTH_OPTIONS } from '../../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import type { WxMiniProgramLoginBody } from './mini-program-login-body.js';
import { WxMiniProgramSessions } from './wx-mini-program-sessions.js';

/** A mini-program login: its profile, and the step that keeps its `session_key` once the app accepts it. */
export interface WxMiniProgramLogIn {
  profile: WxMiniProgramProfile;
  keep(): Promise<void>;
}

/**
 * The mini-program login, which the strategy runs on a
 * `@WxMiniProgramLoginRoute()` route: the `wx.login()` code for the user's
 * openid, unionid and `session_key` (kept by `WxMiniProgramSessions`), then,
 * when asked, the phone number through the mini-program's app token. WeChat
 * refuses a code twice (40163).
 *
 * @internal
 */
@Injectable()
export class WxMiniProgramLogin {
  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly apps: WxOAuthApps,
    private readonly appTokens: WxAppTokenService,
    private readonly sessions: WxMiniProgramSessions,
  ) {}

  /**
   * The login of `body`'s code, with the mini-program of `request`'s tenant
   * (with `tenants`), else the module's: the profile, and `keep`, which keeps
   * the user's new `session_key` once the app has accepted the login.
   */
  async logIn(
    { code, phoneCode }: WxMiniProgramLoginBody,
    request: LoginRequest,
  ): Promise<WxMiniProgramLogIn> {
    const registration = await this.apps.forRequest(request);
    const app = registration.miniProgram();
    const appid = app.client.appid;
    const session = await naming(app, app.client.code2Session(code));
    if (typeof session?.openid !== 'string' || typeof session.session_key !== 'string')
      throw new WxOAuthError(
        'bad_response',
        'WeChat /sns/jscode2session answered no openid or session_key',
        { endpoint: '/sns/jscode2session' },
      );
    const { openid, unionid } = session;
    // After the login, not beside it: WeChat charges each phone number, and a refused login needs none.
    const phone = phoneCode === undefined ? undefined : await this.phoneOf(app, phoneCode);
    return {
      profile: miniProgramProfile({ openid, unionid }, phone, this.settings.idField, appid),
      // Kept once the whole login succeeded: a refused one leaves the user's earlier key in place.
      keep: () => this.sessions.save(openid, session.session_key, appid),
    };
  }

  /** The number behind `phoneCode`; its failure says it was the phone code's, with WeChat's kind and errcode. */
  private async phoneOf(app: WxApp, phoneCode: string): Promise<WxPhoneInfo> {
    const { client } = app;
    const phone = await naming(
      app,
      this.appTokens.withToken(client.appid, (token) => client.getPhoneNumber(token, phoneCode)),
    ).catch((error: unknown) => {
      if (!(error instanceof WxOAuthError)) throw error;
      throw new WxOAuthError(error.kind, `phoneCode refused: ${error.message}`, error);
    });
    if (phone?.watermark?.appid !== client.appid || typeof phone.phoneNumber !== 'string')
      throw new WxOAuthError(
        'bad_response',
        `WeChat /wxa/business/getuserphonenumber answered no phone number of app ${client.appid}`,
        { endpoint: '/wxa/business/getuserphonenumber' },
      );
    return phone;
  }
}
