import { type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { WxSandbox, type WxSandboxApp } from 'nest-wx-oauth/testing';
import type { DemoEnv } from './demo.config.js';

/** The WeChat sandbox the demo runs itself when no WeChat is configured, closed with the app. */
export class DemoSandbox implements OnApplicationShutdown {
  constructor(readonly sandbox?: WxSandbox) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.close();
  }
}

/**
 * As a real site has them: an official account, a website app, a mini-program, a native app's
 * mobile app and a multi-end app logging in as it, bound to one Open Platform account.
 */
export const DEMO_SANDBOX_APPS = {
  officialAccount: 'wx0demo0official',
  website: 'wx0demo0website',
  miniProgram: 'wx0demo0miniprog',
  mobileApp: 'wx0demo0mobile',
  multiEndApp: 'wx0demo0multiend',
} as const;

/** Those apps as the sandbox takes them (the end-to-end tests' sandboxes hold them too). */
export const DEMO_SANDBOX_APP_LIST: readonly WxSandboxApp[] = [
  { appid: DEMO_SANDBOX_APPS.officialAccount, kind: 'officialAccount', openPlatform: 'demo' },
  { appid: DEMO_SANDBOX_APPS.website, kind: 'website', openPlatform: 'demo' },
  { appid: DEMO_SANDBOX_APPS.miniProgram, kind: 'miniProgram', openPlatform: 'demo' },
  { appid: DEMO_SANDBOX_APPS.mobileApp, kind: 'mobileApp', openPlatform: 'demo' },
  {
    appid: DEMO_SANDBOX_APPS.multiEndApp,
    kind: 'multiEndApp',
    openPlatform: 'demo',
    mobileAppid: DEMO_SANDBOX_APPS.mobileApp,
  },
];

export const demoSandboxProvider: Provider = {
  provide: DemoSandbox,
  inject: [ConfigService],
  useFactory: async (config: ConfigService<DemoEnv, true>) =>
    new DemoSandbox(
      config.get('WX_TARGET', { infer: true }) === 'in-process-sandbox'
        ? await WxSandbox.start({
            appName: 'nest-wx-oauth demo',
            apps: DEMO_SANDBOX_APP_LIST,
          })
        : undefined,
    ),
};
