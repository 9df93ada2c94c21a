import { Controller, Get, type INestApplication, Module, Req, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import { WxAuthGuard, WxAuthScope, WxOAuthModule, type WxOAuthModuleOptions } from 'nest-wx-oauth';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './capture-logger.js';
import { freePort } from './free-port.js';

/** The routes a user's app writes: one login route per scope, and the callback. */
@Controller('auth/wechat')
class AuthController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('userinfo')
  @WxAuthScope('snsapi_userinfo')
  @UseGuards(WxAuthGuard)
  loginWithProfile(): void {}

  @Get('qr')
  @WxAuthScope('snsapi_login')
  @UseGuards(WxAuthGuard)
  loginWithQr(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request): unknown {
    const authInfo = req.authInfo as { state?: { returnTo?: string } } | undefined;
    return { user: req.user, returnTo: authInfo?.state?.returnTo ?? null };
  }
}

export interface TestApp {
  app: INestApplication;
  url: string;
  logger: CaptureLogger;
  close(): Promise<void>;
}

/** A small Nest app using the module against the sandbox, listening on a real port. */
export async function startTestApp(sandbox: WxSandbox, options: Partial<WxOAuthModuleOptions> = {}): Promise<TestApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  @Module({
    imports: [
      WxOAuthModule.forRoot({
        appid: sandbox.appid,
        secret: sandbox.secret,
        callbackURL: `${url}/auth/wechat/callback`,
        apiBaseUrl: sandbox.url,
        openBaseUrl: sandbox.url,
        ...options,
      }),
    ],
    controllers: [AuthController],
  })
  class AppModule {}

  const logger = new CaptureLogger();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(port, '127.0.0.1');
  return { app, url, logger, close: () => app.close() };
}
