import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { WxHandoff } from 'nest-wx-oauth';
import type { User } from '../users/users.service';
import { TokensService } from './tokens.service';

/** Where the SPA exchanges the login's one-time code for the app's own token. */
@Controller('auth/wechat')
export class HandoffController {
  constructor(
    private readonly handoff: WxHandoff,
    private readonly tokens: TokensService,
  ) {}

  @Post('handoff')
  @HttpCode(200)
  async exchange(@Body('code') code: unknown, @Headers('origin') origin?: string) {
    const user = await this.handoff.redeem<User>(code, origin);
    return { token: this.tokens.issue(user), user };
  }
}
