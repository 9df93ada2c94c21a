import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-strategy';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import { WX_WECOM_SCOPES } from '../../client/wx-wecom.types.js';
import { asHttpError } from '../../errors/wx-http-exception.js';
import { assertLoginMethod, readLoginQuery } from '../../http/login-request.js';
import type { WxWeComProfile } from '../../profile/wx-wecom-profile.js';
import { WxValidation } from '../../profile/wx-validation.js';
import type { WxAuthInfo } from '../../state/wx-auth-info.interface.js';
import { WX_STRATEGIES } from '../../wx-oauth.constants.js';
import type { WxWeComLoginRouteOptions } from './wx-wecom-login-route.decorator.js';
import { WxWeComLogin } from './wx-wecom-login.js';

type PassportRequest = Parameters<Strategy['authenticate']>[0];

/** The route's options, and a `returnTo` a guard's `getAuthenticateOptions` may add. */
type WxWeComAuthenticateOptions = WxWeComLoginRouteOptions & { returnTo?: string };

/**
 * The Passport strategy `'wecom'`: WeCom's browser login on one route, its own
 * callback. A request without `code` and `state` starts a login (redirected
 * to WeCom); one with them ends it (`WxWeComLogin.complete`), a non-member
 * refused unless the route that started the login accepts them, and the profile goes to the app's
 * `WxValidator`. passport-strategy's `Strategy` rather than passport-oauth2's:
 * WeCom's code is no OAuth2 token request (it goes with the corp's token to
 * getuserinfo, and gives no user token), so only the state store would be
 * passport-oauth2's, and the state pieces are the core's already.
 */
@Injectable()
export class WxWeComStrategy extends PassportStrategy(Strategy, WX_STRATEGIES.wecom) {
  declare error: (err: unknown) => void;
  declare redirect: (url: string, status?: number) => void;
  declare success: (user: unknown, info?: WxAuthInfo) => void;

  constructor(
    private readonly login: WxWeComLogin,
    private readonly validation: WxValidation,
  ) {
    super();
  }

  override authenticate(req: PassportRequest, options: WxWeComAuthenticateOptions = {}): void {
    this.run(req, options).catch((error: unknown) => this.error(asHttpError(error)));
  }

  private async run(req: PassportRequest, options: WxWeComAuthenticateOptions): Promise<void> {
    assertLoginMethod(req.method);
    const { code, state, returnTo, error } = readLoginQuery(req.query);
    if (code === undefined && state === undefined) {
      const scope = options.scope ?? 'snsapi_base';
      // A WeChat scope (a route's @WxAuthScope) means nothing to WeCom.
      if (!WX_WECOM_SCOPES.includes(scope))
        throw new WxOAuthError(
          'invalid_request',
          `WeCom's scope is snsapi_base or snsapi_privateinfo, not ${String(scope).slice(0, 32)}`,
        );
      const kept = { nonMembers: options.nonMembers };
      return this.redirect(await this.login.start(req, scope, kept, options.returnTo ?? returnTo));
    }
    // A login brought back without a code, or with an error, was not authorised.
    if (!code || !state || error !== undefined)
      throw new WxOAuthError('denied', 'The login was not authorised in WeCom');
    // The route that started the login decides (its options are in the state), whichever route WeCom returns to;
    // a login no route started (the panel's) is the callback route's.
    const { profile, info, kept } = await this.login.complete(req, state, code);
    if (!profile.member && (kept.nonMembers ?? options.nonMembers) !== 'accept')
      throw new WxOAuthError(
        'not_member',
        `Only members of the corp may log in here, and this WeCom user is not one of ${profile.corpid}'s`,
      );
    this.success(await this.validate(profile), { state: info });
  }

  /** The WeCom profile to the app's user, as every login kind's. */
  validate(profile: WxWeComProfile): Promise<unknown> {
    return this.validation.userOf(profile);
  }
}
