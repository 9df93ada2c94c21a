import { Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { WxPushReceiver } from 'nest-wx-oauth';

/** The official account's message push, at the server URL of its console (服务器配置). */
@Controller('wechat/events')
export class WechatEventsController {
  constructor(private readonly push: WxPushReceiver) {}

  /** The console's URL check. */
  @Get()
  check(@Query() query: Record<string, string>): string {
    return this.push.checkUrl(query);
  }

  /** Follow-login scans are recorded by `receive`; an account would handle its other messages here. */
  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request): Promise<string> {
    const message = await this.push.receive(req);
    return this.push.reply(message, message.handled ? '登录成功 · Logged in' : undefined);
  }
}
