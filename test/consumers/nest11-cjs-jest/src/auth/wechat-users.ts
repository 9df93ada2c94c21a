import { WxValidator, type WxProfile } from 'nest-wx-oauth';
import { type User, UsersService } from '../users/users.service';

/** The app's user for every WeChat login: it becomes `req.user`; return null to refuse the login (401). */
@WxValidator()
export class WeChatUsers implements WxValidator {
  constructor(private readonly users: UsersService) {}

  validate(profile: WxProfile): User {
    return this.users.upsertByOpenid(profile.openid, {
      name: profile.nickname,
    });
  }
}
