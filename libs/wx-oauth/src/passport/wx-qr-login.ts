import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { WxStateStore } from '../state/wx-state.store.js';
import { WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import { WxOAuthApps } from '../wx-oauth.apps.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';

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
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
    private readonly apps: WxOAuthApps,
    private readonly state: WxStateStore,
  ) {}

  /**
   * The settings for `new WxLogin(...)`. `req` and `res` are the page's
   * (Express's, or Fastify's request and reply); throws `flow_unavailable`
   * when the site has no website app, `invalid_request` for a bad `returnTo`.
   */
  settings(req: object, res: object, options: WxQrLoginOptions = {}): WxLoginSettings {
    const { client } = this.apps.forScope('snsapi_login');
    const request = (req as { raw?: IncomingMessage }).raw ?? (req as IncomingMessage);
    const response = (res as { raw?: ServerResponse }).raw ?? (res as ServerResponse);
    const state = this.state.issue(options.returnTo, client.appid, request, response);
    return {
      appid: client.appid,
      scope: 'snsapi_login',
      redirect_uri: encodeURIComponent(this.options.callbackURL),
      state,
      self_redirect: options.selfRedirect ?? false,
      ...(options.style ? { style: options.style } : {}),
      ...(options.href ? { href: encodeURIComponent(options.href) } : {}),
    };
  }
}
