import { Inject } from '@nestjs/common';
import { WxValidator, type WxProfile } from 'nest-wx-oauth';
import { type User, UsersService } from '../users/users.service.js';

/** The app's user for every WeChat login: it becomes `req.user`; return null to refuse the login (401). */
@WxValidator()
export class WeChatUsers implements WxValidator {
  // @Inject on each parameter: vitest 3 compiles with esbuild, which emits no decorator metadata.
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  validate(profile: WxProfile): User {
    return this.users.upsertByOpenid(profile.openid, {
      name: profile.nickname,
    });
  }
}
