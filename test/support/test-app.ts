import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  type Provider,
  Req,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import { ExtractJwt, Strategy as JwtPassportStrategy } from 'passport-jwt';
import {
  WX_STRATEGIES,
  WxAuthGuard,
  WxAuthScope,
  WxOAuthModule,
  type WxOAuthModuleOptions,
} from 'nest-wx-oauth';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './capture-logger.js';
import { freePort } from './free-port.js';

/**
 * What an @nestjs/passport user writes for per-route scopes on a plain
 * AuthGuard: the scope from `@WxAuthScope`, and passport's own `handleRequest`.
 */
function scopedAuthGuard(strategies: string | string[]): Type<CanActivate> {
  @Injectable()
  class ScopedAuthGuard extends AuthGuard(strategies) {
    constructor(private readonly reflector: Reflector) {
      super();
    }

    override getAuthenticateOptions(context: ExecutionContext) {
      return {
        scope: this.reflector.getAllAndOverride(WxAuthScope, [
          context.getHandler(),
          context.getClass(),
        ]),
      };
    }
  }
  return ScopedAuthGuard;
}

/** A second strategy beside WeChat's, for `AuthGuard(['wechat', 'jwt'])`. */
@Injectable()
export class JwtStrategy extends PassportStrategy(JwtPassportStrategy, 'jwt') {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: 'a-test-only-jwt-signing-key-0123456789',
    });
  }

  validate(payload: unknown): unknown {
    return payload;
  }
}

/** The routes a user's app writes: one login route per scope, and the callback. */
function authController(guard: Type<CanActivate>, scopedGuard: Type<CanActivate>): Type {
  @Controller('auth/wechat')
  class AuthController {
    @Get()
    @UseGuards(guard)
    login(): void {}

    @Get('userinfo')
    @WxAuthScope('snsapi_userinfo')
    @UseGuards(scopedGuard)
    loginWithProfile(): void {}

    @Get('qr')
    @WxAuthScope('snsapi_login')
    @UseGuards(scopedGuard)
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
  /** The guard of the routes with `@WxAuthScope`. */
  scopedGuard: Type<CanActivate>;
  adapter: 'express' | 'fastify';
}

export const WX_AUTH_GUARD: TestAppSetup = {
  guard: WxAuthGuard,
  scopedGuard: WxAuthGuard,
  adapter: 'express',
};
export const WX_AUTH_GUARD_FASTIFY: TestAppSetup = { ...WX_AUTH_GUARD, adapter: 'fastify' };
/** Plain `AuthGuard('wechat')`, as @nestjs/passport users write it. */
export const PLAIN_AUTH_GUARD: TestAppSetup = {
  guard: AuthGuard(WX_STRATEGIES.oauth),
  scopedGuard: scopedAuthGuard(WX_STRATEGIES.oauth),
  adapter: 'express',
};
/** `AuthGuard(['wechat', 'jwt'])`: WeChat first, a JWT strategy beside it. */
export const MULTI_AUTH_GUARD: TestAppSetup = {
  guard: AuthGuard([WX_STRATEGIES.oauth, 'jwt']),
  scopedGuard: scopedAuthGuard([WX_STRATEGIES.oauth, 'jwt']),
  adapter: 'express',
};

/** The module's options for the sandbox's app, its callback on the app at `url`. */
export function sandboxLogin(sandbox: WxSandbox, url: string): WxOAuthModuleOptions {
  return {
    appid: sandbox.appid,
    secret: sandbox.secret,
    callbackURL: `${url}/auth/wechat/callback`,
    apiBaseUrl: sandbox.url,
    openBaseUrl: sandbox.url,
  };
}

/**
 * A small Nest app using the module against the sandbox, listening on a real port;
 * `providers` are the app's own beside it, such as its `@WxValidator()`.
 */
export async function startTestApp(
  sandbox: WxSandbox,
  options: Partial<WxOAuthModuleOptions> = {},
  { guard, scopedGuard, adapter }: TestAppSetup = WX_AUTH_GUARD,
  providers: Provider[] = [],
): Promise<TestApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  @Module({
    imports: [WxOAuthModule.forRoot({ ...sandboxLogin(sandbox, url), ...options })],
    controllers: [authController(guard, scopedGuard)],
    providers: [JwtStrategy, ...providers],
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
