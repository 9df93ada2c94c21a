import { Controller, Get, Header, Inject, NotFoundException, Req } from '@nestjs/common';
import type { Request } from 'express';
import { loginPathFor } from '../auth/login-path.js';
import { SessionService } from '../auth/session.service.js';
import { DEMO_OPTIONS, type DemoOptions } from '../demo.constants.js';
import { appPage } from './app-page.js';
import { homePage, miniProgramPage } from './views.js';

@Controller()
export class PagesController {
  constructor(
    private readonly sessions: SessionService,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async home(@Req() req: Request): Promise<string> {
    return homePage(loginPathFor(), await this.sessions.read(req), this.options.banner, {
      ...this.options.logins,
      miniProgram: this.options.miniProgramTry !== undefined,
      app: this.options.appTry !== undefined,
      saas: this.options.saas !== undefined,
    });
  }

  /** A stand-in for the mini-program, against the sandbox only: a real one runs in WeChat. */
  @Get('miniprogram')
  @Header('Content-Type', 'text/html; charset=utf-8')
  miniProgram(): string {
    const { miniProgramTry, banner } = this.options;
    if (!miniProgramTry)
      throw new NotFoundException('The mini-program stand-in runs against the sandbox only');
    return miniProgramPage(miniProgramTry, banner);
  }

  /** A stand-in for the native app, against the sandbox only: a real one gets its code from WeChat. */
  @Get('app')
  @Header('Content-Type', 'text/html; charset=utf-8')
  app(): string {
    const { appTry, banner } = this.options;
    if (!appTry) throw new NotFoundException('The app stand-in runs against the sandbox only');
    return appPage(appTry, banner);
  }

  /** For the container's HEALTHCHECK. */
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
