import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  Req,
  type Type,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import {
  WX_OAUTH_STRATEGY,
  WxAuthGuard,
  WxAuthScope,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  wxHttpException,
} from 'nest-wx-oauth';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './capture-logger.js';
import { freePort } from './free-port.js';

/** What an app that runs passport itself writes: `AuthGuard('wechat')` on `WxStrategy`, as the README shows. */
@Injectable()
export class PassportWxGuard extends AuthGuard(WX_OAUTH_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getAuthenticateOptions(context: ExecutionContext) {
    return { scope: this.reflector.getAllAndOverride(WxAuthScope, [context.getHandler(), context.getClass()]) };
  }

  override handleRequest<TUser>(err: unknown, user: TUser): TUser {
    if (err) throw wxHttpException(err) ?? err;
    if (!user) throw new UnauthorizedException('The login was refused');
    return user;
  }
}

/** The routes a user's app writes: one login route per scope, and the callback. */
function authController(guard: Type<CanActivate>): Type {
  @Controller('auth/wechat')
  class AuthController {
    @Get()
    @UseGuards(guard)
    login(): void {}

    @Get('userinfo')
    @WxAuthScope('snsapi_userinfo')
    @UseGuards(guard)
    loginWithProfile(): void {}

    @Get('qr')
    @WxAuthScope('snsapi_login')
    @UseGuards(guard)
    loginWithQr(): void {}

    @Get('callback')
    @UseGuards(guard)
    callback(@Req() req: Request): unknown {
      const authInfo = req.authInfo as { state?: { returnTo?: string } } | undefined;
      return { user: req.user, returnTo: authInfo?.state?.returnTo ?? null };
    }
  }
  return AuthController;
}

export interface TestApp {
  app: INestApplication;
  url: string;
  logger: CaptureLogger;
  close(): Promise<void>;
}

/** How the app guards its login routes, and on which of Nest's HTTP adapters it runs. */
export interface TestAppSetup {
  guard: Type<CanActivate>;
  adapter: 'express' | 'fastify';
}

/** A small Nest app using the module against the sandbox, listening on a real port. */
export async function startTestApp(
  sandbox: WxSandbox,
  options: Partial<WxOAuthModuleOptions> = {},
  { guard, adapter }: TestAppSetup = { guard: WxAuthGuard, adapter: 'express' },
): Promise<TestApp> {
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
    controllers: [authController(guard)],
  })
  class AppModule {}

  const logger = new CaptureLogger();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .setLogger(logger)
    .compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  await app.listen(port, '127.0.0.1');
  return { app, url, logger, close: () => app.close() };
}
