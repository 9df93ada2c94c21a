import { Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { type LoginRequest, nodeRequest, nodeResponse } from '../../http/login-request.js';
import { WxStateStore } from '../../state/wx-state.store.js';

/**
 * What a page passes to WeChat's `new WxLogin({ id, ...settings })` (wxLogin.js)
 * to show the website app's QR code inside the page. Values are as WeChat's
 * script wants them: `redirect_uri` and `href` URL-encoded.
 *
 * @publicApi
 */
export interface WxLoginSettings {
  appid: string;
  scope: 'snsapi_login';
  redirect_uri: string;
  state: string;
  /** true: WeChat's callback loads inside the iframe; false: in the whole page. */
  self_redirect: boolean;
  style?: 'black' | 'white';
  href?: string;
}

/** @publicApi */
export interface WxQrLoginOptions {
  /** Where to go after the login, a path on this site; as a login route's `?returnTo=`. */
  returnTo?: string;
  /** @default false: the callback loads in the whole page */
  selfRedirect?: boolean;
  /** The QR code's colours. @default 'black' */
  style?: 'black' | 'white';
  /** An https URL of a stylesheet for the QR frame. */
  href?: string;
}

/**
 * The website QR login inside the site's own page, with the CSRF state on:
 * `settings()` mints the state when the page is rendered, sets its cookie on
 * the page's response, and answers the `WxLogin` settings; the callback
 * (guarded by `WxAuthGuard` as usual) verifies it like any other login.
 *
 * @publicApi
 */
@Injectable()
export class WxQrLogin {
  constructor(
    private readonly apps: WxOAuthApps,
    private readonly states: WxStateStore,
  ) {}

  /**
   * The settings for `new WxLogin(...)`. `req` and `res` are the page's
   * (Express's, or Fastify's request and reply); rejects with `flow_unavailable`
   * when the site (the request's tenant) has no website app, `invalid_request`
   * for a bad `returnTo`.
   */
  async settings(
    req: object,
    res: object,
    options: WxQrLoginOptions = {},
  ): Promise<WxLoginSettings> {
    const request = nodeRequest(req);
    const registration = await this.apps.forRequest(req as LoginRequest);
    const { client } = registration.forScope('snsapi_login');
    const state = this.states.issue(
      request,
      nodeResponse(res),
      { appid: client.appid, tenant: registration.tenant },
      options.returnTo,
    );
    const callbackURL = registration.callbackURL!; // set wherever a website app is (the options' check)
    return {
      appid: client.appid,
      scope: 'snsapi_login',
      redirect_uri: encodeURIComponent(callbackURL),
      state,
      self_redirect: options.selfRedirect ?? false,
      ...(options.style ? { style: options.style } : {}),
      ...(options.href ? { href: encodeURIComponent(options.href) } : {}),
    };
  }
}
