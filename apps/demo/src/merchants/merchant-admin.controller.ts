import { Controller, Get, Header, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { WxComponent } from 'nest-wx-oauth';
import { DEMO_OPTIONS, type DemoOptions } from '../demo.constants.js';
import { AuthorizerNames } from './authorizer-names.js';
import { DemoMerchants } from './demo-merchants.service.js';
import { connectPage, merchantsPage } from './merchant-pages.js';
import { SaasGuard } from './saas.guard.js';

/** Where WeChat's authorisation page comes back to, below the site's public origin. */
export const AUTHORIZATION_RETURN_PATH = '/admin/merchants/return';

/**
 * The SaaS's admin: the merchants, "connect your official account" (a
 * pre-auth code's links to WeChat's authorisation page), and the return from
 * that page, whose `auth_code` the library exchanges for what the demo keeps.
 * The demo has no admin login: anyone may start a connection, which only an
 * account's administrator can confirm in WeChat.
 */
@Controller('admin/merchants')
@UseGuards(SaasGuard)
export class MerchantAdminController {
  constructor(
    private readonly component: WxComponent,
    private readonly merchants: DemoMerchants,
    private readonly names: AuthorizerNames,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async list(@Query('connected') connected?: unknown): Promise<string> {
    const merchants = await this.merchants.list();
    const just = merchants.find((merchant) => merchant.id === connected);
    return merchantsPage(merchants, this.options.banner, just);
  }

  /** New links on each visit: a pre-auth code works once. Official accounts only: their users log in on the web. */
  @Get('connect')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async connect(): Promise<string> {
    const links = await this.component.authorizationLinks(
      this.options.saas!.authorizationReturnUrl,
      {
        authType: 1,
      },
    );
    return connectPage(links, this.options.banner);
  }

  /** `?auth_code=&expires_in=`: the merchant confirmed; keep its refresh token, then back to the list. */
  @Get('return')
  async complete(@Query('auth_code') authCode: unknown, @Res() res: Response): Promise<void> {
    const authorization = await this.component.completeAuthorization(authCode);
    const name = await this.names.nameOf(authorization.authorizerAppid);
    const merchant = await this.merchants.connect(authorization, name);
    res.redirect(303, `/admin/merchants?connected=${merchant.id}`);
  }
}
