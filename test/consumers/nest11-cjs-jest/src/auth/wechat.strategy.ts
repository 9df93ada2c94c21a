import { Injectable } from '@nestjs/common';
import { WxLogin, WxStrategy, type WxProfile } from 'nest-wx-oauth';
import { type User, UsersService } from '../users/users.service';

@Injectable()
export class WeChatStrategy extends WxStrategy {
  constructor(
    login: WxLogin,
    private readonly users: UsersService,
  ) {
    super(login);
  }

  /** Becomes `req.user`; return null to refuse the login (401). */
  override async validate(profile: WxProfile): Promise<User> {
    return this.users.upsertByOpenid(profile.openid, { name: profile.nickname });
  }
}
