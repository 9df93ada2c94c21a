import { Injectable, Logger } from '@nestjs/common';
import { InjectWxOAuthOptions, WxComponent, type WxOAuthModuleOptions } from 'nest-wx-oauth';

/** WeChat's API host, where the module's `apiBaseUrl` is not set. */
const WECHAT_API = 'https://api.weixin.qq.com';

interface AuthorizerInfoAnswer {
  errcode?: number;
  authorizer_info?: { nick_name?: unknown };
}

/**
 * A merchant's account name (`nick_name`), for the pages: one of the platform's
 * own calls (`api_get_authorizer_info`), made with the platform's token through
 * `WxComponent.withComponentToken`. A name is not worth failing the connection
 * for: when WeChat does not give one, the account is named by its appid.
 */
@Injectable()
export class AuthorizerNames {
  private readonly logger = new Logger(AuthorizerNames.name);

  constructor(
    private readonly component: WxComponent,
    @InjectWxOAuthOptions() private readonly options: WxOAuthModuleOptions,
  ) {}

  async nameOf(authorizerAppid: string): Promise<string> {
    try {
      const answer = await this.component.withComponentToken((token) =>
        this.authorizerInfo(token, authorizerAppid),
      );
      const name = answer.authorizer_info?.nick_name;
      if (typeof name === 'string' && name.trim()) return name.trim();
      this.logger.warn(`No name for ${authorizerAppid}: WeChat errcode ${answer.errcode ?? '-'}`);
    } catch (error) {
      this.logger.warn(
        `No name for ${authorizerAppid}: ${error instanceof Error ? error.name : 'failed'}`,
      );
    }
    return authorizerAppid;
  }

  private async authorizerInfo(
    token: string,
    authorizerAppid: string,
  ): Promise<AuthorizerInfoAnswer> {
    const base = (this.options.apiBaseUrl ?? WECHAT_API).replace(/\/+$/, '');
    const url = `${base}/cgi-bin/component/api_get_authorizer_info?component_access_token=${encodeURIComponent(token)}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        component_appid: this.component.appid,
        authorizer_appid: authorizerAppid,
      }),
      signal: AbortSignal.timeout(5000),
    });
    return (await response.json()) as AuthorizerInfoAnswer;
  }
}
