import { WxIdentities, type WxProfile, WxValidator } from 'nest-wx-oauth';
import type { EntityManager } from 'typeorm';
import type { DemoLogin } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';

/**
 * The demo's user for every WeChat login, whichever app it went through (the
 * official account, the website app, the follow login, the mini-program, the
 * native app's mobile app or its multi-end app): the person `WxIdentities`
 * resolves the identity to, a new demo user the first time. What `WxAuthGuard`
 * puts on `req.user`, and the session keeps.
 */
@WxValidator()
export class WeChatUsers implements WxValidator {
  constructor(
    private readonly identities: WxIdentities,
    private readonly users: DemoUsers,
  ) {}

  async validate(profile: WxProfile): Promise<DemoLogin> {
    const { userId } = await this.identities.resolve(profile, (_p, tx: EntityManager) =>
      this.users.create(tx),
    );
    return this.users.logIn(userId, profile);
  }
}
