import { type WxProfile, WxValidator } from 'nest-wx-oauth';
import type { DemoUser } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';

/**
 * The demo's user for every WeChat login, whichever app it went through (the
 * official account, the website app, the follow login, the mini-program, the
 * native app's mobile app or its multi-end app): what `WxAuthGuard` puts on
 * `req.user`, joined by unionid with the same person's earlier logins.
 */
@WxValidator()
export class WeChatUsers implements WxValidator {
  constructor(private readonly users: DemoUsers) {}

  validate(profile: WxProfile): DemoUser {
    return this.users.logIn(profile);
  }
}
