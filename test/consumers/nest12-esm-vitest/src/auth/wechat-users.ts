import { Inject } from '@nestjs/common';
import { WxIdentities, WxValidator, type WxWeChatProfile } from 'nest-wx-oauth';
import type { EntityManager } from 'typeorm';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

@WxValidator()
export class WeChatUsers implements WxValidator {
  // @Inject on each parameter: vitest 3 compiles with esbuild, which emits no decorator metadata.
  constructor(
    @Inject(WxIdentities) private readonly identities: WxIdentities,
    @Inject(UsersService) private readonly users: UsersService,
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
