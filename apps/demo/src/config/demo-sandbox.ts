import { type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { WxSandbox } from 'nest-wx-oauth/testing';
import type { DemoEnv } from './demo.config.js';

/** The WeChat sandbox the demo runs itself when no WeChat is configured, closed with the app. */
export class DemoSandbox implements OnApplicationShutdown {
  constructor(readonly sandbox?: WxSandbox) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.close();
  }
}

export const demoSandboxProvider: Provider = {
  provide: DemoSandbox,
  inject: [ConfigService],
  useFactory: async (config: ConfigService<DemoEnv, true>) =>
    new DemoSandbox(
      config.get('WX_TARGET', { infer: true }) === 'in-process-sandbox'
        ? await WxSandbox.start({ appName: 'nest-wx-oauth demo' })
        : undefined,
    ),
};
