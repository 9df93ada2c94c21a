import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-strategy';
import { asHttpError } from '../../errors/wx-http-exception.js';
import { assertLoginMethod, readLoginQuery, responseOf } from '../../http/login-request.js';
import { assertReturnTo } from '../../http/return-to.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import type { WxFollowProfile } from '../../profile/wx-profile.js';
import { WxValidation } from '../../profile/wx-validation.js';
import type { WxAuthInfo } from '../../state/wx-auth-info.interface.js';
import { WX_STRATEGIES, WX_OAUTH_OPTIONS } from '../../wx-oauth.constants.js';
import { WxFollowLogin } from './wx-follow-login.js';

type PassportRequest = Parameters<Strategy['authenticate']>[0];

/**
 * The Passport strategy `'wechat-follow'`: completes this browser's scanned
 * follow login (`WxFollowLogin.complete`) once, and hands its profile to the
 * app's `WxValidator`; `req.authInfo.state` has the route's `returnTo`.
 */
@Injectable()
export class WxFollowStrategy extends PassportStrategy(Strategy, WX_STRATEGIES.follow) {
  declare error: (err: unknown) => void;
  declare success: (user: unknown, info?: WxAuthInfo) => void;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly follow: WxFollowLogin,
    private readonly validation: WxValidation,
  ) {
    super();
  }

  override authenticate(req: PassportRequest, options: { returnTo?: string } = {}): void {
    this.login(req, options.returnTo).then(
      ({ user, info }) => this.success(user, info),
      (error: unknown) => this.error(asHttpError(error)),
    );
  }

  private async login(
    req: PassportRequest,
    routeReturnTo: string | undefined,
  ): Promise<{ user: unknown; info: WxAuthInfo }> {
    assertLoginMethod(req.method);
    const returnTo = assertReturnTo(
      routeReturnTo ?? readLoginQuery(req.query).returnTo,
      this.settings.frontendOrigins,
    );
    const profile = await this.follow.complete(req, responseOf(req));
    const user = await this.validate(profile);
    return { user, info: { state: { appid: profile.appid, ...(returnTo ? { returnTo } : {}) } } };
  }

  /** The follower's profile to the app's user, as every login kind's. */
  validate(profile: WxFollowProfile): Promise<unknown> {
    return this.validation.userOf(profile);
  }
}
