/** @internal The options as the app passed them; `InjectWxOAuthOptions()` injects them. */
export const WX_OAUTH_MODULE_OPTIONS = 'WX_OAUTH:MODULE_OPTIONS';
/** @internal The options validated, with defaults applied. */
export const WX_OAUTH_OPTIONS = 'WX_OAUTH:OPTIONS';
/**
 * The module's store (`WxOAuthStore`): the `store` option, else a `WxMemoryStore`.
 * Tests can replace it: `.overrideProvider(WX_OAUTH_STORE).useValue(store)`.
 *
 * @publicApi
 */
export const WX_OAUTH_STORE = 'WX_OAUTH:STORE';
/** @internal The clock (`WxClock`) the module reads, which specs override. */
export const WX_OAUTH_CLOCK = 'WX_OAUTH:CLOCK';
/**
 * The Passport strategy's name.
 *
 * @publicApi
 */
export const WX_OAUTH_STRATEGY = 'wechat';
/** @internal Each app kind's client, for `@InjectWxOAuth(kind)`. */
export const WX_OAUTH_APP_CLIENT = {
  officialAccount: 'WX_OAUTH:CLIENT:officialAccount',
  website: 'WX_OAUTH:CLIENT:website',
  miniProgram: 'WX_OAUTH:CLIENT:miniProgram',
} as const;
