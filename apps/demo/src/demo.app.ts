import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import cookieParser from 'cookie-parser';
import type { WxOAuthModuleOptions } from 'nest-wx-oauth';
import { RedisTokenStore } from 'nest-wx-oauth/redis';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { AppModule } from './app.module.js';
import type { DemoConfig, WeChatConnection } from './config/demo.config.js';

export interface DemoApp {
  app: INestApplication;
  url: string;
  /** The in-process sandbox, when the demo started one. */
  sandbox?: WxSandbox;
  close(): Promise<void>;
}

/** Builds and starts the demo; with no WeChat configured it starts the sandbox first and points at it. */
export async function startDemo(config: DemoConfig, logger?: LoggerService): Promise<DemoApp> {
  const sandbox = config.target.kind === 'in-process-sandbox' ? await WxSandbox.start({ appName: 'nest-wx-oauth demo' }) : undefined;
  const connection: WeChatConnection =
    config.target.kind === 'in-process-sandbox'
      ? { appid: sandbox!.appid, secret: sandbox!.secret, apiBaseUrl: sandbox!.url, openBaseUrl: sandbox!.url }
      : config.target.connection;
  const wx: WxOAuthModuleOptions = {
    ...connection,
    callbackURL: config.callbackURL,
    scope: config.scope,
    ...(config.redisUrl ? { tokenStore: new RedisTokenStore({ url: config.redisUrl }) } : {}),
  };

  const app = await NestFactory.create(
    AppModule.forRoot({
      wx,
      sessionSecret: config.sessionSecret,
      secureCookies: config.callbackURL.startsWith('https:'),
      banner: config.target.kind === 'wechat' ? undefined : 'Sandbox: no real WeChat involved',
    }),
    { logger: logger ?? ['log', 'warn', 'error', 'fatal'] },
  );
  app.use(cookieParser());
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);

  const log = new Logger('Demo');
  if (config.sessionSecretGenerated) log.warn('SESSION_SECRET is not set: sessions end when the demo restarts');
  const where = config.target.kind === 'wechat' ? 'WeChat' : `the WeChat sandbox at ${wx.openBaseUrl}`;
  const store = config.redisUrl ? 'tokens in Redis' : 'tokens in memory';
  log.log(`Demo on http://localhost:${config.port}, logging in through ${where}, ${store}`);

  return {
    app,
    url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`,
    sandbox,
    close: async () => {
      await app.close();
      await sandbox?.close();
    },
  };
}
