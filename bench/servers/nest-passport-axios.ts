// Reference: a minimal passport strategy in Nest, no library, no state: passport-oauth2's
// Strategy through @nestjs/passport's PassportStrategy, AuthGuard on the routes, and
// WeChat's two calls on the tuned axios instance of servers/wx-axios.ts. What Passport
// itself costs on the adapter (Express, or Fastify with NEST_ADAPTER=fastify).
import 'reflect-metadata';
import type { ServerResponse } from 'node:http';
import {
  BadGatewayException,
  Controller,
  Get,
  HttpException,
  Injectable,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import OAuth2Strategy from 'passport-oauth2';
import { createNestApp } from './nest-app.js';
import { apiBaseUrl, appid, callbackURL, openBaseUrl, port, ready, secret } from './env.mjs';
import { exchangeCode, fetchUser, type WxTokenResponse, type WxUser } from './wx-axios.js';

const STRATEGY = 'wechat-axios';

type TokenCallback = (
  err: unknown,
  accessToken?: string,
  refreshToken?: string,
  params?: WxTokenResponse,
) => void;

// Arity 5: passport-oauth2 hands the token response (which carries the openid) only to a 5-argument verify.
@Injectable()
class WechatAxiosStrategy extends PassportStrategy(OAuth2Strategy, STRATEGY, 5) {
  constructor() {
    super({
      // passport-oauth2 adds its parameters (and a client_id WeChat ignores) to this query and keeps the fragment.
      authorizationURL: `${openBaseUrl}/connect/oauth2/authorize?appid=${appid}#wechat_redirect`,
      tokenURL: `${apiBaseUrl}/sns/oauth2/access_token`,
      clientID: appid!,
      clientSecret: secret!,
      callbackURL,
      scope: 'snsapi_userinfo',
      // The profile needs the openid, which userProfile(accessToken) is not given: validate fetches it.
      skipUserProfile: true,
    });
    // WeChat's exchange (appid and secret in the query, a GET) on the axios instance, instead of the oauth package's POST.
    (
      this._oauth2 as unknown as {
        getOAuthAccessToken(code: string, params: unknown, callback: TokenCallback): void;
      }
    ).getOAuthAccessToken = (code, _params, callback) => {
      exchangeCode(code).then(
        (token) => callback(null, token.access_token, token.refresh_token, token),
        callback,
      );
    };
  }

  validate(
    accessToken: string,
    _refreshToken: string,
    params: WxTokenResponse,
    _profile: unknown,
  ): Promise<WxUser> {
    return fetchUser(accessToken, params.openid);
  }
}

@Injectable()
class WechatAxiosGuard extends AuthGuard(STRATEGY) {
  /** A fixed state, as the other non-library peers send; nothing checks it. */
  override getAuthenticateOptions(): { state: string } {
    return { state: 'STATE' };
  }

  /** WeChat's failures as 502 (passport wraps them in InternalOAuthError, a 500), a refused login as 401. */
  override handleRequest<T>(err: unknown, user: T): T {
    if (err instanceof HttpException) throw err;
    if (err) throw new BadGatewayException(err instanceof Error ? err.message : String(err));
    if (!user) throw new UnauthorizedException();
    return user;
  }

  /** Node's response on both adapters (Fastify's reply.raw): passport writes its redirect there. */
  getResponse(context: ExecutionContext): ServerResponse {
    const res = context.switchToHttp().getResponse<{ raw?: ServerResponse }>();
    return res.raw ?? (res as ServerResponse);
  }
}

@Controller('auth/wechat')
class AuthController {
  @Get()
  @UseGuards(WechatAxiosGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WechatAxiosGuard)
  callback(@Req() req: { user?: unknown }): WxUser {
    return req.user as WxUser;
  }
}

@Module({ controllers: [AuthController], providers: [WechatAxiosStrategy] })
class AppModule {}

const app = await createNestApp(AppModule);
await app.listen(port, '127.0.0.1');
ready(() => app.close());
