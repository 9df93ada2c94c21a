import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import { WxAuthGuard } from 'nest-wx-oauth';
import type { DemoLogin } from '../auth/demo-user.js';
import { DemoUsers } from '../auth/demo-users.service.js';
import { LoginRequiredException } from '../auth/login-required.exception.js';
import { SessionGuard } from '../auth/session.guard.js';
import { SessionService } from '../auth/session.service.js';
import type { DemoMerchantEntity } from '../database/demo-merchant.entity.js';
import { DEMO_OPTIONS, type DemoOptions } from '../demo.constants.js';
import { DemoMerchants } from './demo-merchants.service.js';
import { merchantHomePage, merchantProfilePage } from './merchant-pages.js';
import { isMerchantId, merchantOfPath, merchantPath } from './merchant-path.js';
import { SaasGuard } from './saas.guard.js';

/**
 * A merchant's pages, for its customers: its home, their WeChat login on the
 * merchant's behalf (the tenant resolver finds the merchant by this path), and
 * their profile there. A session of another merchant's, or of the site's, is
 * not this merchant's customer: it logs in here first.
 */
@Controller('m/:merchantId')
@UseGuards(SaasGuard)
export class MerchantController {
  constructor(
    private readonly merchants: DemoMerchants,
    private readonly sessions: SessionService,
    private readonly users: DemoUsers,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async home(
    @Param('merchantId') id: string,
    @Req() req: Request,
    @Query('returnTo') returnTo?: unknown,
  ): Promise<string> {
    const merchant = await this.merchant(id);
    const login = await this.sessions.read(req);
    // Back to a page of this merchant's only.
    const back =
      typeof returnTo === 'string' && merchantOfPath(returnTo) === merchant.id
        ? returnTo
        : merchantPath(merchant.id, '/profile');
    return merchantHomePage(merchant, login?.appid === merchant.appid, back, this.options.banner);
  }

  /** The merchant's official-account login inside WeChat, through the platform; refused once it revoked (403). */
  @Get('auth/wechat')
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('profile')
  @UseGuards(SessionGuard)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async profile(@Param('merchantId') id: string, @Req() req: Request): Promise<string> {
    const merchant = await this.merchant(id);
    const login = req.user as DemoLogin;
    const here = merchantPath(merchant.id, '/profile');
    if (login.appid !== merchant.appid) throw new LoginRequiredException(here);
    const user = await this.users.current(login);
    if (!user) throw new LoginRequiredException(here);
    return merchantProfilePage(merchant, user, this.options.banner);
  }

  private async merchant(id: string): Promise<DemoMerchantEntity> {
    const merchant = isMerchantId(id) ? await this.merchants.byId(id) : undefined;
    if (!merchant) throw new NotFoundException('No such shop here');
    return merchant;
  }
}
