/**
 * A user's tokens as the store keeps them, with absolute expiry times (ms since the epoch).
 *
 * @publicApi
 */
export interface WxStoredToken {
  openid: string;
  unionid?: string;
  scope: string;
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
  /** WeChat's refresh token lives 30 days from the login and is never extended. */
  refreshTokenExpiresAt: number;
}
