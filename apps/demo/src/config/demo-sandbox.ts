import { type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  DEFAULT_SANDBOX_COMPONENT_APPID,
  WxSandbox,
  type WxSandboxApp,
} from 'nest-wx-oauth/testing';
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

/**
 * The merchants' official accounts of the SaaS (DEMO_SAAS): accounts of other businesses, bound
 * to no Open Platform account of the demo's, which their owners authorise to the sandbox's
 * platform on its authorisation page.
 */
export const DEMO_SANDBOX_MERCHANTS: readonly WxSandboxApp[] = [
  { appid: 'wx0demo0teahouse', kind: 'officialAccount', name: 'Tea House 茶馆' },
  { appid: 'wx0demo0bookshop', kind: 'officialAccount', name: 'Book Corner 书角' },
];

/** The sandbox's third-party platform, as the SaaS's authorisation page names it. */
export const DEMO_SANDBOX_PLATFORM_NAME = 'nest-wx-oauth demo SaaS';

export const demoSandboxProvider: Provider = {
  provide: DemoSandbox,
  inject: [ConfigService],
  useFactory: async (config: ConfigService<DemoEnv, true>) =>
    new DemoSandbox(
      config.get('WX_TARGET', { infer: true }) === 'in-process-sandbox'
        ? await WxSandbox.start({
            appName: 'nest-wx-oauth demo',
            apps: config.get('DEMO_SAAS', { infer: true })
              ? [...DEMO_SANDBOX_APP_LIST, ...DEMO_SANDBOX_MERCHANTS]
              : DEMO_SANDBOX_APP_LIST,
            // Its platform pushes to the demo once it listens (startDemo), a ticket every 10 minutes.
            components: [
              { appid: DEFAULT_SANDBOX_COMPONENT_APPID, name: DEMO_SANDBOX_PLATFORM_NAME },
            ],
          })
        : undefined,
    ),
};
