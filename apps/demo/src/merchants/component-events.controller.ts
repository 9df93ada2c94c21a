import { Controller, Header, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { WxComponentReceiver } from 'nest-wx-oauth';
import { DemoMerchants } from './demo-merchants.service.js';
import { SaasGuard } from './saas.guard.js';

/**
 * The third-party platform's authorisation-event URL (授权事件接收URL): the
 * tickets, kept by the library; a merchant revoking its authorisation, shown
 * as revoked (the library refuses its logins from then on). A merchant's
 * authorisation is kept by the return route (`MerchantAdminController`), which
 * WeChat's page always reaches, so `authorized` needs nothing more here. The
 * raw XML body is the receiver's to read.
 */
@Controller('wechat/component/events')
@UseGuards(SaasGuard)
export class ComponentEventsController {
  constructor(
    private readonly receiver: WxComponentReceiver,
    private readonly merchants: DemoMerchants,
  ) {}

  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(@Req() req: Request): Promise<string> {
    const event = await this.receiver.receive(req);
    if (!event.duplicate && event.infoType === 'unauthorized' && event.authorizerAppid)
      await this.merchants.revoke(event.authorizerAppid);
    return 'success';
  }
}
