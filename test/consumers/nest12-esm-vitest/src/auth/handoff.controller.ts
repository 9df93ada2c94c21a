import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { WxHandoff } from 'nest-wx-oauth';
import type { User } from '../users/users.service.js';
import { TokensService } from './tokens.service.js';

/** Where the SPA exchanges the login's one-time code for the app's own token. */
@Controller('auth/wechat')
export class HandoffController {
  constructor(
    @Inject(WxHandoff) private readonly handoff: WxHandoff,
    @Inject(TokensService) private readonly tokens: TokensService,
  ) {}

  @Post('handoff')
  @HttpCode(200)
  async exchange(@Body('code') code: unknown, @Headers('origin') origin?: string) {
    const user = await this.handoff.redeem<User>(code, origin);
    return { token: this.tokens.issue(user), user };
  }
}
