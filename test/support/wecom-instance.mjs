// One instance of an app with a WeCom login, in a process of its own (Passport's strategies are
// a process's), on the library as built (dist): the WeCom login route answering the user, its
// tokens and login records in Redis. Its settings come from the environment; it prints its URL
// once it listens.
import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WxAuthGuard, WxOAuthModule, WxWeComLoginRoute } from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';

const env = process.env;

class WeComController {
  logIn(req) {
    return { user: req.user };
  }
}
Req()(WeComController.prototype, 'logIn', 0);
Reflect.decorate(
  [Get(), UseGuards(WxAuthGuard), WxWeComLoginRoute()],
  WeComController.prototype,
  'logIn',
  Object.getOwnPropertyDescriptor(WeComController.prototype, 'logIn'),
);
Reflect.decorate([Controller('auth/wecom')], WeComController);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        WxOAuthModule.forRoot({
          wecom: {
            corpid: env.WX_WECOM_CORPID,
            agentid: env.WX_WECOM_AGENTID,
            secret: env.WX_WECOM_SECRET,
            callbackURL: env.WX_WECOM_CALLBACK_URL,
          },
          openBaseUrl: env.SANDBOX_URL,
          wecomApiBaseUrl: env.SANDBOX_URL,
          wecomLoginBaseUrl: env.SANDBOX_URL,
          store: new WxRedisStore({ url: env.REDIS_URL }),
        }),
      ],
      controllers: [WeComController],
    }),
  ],
  AppModule,
);

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
await app.listen(Number(env.PORT), '127.0.0.1');
console.log(`WeCom instance on ${await app.getUrl()}`);
