// nest-wx-oauth in its many-tenants mode as a user writes it: the app of
// nest-wx-oauth.ts, but WxOAuthModule.forRoot gets a resolver over 1000 tenants (an
// in-memory Map standing in for the app's database), each with its own official
// account. A login's tenant comes from its path prefix, /t/<id>/auth/wechat; all
// share one callback route, where the state cookie names the tenant.
import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import {
  WxAuthGuard,
  WxAuthScope,
  WxMemoryStore,
  WxOAuthModule,
  type WxWeChatProfile,
  type WxTenant,
  type WxTenantResolver,
  type WxTenantRequest,
} from 'nest-wx-oauth';
import { createNestApp } from './nest-app.js';
import { apiBaseUrl, callbackURL, openBaseUrl, port, ready } from './env.mjs';
import { TENANTS, tenantOfIndex } from './tenants.mjs';

/** What the resolver is asked about a request. */

/** The app's tenant storage; the module caches what `load` answers for `tenants.cacheTtl` (60 s). */
class TenantDirectory implements WxTenantResolver {
  private readonly tenants = new Map<string, WxTenant>();
  private readonly appidTenants = new Map<string, string>();

  constructor() {
    for (let i = 0; i < TENANTS; i++) {
      const { id, appid, secret } = tenantOfIndex(i);
      this.tenants.set(id, { id, officialAccount: { appid, secret } });
      this.appidTenants.set(appid, id);
    }
  }

  // Asked on every login start, uncached: a path prefix, as cheap as a resolver gets.
  tenantOf({ path }: WxTenantRequest): string | undefined {
    return /^\/t\/([^/]+)\/auth\/wechat$/.exec(path)?.[1];
  }

  load(id: string): WxTenant | undefined {
    return this.tenants.get(id);
  }

  tenantOfAppid(appid: string): string | undefined {
    return this.appidTenants.get(appid);
  }
}

@Controller()
class AuthController {
  // A tenant's official account, registered by kind, serves browsers inside WeChat only
  // (others would get the website app's QR login, which no tenant has): the route names
  // its scope, as the fixed peer's one `appid` serves that scope to any browser.
  @Get('t/:tenant/auth/wechat')
  @UseGuards(WxAuthGuard)
  @WxAuthScope('snsapi_userinfo')
  login(): void {}

  @Get('auth/wechat/callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: { user?: unknown }): { openid: string; nickname?: string } {
    const user = req.user as WxWeChatProfile;
    return { openid: user.openid, nickname: user.nickname };
  }
}

@Module({
  imports: [
    WxOAuthModule.forRoot({
      tenants: { resolver: new TenantDirectory() },
      callbackURL,
      // Required with tenants, where no app's secret is the whole site's; the runner's
      // second instance, which starts the logins, signs with the same one.
      state: { secret: 'bench-tenants-state-secret-0123456789' },
      scope: 'snsapi_userinfo',
      apiBaseUrl,
      openBaseUrl,
      // Sized for this load, as in nest-wx-oauth.ts.
      store: new WxMemoryStore({ maxEntries: 100_000 }),
    }),
  ],
  controllers: [AuthController],
})
class AppModule {}

const app = await createNestApp(AppModule);
await app.listen(port, '127.0.0.1');
ready(() => app.close());
