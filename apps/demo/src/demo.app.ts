import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import cookieParser from 'cookie-parser';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import { AppModule } from './app.module.js';
import { DEMO_SANDBOX_APPS, DemoSandbox } from './config/demo-sandbox.js';
import { demoStoreName } from './config/demo-store.js';
import type { DemoEnv } from './config/demo.config.js';
import { demoDatabaseName } from './database/demo-database.js';
import { DEMO_OPTIONS, type DemoOptions } from './demo.constants.js';
import { securityHeaders } from './security-headers.js';

export interface DemoApp {
  app: INestApplication;
  url: string;
  /** The in-process sandbox, when the demo started one. */
  sandbox?: WxSandbox;
  close(): Promise<void>;
}

/** Builds and starts the demo from the environment, or from `env` (tests); with no WeChat configured it runs the sandbox itself. */
export async function startDemo(
  env?: Record<string, string>,
  logger?: LoggerService,
): Promise<DemoApp> {
  const app = await NestFactory.create(AppModule.forRoot(env), {
    logger: logger ?? ['log', 'warn', 'error', 'fatal'],
    // A bad variable is reported by main.ts and exits 1, rather than aborting the process.
    abortOnError: false,
  });
  app.use(securityHeaders(app.get<DemoOptions>(DEMO_OPTIONS).wxLoginJsUrl));
  app.use(cookieParser());
  app.enableShutdownHooks();
  const config = app.get<ConfigService<DemoEnv, true>>(ConfigService);
  await app.listen(config.get('PORT', { infer: true }), config.get('HOST', { infer: true }));

  const { sandbox } = app.get(DemoSandbox);
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  // The in-process sandbox pushes scans to the demo's message endpoint, as WeChat does to the console's URL.
  sandbox?.setMessagePush(DEMO_SANDBOX_APPS.officialAccount, {
    url: `${url}/wechat/events`,
    token: config.get('WX_MP_TOKEN', { infer: true })!,
    encodingAesKey: config.get('WX_MP_AES_KEY', { infer: true }),
  });
  const log = new Logger('Demo');
  const saas = config.get('DEMO_SAAS', { infer: true });
  // Its platform pushes tickets and authorisation events to the demo's event URL: one ticket now,
  // so that a merchant can connect at once, then one every 10 minutes.
  if (sandbox && saas) {
    sandbox.setComponentEventUrl(`${url}/wechat/component/events`);
    const push = await sandbox.pushComponentTicket();
    if (!push.answered)
      log.warn('The sandbox platform could not push its first ticket to the demo');
  }
  if (config.get('SESSION_SECRET_GENERATED', { infer: true }))
    log.warn('SESSION_SECRET is not set: sessions end when the demo restarts');
  const target = config.get('WX_TARGET', { infer: true });
  const where =
    target === 'wechat'
      ? 'WeChat'
      : `the WeChat sandbox at ${sandbox?.url ?? config.get('WX_OPEN_BASE_URL', { infer: true })}`;
  const store = demoStoreName(config);
  log.log(
    `Demo on http://localhost:${config.get('PORT', { infer: true })} (listening on ${config.get('HOST', { infer: true })}), logging in through ${where}, ${store}, users in ${demoDatabaseName(config)}${saas ? ', a SaaS on the third-party platform (merchants at /admin/merchants)' : ''}`,
  );

  return {
    app,
    url,
    sandbox,
    close: () => app.close(),
  };
}
