import { Inject, Injectable } from '@nestjs/common';
import { WxLogin, WxStrategy, type WxProfile } from 'nest-wx-oauth';
import { type User, UsersService } from '../users/users.service.js';

// @Inject on each parameter: vitest 3 compiles with esbuild, which emits no decorator metadata.
@Injectable()
export class WeChatStrategy extends WxStrategy {
  constructor(
    @Inject(WxLogin) login: WxLogin,
    @Inject(UsersService) private readonly users: UsersService,
  ) {
    super(login);
  }

  /** Becomes `req.user`; return null to refuse the login (401). */
  override async validate(profile: WxProfile): Promise<User> {
    return this.users.upsertByOpenid(profile.openid, { name: profile.nickname });
  }
}
