/**
 * What a verified login state hands back.
 *
 * @publicApi
 */
export interface WxStateInfo {
  /** Where to go after the login, as the login route was given it. */
  returnTo?: string;
  /** The app that started the login, whose secret the code went to; a WeCom app's `<corpid>-<agentid>`. */
  appid: string;
  /** The tenant that started it, with `tenants`. */
  tenant?: string;
}

/**
 * `req.authInfo` after a WeChat login: `const { returnTo } = (req.authInfo as WxAuthInfo).state`.
 *
 * @publicApi
 */
export interface WxAuthInfo {
  state: WxStateInfo;
}
