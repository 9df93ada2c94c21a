import { Injectable } from '@nestjs/common';
import type { WxAuthorizationLinkOptions } from '../client/wx-component.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { WxAuthorizers } from './wx-authorizers.js';
import { WxComponentPlatform } from './wx-component-platform.js';

/**
 * A merchant's authorisation links, both on one pre-auth code (single use).
 *
 * @publicApi
 */
export interface WxComponentLinks {
  /** The authorisation page on a computer: link to it from a page of the platform's domain (WeChat checks the Referer). */
  pc: string;
  /** The link inside WeChat on a phone. */
  mobile: string;
  /** How long the links work, in seconds. */
  expiresIn: number;
}

/**
 * What a merchant authorised: hand `authorizerRefreshToken` to your storage,
 * and serve the merchant as a tenant whose app is `{ appid: authorizerAppid,
 * component: true, authorizerRefreshToken }`.
 *
 * @publicApi
 */
export interface WxComponentAuthorization {
  /** The merchant's official account or mini-program. */
  authorizerAppid: string;
  /** The only way back to the merchant's own token: persist it; WeChat gives it once. */
  authorizerRefreshToken: string;
  /** The permission sets (权限集) granted, by id (`func_info`); the web login on behalf needs 网页服务 (4). */
  permissions: number[];
}

/** WeChat's auth codes are short; anything past this is not one. */
const MAX_AUTH_CODE_LENGTH = 512;

/**
 * Onboarding merchants on the module's third-party platform (`component`):
 * the authorisation links (a pre-auth code, then the page on a computer and
 * the link on a phone), and the return (`redirect_uri?auth_code=…`), whose code
 * `completeAuthorization` exchanges for the merchant's appid, its permissions
 * and its refresh token. The platform's token comes from the newest ticket
 * `WxComponentReceiver` kept, fetched once across instances.
 *
 * @publicApi
 */
@Injectable()
export class WxComponent {
  constructor(
    private readonly platform: WxComponentPlatform,
    private readonly authorizers: WxAuthorizers,
  ) {}

  /** The platform's appid; `flow_unavailable` without the `component` option. */
  get appid(): string {
    return this.platform.registered().appid;
  }

  /**
   * A merchant's authorisation links, returning to `redirectUri` (on the
   * platform's authorised redirect domain) with `?auth_code=&expires_in=`.
   * Make new ones for each visit: a pre-auth code works once.
   */
  async authorizationLinks(
    redirectUri: string,
    options: WxAuthorizationLinkOptions = {},
  ): Promise<WxComponentLinks> {
    const client = this.platform.registered();
    const { pre_auth_code, expires_in } = await this.platform.withToken((token) =>
      client.createPreAuthCode(token),
    );
    return {
      pc: client.authorizationPageUrl(pre_auth_code, redirectUri, options),
      mobile: client.mobileAuthorizationUrl(pre_auth_code, redirectUri, options),
      expiresIn: expires_in,
    };
  }

  /**
   * The return of an authorisation: its `auth_code` exchanged
   * (`api_query_auth`). A merchant that had revoked its authorisation is
   * served again from here on. An unknown or expired code is `invalid_code` (401).
   */
  async completeAuthorization(authCode: unknown): Promise<WxComponentAuthorization> {
    if (typeof authCode !== 'string' || authCode === '' || authCode.length > MAX_AUTH_CODE_LENGTH)
      throw new WxOAuthError('invalid_request', 'auth_code is missing or malformed');
    const client = this.platform.registered();
    const info = await this.platform.withToken((token) => client.queryAuth(token, authCode));
    await this.authorizers.restore(info.authorizer_appid);
    return {
      authorizerAppid: info.authorizer_appid,
      authorizerRefreshToken: info.authorizer_refresh_token,
      permissions: (info.func_info ?? [])
        .map((func) => func.funcscope_category?.id)
        .filter((id): id is number => typeof id === 'number'),
    };
  }

  /** Runs `call` with the platform's `component_access_token` (for the platform's other APIs), once more with a new one when WeChat refuses it. */
  withComponentToken<T>(call: (componentAccessToken: string) => Promise<T>): Promise<T> {
    return this.platform.withToken(call);
  }

  /** Whether the merchant's account `authorizerAppid` revoked its authorisation (its `unauthorized` event), as every instance sees it. */
  isRevoked(authorizerAppid: string): Promise<boolean> {
    return this.authorizers.isRevoked(authorizerAppid);
  }
}
