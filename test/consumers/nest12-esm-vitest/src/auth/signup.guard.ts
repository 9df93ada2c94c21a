import {
  ForbiddenException,
  HttpException,
  Injectable,
  type ExecutionContext,
} from '@nestjs/common';
import {
  WxAuthGuard,
  type WxAuthenticateOptions,
  type WxWeChatProfile,
} from 'nest-wx-oauth';

@Injectable()
export class SignupGuard extends WxAuthGuard {
  override getAuthenticateOptions(
    context: ExecutionContext,
  ): WxAuthenticateOptions {
    return {
      ...super.getAuthenticateOptions(context),
      scope: 'snsapi_userinfo',
      returnTo: '/welcome',
      callbackURL: 'https://www.example.com/signup/wechat/done',
    };
  }

  override handleRequest<TUser>(
    err: unknown,
    user: unknown,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    // A refused login becomes a 403; the rest is answered as WxAuthGuard does (a 400, WeChat's 5xx).
    if (err instanceof HttpException && err.getStatus() === 401)
      throw new ForbiddenException('The app says no');
    const profile = super.handleRequest<WxWeChatProfile>(
      err,
      user,
      info,
      context,
    );
    return { member: profile.openid } as TUser;
  }
}
