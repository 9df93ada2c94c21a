// The soak's app: every login kind the module has, as a user writes each (the package README's
// routes), on Nest's default Express adapter, behind a trusted proxy so that each native-app
// client has its own address (X-Forwarded-For). Its login records live a minute instead of
// 5 or 10 (state.ttl, appState.ttl, followLoginTtl), so that every record the soak makes
// expires within its warm-up and the rest of the run shows the steady state; with the
// defaults the same plateau comes after 10 minutes. It answers the runner's samples
// (servers/probe.ts), the store's entries among them.
import 'reflect-metadata';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Module,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  WxAppLoginRoute,
  type WxAppState,
  WxAppStates,
  WxAuthGuard,
  WxFollowLogin,
  WxFollowLoginRoute,
  WxHandoff,
  WxMemoryStore,
  WxMiniProgramLoginRoute,
  WxOAuthModule,
  WxPushReceiver,
  WxUser,
  type WxWeChatProfile,
} from 'nest-wx-oauth';
import { createNestApp } from './nest-app.js';
import { apiBaseUrl, callbackURL, openBaseUrl, port, ready } from './env.mjs';
import { answerProbes } from './probe.js';

const env = process.env;
/** What a login answers: who logged in, through which app. */
const who = (user: WxWeChatProfile) => ({ via: user.via, appid: user.appid, openid: user.openid });

@Controller('auth/wechat')
class AuthController {
  constructor(private readonly handoff: WxHandoff) {}

  /** Inside WeChat the official account's login, on a desktop the website's QR login. */
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@WxUser() user: WxWeChatProfile) {
    return who(user);
  }

  /** The SPA's side of a login handed over with ?wx_handoff=. */
  @Post('handoff')
  @HttpCode(200)
  async exchange(@Body('code') code: unknown, @Headers('origin') origin?: string) {
    return who(await this.handoff.redeem<WxWeChatProfile>(code, origin));
  }
}

@Controller('auth/wechat/follow')
class FollowLoginController {
  constructor(private readonly follow: WxFollowLogin) {}

  @Post()
  start(@Res({ passthrough: true }) res: object) {
    return this.follow.start(res);
  }

  @Get('status')
  async status(@Req() req: object) {
    return { status: await this.follow.status(req) };
  }

  @Get('done')
  @WxFollowLoginRoute()
  @UseGuards(WxAuthGuard)
  done(@WxUser() user: WxWeChatProfile) {
    return who(user);
  }
}

@Controller('wechat/events')
class WechatEventsController {
  constructor(private readonly push: WxPushReceiver) {}

  @Get()
  check(@Query() query: Record<string, string>): string {
    return this.push.checkUrl(query);
  }

  @Post()
  @HttpCode(200)
  async receive(@Req() req: object): Promise<string> {
    const message = await this.push.receive(req);
    return this.push.reply(message, message.handled ? '登录成功' : undefined);
  }
}

@Controller('auth/wechat')
class NativeLoginController {
  constructor(private readonly states: WxAppStates) {}

  @Post('miniprogram')
  @HttpCode(200)
  @WxMiniProgramLoginRoute()
  @UseGuards(WxAuthGuard)
  miniProgram(@WxUser() user: WxWeChatProfile) {
    return who(user);
  }

  @Post('app/state')
  @HttpCode(200)
  state(@Req() req: object): Promise<WxAppState> {
    return this.states.issue(req);
  }

  @Post('app')
  @HttpCode(200)
  @WxAppLoginRoute()
  @UseGuards(WxAuthGuard)
  app(@WxUser() user: WxWeChatProfile) {
    return who(user);
  }
}

const store = new WxMemoryStore({ maxEntries: 100_000 });
const MINUTE = 60_000;

@Module({
  imports: [
    WxOAuthModule.forRoot({
      officialAccount: { appid: env.WX_MP_APPID!, secret: env.WX_MP_SECRET! },
      website: { appid: env.WX_WEB_APPID!, secret: env.WX_WEB_SECRET! },
      miniProgram: { appid: env.WX_MINI_APPID!, secret: env.WX_MINI_SECRET! },
      mobileApp: { appid: env.WX_MOBILE_APPID!, secret: env.WX_MOBILE_SECRET! },
      multiEndApp: { appid: env.WX_MULTIEND_APPID!, secret: env.WX_MULTIEND_SECRET! },
      messagePush: { token: env.WX_MP_TOKEN!, encodingAesKey: env.WX_MP_AES_KEY },
      callbackURL,
      scope: 'snsapi_userinfo',
      frontendOrigins: [env.SOAK_FRONTEND_ORIGIN!],
      apiBaseUrl,
      openBaseUrl,
      mpBaseUrl: env.WX_MP_BASE_URL,
      state: { ttl: MINUTE },
      appState: { ttl: MINUTE },
      followLoginTtl: MINUTE,
      store,
    }),
  ],
  controllers: [
    AuthController,
    FollowLoginController,
    WechatEventsController,
    NativeLoginController,
  ],
})
class AppModule {}

const app = await createNestApp(AppModule);
// The load comes through a proxy on loopback, which names each client in X-Forwarded-For.
(app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set(
  'trust proxy',
  'loopback',
);
answerProbes(() => store.size);
await app.listen(port, '127.0.0.1');
ready(() => app.close());
