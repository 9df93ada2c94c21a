// The tokens an app injects read as the fix in Nest's "can't resolve" message, where the module is not registered.
const REGISTER = 'register WxOAuthModule.forRoot(...) in AppModule';

/** @internal The options as the app passed them; `InjectWxOAuthOptions()` injects them. */
export const WX_OAUTH_MODULE_OPTIONS = `WxOAuthModule's options: ${REGISTER}`;
/** @internal The options validated, with defaults applied. */
export const WX_OAUTH_OPTIONS = 'WX_OAUTH:OPTIONS';
/**
 * The module's store (`WxOAuthStore`): the `store` option, else a `WxMemoryStore`.
 * Tests can replace it: `.overrideProvider(WX_OAUTH_STORE).useValue(store)`.
 *
 * @publicApi
 */
export const WX_OAUTH_STORE = `WxOAuthModule's store: ${REGISTER}`;
/** @internal The clock (`WxClock`) the module reads, which specs override. */
export const WX_OAUTH_CLOCK = 'WX_OAUTH:CLOCK';
/** @internal Each app kind's client, for `@InjectWxOAuth(kind)`. */
export const WX_OAUTH_APP_CLIENT = {
  officialAccount: `WXOAuth of the official account: ${REGISTER}`,
  website: `WXOAuth of the website app: ${REGISTER}`,
  miniProgram: `WXOAuth of the mini-program: ${REGISTER}`,
  mobileApp: `WXOAuth of the mobile app: ${REGISTER}`,
  multiEndApp: `WXOAuth of the multi-end app: ${REGISTER}`,
} as const;

/**
 * The Passport strategy names of the login kinds, for a plain
 * `AuthGuard(WX_STRATEGIES.miniProgram)`; `WxAuthGuard` picks one by the
 * route's decorator. `oauth`: WeChat's browser login (inside WeChat, the
 * website QR login); `follow`: completes a follow-QR login; `miniProgram`: the
 * mini-program login; `app`: a native app's login; `wecom`: WeCom's login
 * (inside the WeCom client, and on the web).
 *
 * @publicApi
 */
export const WX_STRATEGIES = {
  oauth: 'wechat',
  follow: 'wechat-follow',
  miniProgram: 'wechat-mini-program',
  app: 'wechat-app',
  wecom: 'wecom',
} as const;

/** @internal The metadata key of a login route's `WxLoginRoute` (`@WxFollowLoginRoute()`, ...). */
export const WX_LOGIN_ROUTE = 'wx_oauth:login_route';

/**
 * @internal What a login kind's route decorator tells `WxAuthGuard`, so that
 * the guard knows no kind by name: the strategy to run, and how the route
 * ends. `api`: a JSON API (no session, no redirect: the handler answers);
 * else a browser's route, which with `completes` finishes a login on every
 * request, with `returnsHere` on a request that brings a `code` or a `state`
 * (the route is its own callback, as WeCom's), else only on the callback
 * path, as WeChat's OAuth2. `options` reach the strategy as passport's
 * authenticate options.
 */
export interface WxLoginRoute {
  strategy: string;
  api?: boolean;
  completes?: boolean;
  returnsHere?: boolean;
  options?: object;
}
