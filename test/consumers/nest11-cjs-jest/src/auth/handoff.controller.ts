import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { WxHandoff } from 'nest-wx-oauth';
import type { User } from '../users/user.entity';

@Controller('auth/wechat')
export class HandoffController {
  constructor(
    private readonly handoff: WxHandoff,
    private readonly jwt: JwtService,
  ) {}

  @Post('handoff')
  @HttpCode(200)
  async exchange(
    @Body('code') code: unknown,
    @Headers('origin') origin?: string,
  ) {
    const user = await this.handoff.redeem<User>(code, origin); // req.user of the login, as JSON
    return { token: await this.jwt.signAsync({ sub: user.id }), user };
  }
}
