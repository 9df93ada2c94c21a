import { Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { isWeComBrowser } from '../../apps/wx-user-agent.js';
import { naming, weComRef, type WxWeComApp } from '../../apps/wx-registration.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import type { WxWeComScope, WxWeComUserInfo } from '../../client/wx-wecom.types.js';
import { assertCallbackHost, type LoginRequest, responseOf } from '../../http/login-request.js';
import { weComProfile, type WxWeComProfile } from '../../profile/wx-wecom-profile.js';
import type { WxStateInfo } from '../../state/wx-auth-info.interface.js';
import { DuplicateCallbacks } from '../../state/duplicate-callbacks.js';
import { WxStateStore, type WxVerifiedState } from '../../state/wx-state.store.js';
import { WxWeComTokens } from '../../tokens/wx-wecom-tokens.js';
import { isDevelopment } from '../../utils/node-env.js';
import type { WxWeComLoginRouteOptions } from './wx-wecom-login-route.decorator.js';

/** What the route that started a login decides of its end, kept in its state. */
type WxWeComKept = Pick<WxWeComLoginRouteOptions, 'nonMembers'>;

/** How the state keeps the starting route's `nonMembers`. */
const NON_MEMBERS = 'wecom:nonMembers=';

/**
 * The WeCom login, which the strategy runs on a `@WxWeComLoginRoute()` route:
 * its start (a state minted, and WeCom's page for this browser) and its end
 * (the state verified and used up, the code exchanged once with the corp
 * token, the consenting member's details fetched).
 *
 * @internal
 */
@Injectable()
export class WxWeComLogin {
  constructor(
    private readonly apps: WxOAuthApps,
    private readonly states: WxStateStore,
    private readonly duplicates: DuplicateCallbacks,
    private readonly tokens: WxWeComTokens,
  ) {}

  /**
   * Where to send the browser that starts a login: WeCom's authorize page
   * inside its client, else its web login page. WeCom brings every login back
   * to the one `callbackURL`, so the state keeps what the starting route
   * decides of the end (`nonMembers`) for whichever route serves it.
   */
  async start(
    req: LoginRequest,
    scope: WxWeComScope,
    kept: WxWeComKept,
    returnTo: unknown,
  ): Promise<string> {
    const registration = await this.apps.forRequest(req);
    const app = registration.weCom();
    if (isDevelopment()) assertCallbackHost(req, app.callbackURL);
    const state = this.states.issue(
      req,
      responseOf(req),
      { appid: weComRef(app.client), tenant: registration.tenant },
      returnTo,
      NON_MEMBERS + (kept.nonMembers ?? 'refuse'),
    );
    return isWeComBrowser(req.headers['user-agent'])
      ? app.client.getAuthorizeUrl(app.callbackURL, scope, state)
      : app.client.getLoginUrl(app.callbackURL, state);
  }

  /**
   * The login WeCom brought back: its state checked against its cookie and
   * used up (WeCom's repeated callbacks told from replays), then the profile
   * of its code, one exchange for a repeated callback. `kept`: what the route
   * that started the login decided, none for a login no route started (the
   * panel's), which the callback's route decides.
   */
  async complete(
    req: LoginRequest,
    state: string,
    code: string,
  ): Promise<{ profile: WxWeComProfile; info: WxStateInfo; kept: WxWeComKept }> {
    const { kept, ...info } = await new Promise<WxVerifiedState>((resolve, reject) =>
      this.states.verify(req, state, (error, _ok, verified) =>
        error ? reject(error) : resolve(verified!),
      ),
    );
    const app = await this.apps.weComByRef(info.appid, info.tenant);
    if (!app)
      throw new WxOAuthError(
        'invalid_state',
        'Login state names a WeCom app this site no longer has; please log in again',
      );
    const profile = await this.duplicates.share(state, code, () => this.profileOf(app, code));
    return {
      profile,
      info,
      kept: kept?.startsWith(NON_MEMBERS)
        ? { nonMembers: kept.slice(NON_MEMBERS.length) === 'accept' ? 'accept' : 'refuse' }
        : {},
    };
  }

  private async profileOf(app: WxWeComApp, code: string): Promise<WxWeComProfile> {
    const { client } = app;
    const userinfo = await this.call(app, (token) => client.getUserInfo(token, code));
    if (!userinfo.userid && !userinfo.openid && !userinfo.external_userid)
      throw new WxOAuthError('bad_response', 'WeCom /cgi-bin/auth/getuserinfo named no one', {
        endpoint: '/cgi-bin/auth/getuserinfo',
      });
    const { userid, user_ticket: ticket } = userinfo;
    if (!userid || !ticket) return weComProfile(client.corpid, client.agentid, userinfo);
    return this.withDetails(app, userinfo, userid, ticket);
  }

  /** A consenting member's profile: getuserdetail's fields, and their name, which only `/cgi-bin/user/get` gives. */
  private async withDetails(
    app: WxWeComApp,
    userinfo: WxWeComUserInfo,
    userid: string,
    ticket: string,
  ): Promise<WxWeComProfile> {
    const { client } = app;
    const detail = await this.call(app, (token) => client.getUserDetail(token, ticket));
    const member = await this.call(app, (token) => client.getMember(token, userid)).catch(
      (error: unknown) => {
        // Outside what the app may read of the contacts: the login goes on without the name.
        if (error instanceof WxOAuthError && error.errcode === 60011) return undefined;
        throw error;
      },
    );
    return weComProfile(client.corpid, client.agentid, userinfo, detail, member?.name);
  }

  /**
   * A WeCom call with the app's corp token, named in WeCom's refusals of the
   * app. A token WeCom refuses even fresh is WeCom's failure (502), not the
   * user's (`invalid_token` is 401).
   */
  private async call<T>(app: WxWeComApp, call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await naming(app, this.tokens.withToken(app.client, call));
    } catch (error) {
      if (error instanceof WxOAuthError && error.kind === 'invalid_token')
        throw new WxOAuthError(
          'upstream',
          `${error.message} (a corp token it had just issued)`,
          error,
        );
      throw error;
    }
  }
}
