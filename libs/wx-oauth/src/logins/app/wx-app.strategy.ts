import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-strategy';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import type { WxAccessToken } from '../../client/wx-oauth.types.js';
import { asHttpError } from '../../errors/wx-http-exception.js';
import type { WxMobileAppProfile } from '../../profile/wx-profile.js';
import { WxValidation } from '../../profile/wx-validation.js';
import { WX_STRATEGIES } from '../../wx-oauth.constants.js';
import { readAppLoginBody } from './app-login-body.js';
import type { WxAppLoginRouteOptions } from './wx-app-login-route.decorator.js';
import { WxAppLogin } from './wx-app-login.js';
import { WxAppStates } from './wx-app-states.js';

type PassportRequest = Parameters<Strategy['authenticate']>[0];

/**
 * The Passport strategy `'wechat-app'`: a native app's posted
 * `{ code, state, multiEnd? }`, its state spent (`WxAppStates`) before WeChat
 * is called, then the login (`WxAppLogin`) and its profile to the app's
 * `WxValidator`. A JSON API for a client without cookies: no redirect.
 */
@Injectable()
export class WxAppStrategy extends PassportStrategy(Strategy, WX_STRATEGIES.app) {
  declare error: (err: unknown) => void;
  declare success: (user: unknown) => void;

  constructor(
    private readonly apps: WxOAuthApps,
    private readonly states: WxAppStates,
    private readonly app: WxAppLogin,
    private readonly validation: WxValidation,
  ) {
    super();
  }

  override authenticate(req: PassportRequest, options?: WxAppLoginRouteOptions): void {
    this.login(req, options).then(
      (user) => this.success(user),
      (error: unknown) => this.error(asHttpError(error)),
    );
  }

  private async login(req: PassportRequest, options?: WxAppLoginRouteOptions): Promise<unknown> {
    const body = readAppLoginBody(req.method, (req as { body?: unknown }).body);
    const registration = await this.apps.forRequest(req);
    // Before the state: a site without the app answers flow_unavailable (400), not the state's 401.
    const app = this.app.appOf(body, registration);
    // Spent before WeChat is called, whatever the login's outcome.
    if (options?.checkState !== false) await this.states.spend(body.state, registration);
    const { profile, tokens } = await this.app.logIn(body, app);
    return this.validate(profile, tokens);
  }

  /** The app user's profile (and the mobile app's tokens) to the app's user, as every login kind's. */
  validate(profile: WxMobileAppProfile, tokens?: WxAccessToken): Promise<unknown> {
    return this.validation.userOf(profile, tokens);
  }
}
