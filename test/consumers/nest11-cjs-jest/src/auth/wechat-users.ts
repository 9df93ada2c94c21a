import { WxIdentities, WxValidator, type WxWeChatProfile } from 'nest-wx-oauth';
import type { EntityManager } from 'typeorm';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';

@WxValidator()
export class WeChatUsers implements WxValidator {
  constructor(
    private readonly identities: WxIdentities,
    private readonly users: UsersService,
  ) {}

  /** Becomes `req.user`; return null to refuse the login (401). Its second parameter is the login's tokens. */
  async validate(profile: WxWeChatProfile): Promise<User | null> {
    const { userId } = await this.identities.resolve(
      profile,
      (p, tx: EntityManager) => this.users.create(p, tx),
    );
    return this.users.findOne(userId);
  }
}
