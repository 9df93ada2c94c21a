/** @internal The options as the app passed them. */
export const WX_OAUTH_MODULE_OPTIONS = 'WX_OAUTH:MODULE_OPTIONS';
/** @internal The options validated, with defaults applied. */
export const WX_OAUTH_OPTIONS = 'WX_OAUTH:OPTIONS';
/** The Passport strategy's name. */
export const WX_OAUTH_STRATEGY = 'wechat';
/** @internal Each app kind's client, for `@InjectWxOAuth(kind)`. */
export const WX_OAUTH_APP_CLIENT = {
  officialAccount: 'WX_OAUTH:CLIENT:officialAccount',
  website: 'WX_OAUTH:CLIENT:website',
} as const;
