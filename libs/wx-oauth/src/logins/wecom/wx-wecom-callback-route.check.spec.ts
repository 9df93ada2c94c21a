import { Controller, Get, type INestApplication, type Type, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WxAuthGuard } from '../../guard/wx-auth.guard.js';
import { WxOAuthModule } from '../../wx-oauth.module.js';
import { WxWeComLoginRoute } from './wx-wecom-login-route.decorator.js';

const ORIGIN = 'https://app.example.com';

describe('WxWeComCallbackRouteCheck', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close().catch(() => undefined);
    app = undefined;
  });

  /** Initialises an app of `controllers` whose WeCom app comes back to `callbackPath`. */
  const start = async (callbackPath: string, controllers: Type[], prefix?: string) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WxOAuthModule.forRoot({
          wecom: {
            corpid: 'ww0123456789abcdef',
            agentid: 1000002,
            secret: 'a-corp-app-secret-for-the-check',
            callbackURL: `${ORIGIN}${callbackPath}`,
          },
        }),
      ],
      controllers,
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    if (prefix) app.setGlobalPrefix(prefix);
    await app.init();
  };

  @Controller('auth/wecom')
  @UseGuards(WxAuthGuard)
  class WeComController {
    @Get()
    @WxWeComLoginRoute()
    callback(): void {}

    @Get('open')
    @WxWeComLoginRoute({ nonMembers: 'accept' })
    open(): void {}
  }

  @Controller('auth/wecom')
  @UseGuards(WxAuthGuard)
  class OpenOnlyController {
    @Get()
    home(): void {}

    @Get('open')
    @WxWeComLoginRoute({ nonMembers: 'accept' })
    open(): void {}
  }

  @Controller('sso')
  @UseGuards(WxAuthGuard)
  @WxWeComLoginRoute()
  class MarkedController {
    @Get('wecom/')
    login(): void {}
  }

  it('starts when a @WxWeComLoginRoute() route serves the path of wecom.callbackURL', async () => {
    await expect(start('/auth/wecom', [WeComController])).resolves.toBeUndefined();
  });

  it('refuses to start when the route at the path is not a WeCom login route, naming the path', async () => {
    await expect(start('/auth/wecom', [OpenOnlyController])).rejects.toThrow(
      'No GET route with @WxWeComLoginRoute() serves /auth/wecom, the path of wecom.callbackURL: ' +
        'WeCom brings every login back there, whichever route started it. ' +
        'Put @WxWeComLoginRoute() on a GET route at that path (its routes here: /auth/wecom/open), ' +
        "or set wecom.callbackURL to that route's URL.",
    );
  });

  it('refuses to start when no route serves the path', async () => {
    await expect(start('/auth/wecom/done', [WeComController])).rejects.toThrow(
      'No GET route with @WxWeComLoginRoute() serves /auth/wecom/done',
    );
  });

  it("reads a controller's mark and a global prefix", async () => {
    await expect(start('/api/sso/wecom', [MarkedController], 'api')).resolves.toBeUndefined();
  });

  it('leaves an app without a WeCom login route alone', async () => {
    @Controller()
    class PanelOnlyController {
      @Get('login')
      page(): void {}
    }
    await expect(start('/auth/wecom', [PanelOnlyController])).resolves.toBeUndefined();
  });
});
