import {
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  type Type,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { WxAuthGuard, WxFollowLogin, WxFollowLoginRoute, WxPushReceiver } from 'nest-wx-oauth';

/** What the QR code route answers the login page. */
export type WxFollowQrCode = Awaited<ReturnType<WxFollowLogin['start']>>;

/** The README's message endpoint ("Log in by following the official account"). */
@Controller('wechat/events')
export class WechatEventsController {
  constructor(private readonly push: WxPushReceiver) {}

  @Get()
  check(@Query() query: Record<string, string>): string {
    return this.push.checkUrl(query);
  }

  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request): Promise<string> {
    const message = await this.push.receive(req);
    return this.push.reply(message, message.handled ? '登录成功' : undefined);
  }
}

/** The README's three routes of the follow login, under `path`: the QR code, its status, the login. */
export function followLoginController(path: string): Type {
  @Controller(path)
  class FollowLoginController {
    constructor(private readonly follow: WxFollowLogin) {}

    @Post()
    start(@Res({ passthrough: true }) res: Response): Promise<WxFollowQrCode> {
      return this.follow.start(res);
    }

    @Get('status')
    async status(@Req() req: Request): Promise<{ status: string }> {
      return { status: await this.follow.status(req) };
    }

    @Get('done')
    @WxFollowLoginRoute()
    @UseGuards(WxAuthGuard)
    done(@Req() req: Request): unknown {
      return req.user;
    }
  }
  return FollowLoginController;
}
