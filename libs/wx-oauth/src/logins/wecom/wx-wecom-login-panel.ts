import { Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { weComRef } from '../../apps/wx-registration.js';
import { type LoginRequest, nodeRequest, nodeResponse } from '../../http/login-request.js';
import { WxStateStore } from '../../state/wx-state.store.js';

/**
 * What a page passes as `params` to `ww.createWWLoginPanel({ el, params })`
 * (`@wecom/jssdk` 2.3.2 and later) to show WeCom's login panel inside the
 * page, under WeCom's own names.
 *
 * @publicApi
 */
export interface WxWeComLoginPanelSettings {
  login_type: 'CorpApp';
  /** The corpid. */
  appid: string;
  agentid: string;
  /** The WeCom login route, `wecom.callbackURL`, as it is (the SDK encodes it). */
  redirect_uri: string;
  state: string;
  /** The whole page goes to the callback after the login, bringing the state's cookie. */
  redirect_type: 'top';
}

/** @publicApi */
export interface WxWeComLoginPanelOptions {
  /** Where to go after the login, a path on this site (or a URL on a front-end origin); as the login route's `?returnTo=`. */
  returnTo?: string;
}

/**
 * WeCom's login panel inside the site's own page, with the same verified
 * state as every browser login: `settings()` mints the state when the page is
 * rendered, sets its cookie on the page's response, and answers the panel's
 * params; the callback (the `@WxWeComLoginRoute()` route) verifies it.
 *
 * @publicApi
 */
@Injectable()
export class WxWeComLoginPanel {
  constructor(
    private readonly apps: WxOAuthApps,
    private readonly states: WxStateStore,
  ) {}

  /**
   * The params for `ww.createWWLoginPanel`. `req` and `res` are the page's
   * (Express's, or Fastify's request and reply); rejects with `flow_unavailable`
   * when the site (the request's tenant) has no WeCom app, `invalid_request`
   * for a bad `returnTo`.
   */
  async settings(
    req: object,
    res: object,
    options: WxWeComLoginPanelOptions = {},
  ): Promise<WxWeComLoginPanelSettings> {
    const registration = await this.apps.forRequest(req as LoginRequest);
    const { client, callbackURL } = registration.weCom();
    const state = this.states.issue(
      nodeRequest(req),
      nodeResponse(res),
      { appid: weComRef(client), tenant: registration.tenant },
      options.returnTo,
    );
    return {
      login_type: 'CorpApp',
      appid: client.corpid,
      agentid: client.agentid,
      redirect_uri: callbackURL,
      state,
      redirect_type: 'top',
    };
  }
}
