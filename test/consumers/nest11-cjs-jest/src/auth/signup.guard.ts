import {
  ForbiddenException,
  HttpException,
  Injectable,
  type ExecutionContext,
} from '@nestjs/common';
import { WxAuthGuard, type WxAuthenticateOptions } from 'nest-wx-oauth';
import type { User } from '../users/user.entity';

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
    // req.user: what your validator returned (the profile only without one).
    const signedUp = super.handleRequest<User>(err, user, info, context);
    if (!signedUp.nickname)
      throw new ForbiddenException('Sign up with your WeChat name');
    return signedUp as TUser;
  }
}
