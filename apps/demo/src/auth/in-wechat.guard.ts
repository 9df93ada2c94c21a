import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { WxAuthGuard, type WxAuthenticateOptions } from 'nest-wx-oauth';
import type { DemoEnv } from '../config/demo.config.js';

/** The official account's login whatever the browser, with the scope of WX_SCOPE: a WxAuthGuard subclass. */
@Injectable()
export class InWeChatGuard extends WxAuthGuard {
  constructor(private readonly config: ConfigService<DemoEnv, true>) {
    super();
  }

  override getAuthenticateOptions(): WxAuthenticateOptions {
    return { scope: this.config.get('WX_SCOPE', { infer: true }) };
  }
}
