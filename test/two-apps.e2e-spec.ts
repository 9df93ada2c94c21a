import {
  Controller,
  Get,
  type INestApplication,
  Module,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  InjectWxOAuth,
  WXOAuth,
  WxAuthGuard,
  WxAuthScope,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  WxQrLogin,
  WxTokenService,
} from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';

// A site with an official account (logins inside WeChat) and a website app (the
// desktop QR login) in one WxOAuthModule registration, against a sandbox that
// knows both kinds of app and refuses the wrong kind on each endpoint as WeChat does.

const DESKTOP_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 ' +
  'MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

const MP = 'wx0mp0official0acct';
const WEB = 'wx0web0website0app';
/** A website app bound to no Open Platform account: no unionid. */
const LONE_WEB = 'wx0web0unbound0app';

interface Exchange {
  status: number;
  location: string | null;
  setCookie: string[];
  text: string;
  body: Record<string, any>;
}

/** Everything the apps answered, for the no-secret-anywhere check. */
const seen: string[] = [];

/** A browser's GET, without following redirects. */
async function browse(
  url: string,
  { ua = DESKTOP_UA, cookie }: { ua?: string; cookie?: string } = {},
): Promise<Exchange> {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: { 'user-agent': ua, ...(cookie ? { cookie } : {}) },
  });
  const text = await res.text();
  let body: Record<string, any> = {};
  try {
    body = JSON.parse(text) as Record<string, any>;
  } catch {
    // an HTML page
  }
  const exchange = {
    status: res.status,
    location: res.headers.get('location'),
    setCookie: res.headers.getSetCookie(),
    text,
  };
  seen.push(JSON.stringify([...res.headers]) + text);
  return { ...exchange, body };
}

const cookieOf = (setCookie: string[]) => setCookie.map((c) => c.split(';')[0]).join('; ');

@Controller()
class SiteController {
  constructor(
    private readonly qr: WxQrLogin,
    private readonly tokens: WxTokenService,
    private readonly wx: WXOAuth,
    @InjectWxOAuth('website') private readonly website: WXOAuth | null,
    @InjectWxOAuth('officialAccount') private readonly officialAccount: WXOAuth | null,
  ) {}

  @Get('auth/wechat')
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('auth/wechat/userinfo')
  @WxAuthScope('snsapi_userinfo')
  @UseGuards(WxAuthGuard)
  loginWithProfile(): void {}

  @Get('auth/wechat/qr')
  @WxAuthScope('snsapi_login')
  @UseGuards(WxAuthGuard)
  loginWithQr(): void {}

  @Get('auth/wechat/callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: { user?: unknown }): unknown {
    return { user: req.user };
  }

  /** The desktop login page's data: what it passes to `new WxLogin(...)`. */
  @Get('login/qr')
  qrSettings(
    @Req() req: object,
    @Res({ passthrough: true }) res: object,
    @Query('selfRedirect') selfRedirect?: string,
  ): Promise<unknown> {
    // A WxOAuthError answers its status through the module's own filter.
    return this.qr.settings(req, res, { selfRedirect: selfRedirect === 'true' });
  }

  @Get('clients')
  clients(): unknown {
    return {
      injected: this.wx.appid,
      website: this.website?.appid ?? null,
      officialAccount: this.officialAccount?.appid ?? null,
      same: this.website === this.officialAccount,
    };
  }

  @Get('me/userinfo')
  userinfo(@Query('openid') openid: string, @Query('appid') appid: string): Promise<unknown> {
    return this.tokens.getUserinfoFor(openid, { appid });
  }
}

interface Site {
  app: INestApplication;
  url: string;
  logger: CaptureLogger;
}

// Passport keeps one 'wechat' strategy per process: the last app started is the one whose
// strategy answers, so each block starts its app and uses it before the next one starts.
const sites: Site[] = [];

/** A Nest app listening on a real port, the given apps registered against the sandbox. */
async function startSite(
  sandbox: WxSandbox,
  options: Partial<WxOAuthModuleOptions>,
  adapter: 'express' | 'fastify' = 'express',
): Promise<Site> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  @Module({
    imports: [
      WxOAuthModule.forRoot({
        callbackURL: `${url}/auth/wechat/callback`,
        apiBaseUrl: sandbox.url,
        openBaseUrl: sandbox.url,
        ...options,
      }),
    ],
    controllers: [SiteController],
  })
  class AppModule {}

  const logger = new CaptureLogger();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .setLogger(logger)
    .compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  await app.listen(port, '127.0.0.1');
  const site = { app, url, logger };
  sites.push(site);
  return site;
}

/** Starts a login on the site as this browser: a 302 to WeChat and the state cookie. */
async function startLogin(site: Site, path: string, ua: string) {
  const res = await browse(site.url + path, { ua });
  if (res.status !== 302 || !res.location)
    throw new Error(`login start answered ${res.status}: ${res.text}`);
  const authorizeUrl = new URL(res.location);
  return {
    authorizeUrl,
    state: authorizeUrl.searchParams.get('state')!,
    cookie: cookieOf(res.setCookie),
    setCookie: res.setCookie,
  };
}

/** The whole dance: start, the sandbox approves, back on the callback with the state cookie. */
async function logIn(site: Site, path: string, ua: string) {
  const started = await startLogin(site, path, ua);
  const approved = await browse(started.authorizeUrl.href.replace(/#.*$/, ''), { ua });
  if (approved.status !== 302 || !approved.location)
    throw new Error(`sandbox answered ${approved.status}: ${approved.text}`);
  const callbackUrl = new URL(approved.location);
  const callback = await browse(site.url + callbackUrl.pathname + callbackUrl.search, {
    ua,
    cookie: started.cookie,
  });
  return { started, callbackUrl, callback };
}

let sandbox: WxSandbox;

beforeAll(async () => {
  sandbox = await WxSandbox.start({
    autoApprove: 'alice',
    apps: [
      {
        appid: MP,
        kind: 'officialAccount',
        openPlatform: 'acme-open-platform',
        name: 'Acme 服务号',
      },
      { appid: WEB, kind: 'website', openPlatform: 'acme-open-platform', name: 'Acme 网站' },
      { appid: LONE_WEB, kind: 'website', name: 'Unbound site' },
    ],
  });
});

afterEach(() => sandbox.setAutoApprove('alice'));

afterAll(async () => {
  // One check over everything the apps answered and logged: no app's secret, ever.
  const texts = [...seen, ...sites.flatMap((site) => site.logger.lines)];
  expect(texts.length).toBeGreaterThan(40);
  for (const appid of [MP, WEB, LONE_WEB]) {
    const { secret } = sandbox.app(appid);
    for (const text of texts) expect(text).not.toContain(secret);
  }
  await Promise.all(sites.map((site) => site.app.close()));
  await sandbox.close();
});

const bothApps = () => ({
  officialAccount: { appid: MP, secret: sandbox.app(MP).secret },
  website: { appid: WEB, secret: sandbox.app(WEB).secret },
});

describe.each(['express', 'fastify'] as const)(
  'both apps in one registration, on %s',
  (adapter) => {
    let site: Site;

    beforeAll(async () => {
      site = await startSite(sandbox, bothApps(), adapter);
    });

    it('sends a desktop browser to the website QR login with the website appid, and logs it in as the website app', async () => {
      const { started, callbackUrl, callback } = await logIn(site, '/auth/wechat', DESKTOP_UA);
      expect(started.authorizeUrl.origin + started.authorizeUrl.pathname).toBe(
        `${sandbox.url}/connect/qrconnect`,
      );
      expect(started.authorizeUrl.searchParams.get('appid')).toBe(WEB);
      expect(started.authorizeUrl.searchParams.get('scope')).toBe('snsapi_login');
      expect(started.authorizeUrl.searchParams.get('redirect_uri')).toBe(
        `${site.url}/auth/wechat/callback`,
      );
      expect(started.setCookie).toHaveLength(1);
      expect(started.setCookie[0]).toMatch(new RegExp(`^wx_oauth_${started.state}=`));
      expect(callbackUrl.pathname).toBe('/auth/wechat/callback');
      expect(callback.status).toBe(200);
      expect(callback.body.user).toMatchObject({
        provider: 'wechat',
        appid: WEB,
        openid: sandbox.openidOf('alice', WEB),
        id: sandbox.openidOf('alice', WEB),
        scope: ['snsapi_login'],
      });
    });

    it("sends WeChat's browser to the official account's login with its appid, and logs it in as the official account", async () => {
      const { started, callbackUrl, callback } = await logIn(site, '/auth/wechat', WECHAT_UA);
      expect(started.authorizeUrl.origin + started.authorizeUrl.pathname).toBe(
        `${sandbox.url}/connect/oauth2/authorize`,
      );
      expect(started.authorizeUrl.searchParams.get('appid')).toBe(MP);
      expect(started.authorizeUrl.searchParams.get('scope')).toBe('snsapi_base');
      expect(started.authorizeUrl.hash).toBe('#wechat_redirect');
      // The one callback URL serves both apps.
      expect(callbackUrl.pathname).toBe('/auth/wechat/callback');
      expect(callback.status).toBe(200);
      expect(callback.body.user).toMatchObject({
        appid: MP,
        openid: sandbox.openidOf('alice', MP),
        id: sandbox.openidOf('alice', MP),
        scope: ['snsapi_base'],
      });
      expect(sandbox.openidOf('alice', MP)).not.toBe(sandbox.openidOf('alice', WEB));
    });

    it('lets @WxAuthScope pick the app whatever the User-Agent', async () => {
      for (const ua of [DESKTOP_UA, WECHAT_UA]) {
        const qr = await logIn(site, '/auth/wechat/qr', ua);
        expect(qr.started.authorizeUrl.pathname).toBe('/connect/qrconnect');
        expect(qr.started.authorizeUrl.searchParams.get('appid')).toBe(WEB);
        expect(qr.callback.status).toBe(200);
        expect(qr.callback.body.user).toMatchObject({
          appid: WEB,
          openid: sandbox.openidOf('alice', WEB),
        });

        const userinfo = await logIn(site, '/auth/wechat/userinfo', ua);
        expect(userinfo.started.authorizeUrl.pathname).toBe('/connect/oauth2/authorize');
        expect(userinfo.started.authorizeUrl.searchParams.get('appid')).toBe(MP);
        expect(userinfo.started.authorizeUrl.searchParams.get('scope')).toBe('snsapi_userinfo');
        expect(userinfo.callback.status).toBe(200);
        expect(userinfo.callback.body.user).toMatchObject({
          appid: MP,
          openid: sandbox.openidOf('alice', MP),
          scope: ['snsapi_userinfo'],
        });
      }
    });

    it('serves the embedded QR login: WxQrLogin.settings() mints the state, the wxLogin.js frame comes back to the callback', async () => {
      const page = await browse(`${site.url}/login/qr?selfRedirect=true`);
      expect(page.status).toBe(200);
      const settings = page.body;
      expect(settings).toEqual({
        appid: WEB,
        scope: 'snsapi_login',
        redirect_uri: encodeURIComponent(`${site.url}/auth/wechat/callback`),
        state: expect.stringMatching(/^[0-9a-f]{32}$/),
        self_redirect: true,
      });
      expect(page.setCookie).toHaveLength(1);
      expect(page.setCookie[0]).toMatch(new RegExp(`^wx_oauth_${settings.state}=[^;]+;.*HttpOnly`));

      // The script the page loads, then the iframe URL it builds from the settings.
      const script = await fetch(sandbox.wxLoginJsUrl);
      expect(script.status).toBe(200);
      expect(await script.text()).toContain('window.WxLogin');
      const frame =
        `${sandbox.url}/connect/qrconnect?appid=${settings.appid}&scope=${settings.scope}` +
        `&redirect_uri=${settings.redirect_uri}&state=${settings.state}&login_type=jssdk&self_redirect=true` +
        '&styletype=&sizetype=&bgcolor=&rst=';
      const approved = await browse(frame);
      expect(approved.status).toBe(302);
      const callbackUrl = new URL(approved.location!);
      expect(callbackUrl.origin + callbackUrl.pathname).toBe(`${site.url}/auth/wechat/callback`);
      expect(callbackUrl.searchParams.get('state')).toBe(settings.state);

      // Without the page's cookie, the state is not this browser's.
      const stranger = await browse(site.url + callbackUrl.pathname + callbackUrl.search);
      expect(stranger.status).toBe(401);
      expect(stranger.body.kind).toBe('invalid_state');

      const callback = await browse(site.url + callbackUrl.pathname + callbackUrl.search, {
        cookie: cookieOf(page.setCookie),
      });
      expect(callback.status).toBe(200);
      expect(callback.body.user).toMatchObject({
        appid: WEB,
        openid: sandbox.openidOf('alice', WEB),
        scope: ['snsapi_login'],
      });
    });
  },
);

describe('both apps: one person, apps and tokens', () => {
  let site: Site;

  beforeAll(async () => {
    site = await startSite(sandbox, bothApps());
  });

  it('links alice across the two apps: two openids, one unionid', async () => {
    const desk = await logIn(site, '/auth/wechat/qr', DESKTOP_UA);
    const phone = await logIn(site, '/auth/wechat/userinfo', WECHAT_UA);
    expect(desk.callback.status).toBe(200);
    expect(phone.callback.status).toBe(200);
    const web = desk.callback.body.user;
    const mp = phone.callback.body.user;
    expect(web.appid).toBe(WEB);
    expect(mp.appid).toBe(MP);
    expect(web.openid).not.toBe(mp.openid);
    expect(web.unionid).toEqual(expect.any(String));
    expect(web.unionid).toBe(mp.unionid);
    expect(web.unionid).toBe(sandbox.unionidOf('alice', WEB));

    // bob is another person: another unionid.
    sandbox.setAutoApprove('bob');
    const bob = await logIn(site, '/auth/wechat/qr', DESKTOP_UA);
    expect(bob.callback.body.user.unionid).toEqual(expect.any(String));
    expect(bob.callback.body.user.unionid).not.toBe(web.unionid);
  });

  it("refuses to finish a website app's login with a code the official account was given", async () => {
    const started = await startLogin(site, '/auth/wechat', DESKTOP_UA);
    expect(started.authorizeUrl.searchParams.get('appid')).toBe(WEB);
    const code = sandbox.issueCode('alice', 'snsapi_base', MP);
    const callback = await browse(
      `${site.url}/auth/wechat/callback?code=${code}&state=${started.state}`,
      {
        cookie: started.cookie,
      },
    );
    // The state says the website app started it: the code goes to the website app, whose WeChat does not know it.
    expect(callback.status).toBe(401);
    expect(callback.body).toMatchObject({ kind: 'invalid_code', errcode: 40029 });
    expect(callback.body.user).toBeUndefined();

    // The same code, on a login the official account started, is good.
    const mpStarted = await startLogin(site, '/auth/wechat', WECHAT_UA);
    const ok = await browse(
      `${site.url}/auth/wechat/callback?code=${code}&state=${mpStarted.state}`,
      {
        ua: WECHAT_UA,
        cookie: mpStarted.cookie,
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ appid: MP, openid: sandbox.openidOf('alice', MP) });
  });

  it("keeps each app's tokens: the user's profile is fetched again through the app they logged in with", async () => {
    sandbox.setAutoApprove('bob');
    const web = (await logIn(site, '/auth/wechat/qr', DESKTOP_UA)).callback.body.user;
    const mp = (await logIn(site, '/auth/wechat/userinfo', WECHAT_UA)).callback.body.user;
    const bob = sandbox.users.find((user) => user.key === 'bob')!;

    const webInfo = await browse(`${site.url}/me/userinfo?openid=${web.openid}&appid=${WEB}`);
    expect(webInfo.status).toBe(200);
    expect(webInfo.body).toMatchObject({
      openid: sandbox.openidOf('bob', WEB),
      nickname: bob.nickname,
    });
    const mpInfo = await browse(`${site.url}/me/userinfo?openid=${mp.openid}&appid=${MP}`);
    expect(mpInfo.status).toBe(200);
    expect(mpInfo.body).toMatchObject({
      openid: sandbox.openidOf('bob', MP),
      nickname: bob.nickname,
    });

    // An openid of one app has no token under the other.
    const crossed = await browse(`${site.url}/me/userinfo?openid=${web.openid}&appid=${MP}`);
    expect(crossed.status).toBe(401);
    expect(crossed.body).toMatchObject({ kind: 'refresh_expired' });
    expect(crossed.body.message).toContain('no saved token');
  });

  it('injects each app its own client', async () => {
    const res = await browse(`${site.url}/clients`);
    expect(res.body).toEqual({ injected: MP, website: WEB, officialAccount: MP, same: false });
  });
});

describe('an app bound to no Open Platform account', () => {
  it('gives no unionid for an app bound to no Open Platform account', async () => {
    const lone = await startSite(sandbox, {
      website: { appid: LONE_WEB, secret: sandbox.app(LONE_WEB).secret },
    });
    const { callback } = await logIn(lone, '/auth/wechat/qr', DESKTOP_UA);
    expect(callback.status).toBe(200);
    expect(callback.body.user).toMatchObject({
      appid: LONE_WEB,
      openid: sandbox.openidOf('alice', LONE_WEB),
    });
    expect(callback.body.user.unionid).toBeUndefined();
    expect(sandbox.unionidOf('alice', LONE_WEB)).toBeUndefined();
  });
});

describe('one app only', () => {
  it('official account only: logs in inside WeChat; a desktop gets 400 flow_unavailable and never goes to WeChat', async () => {
    const site = await startSite(sandbox, {
      officialAccount: { appid: MP, secret: sandbox.app(MP).secret },
    });
    const { started, callback } = await logIn(site, '/auth/wechat', WECHAT_UA);
    expect(started.authorizeUrl.searchParams.get('appid')).toBe(MP);
    expect(callback.status).toBe(200);
    expect(callback.body.user).toMatchObject({ appid: MP, openid: sandbox.openidOf('alice', MP) });

    for (const path of ['/auth/wechat', '/auth/wechat/qr']) {
      const desk = await browse(site.url + path, { ua: DESKTOP_UA });
      expect(desk.status).toBe(400);
      expect(desk.location).toBeNull();
      expect(desk.setCookie).toEqual([]);
      expect(desk.body).toMatchObject({ statusCode: 400, kind: 'flow_unavailable' });
      expect(desk.body.message).toMatch(/open this page in WeChat/);
    }

    // The embedded QR login has nothing to show either.
    const page = await browse(`${site.url}/login/qr`);
    expect(page.status).toBe(400);
    expect(page.body.kind).toBe('flow_unavailable');
    expect(page.setCookie).toEqual([]);

    const clients = await browse(`${site.url}/clients`);
    expect(clients.body).toEqual({ injected: MP, website: null, officialAccount: MP, same: false });
  });

  it('website app only: the desktop QR login works; inside WeChat gets 400 flow_unavailable', async () => {
    const site = await startSite(sandbox, {
      website: { appid: WEB, secret: sandbox.app(WEB).secret },
    });
    const { started, callback } = await logIn(site, '/auth/wechat', DESKTOP_UA);
    expect(started.authorizeUrl.pathname).toBe('/connect/qrconnect');
    expect(started.authorizeUrl.searchParams.get('appid')).toBe(WEB);
    expect(callback.status).toBe(200);
    expect(callback.body.user).toMatchObject({
      appid: WEB,
      openid: sandbox.openidOf('alice', WEB),
    });

    for (const path of ['/auth/wechat', '/auth/wechat/userinfo']) {
      const phone = await browse(site.url + path, { ua: WECHAT_UA });
      expect(phone.status).toBe(400);
      expect(phone.location).toBeNull();
      expect(phone.setCookie).toEqual([]);
      expect(phone.body).toMatchObject({ statusCode: 400, kind: 'flow_unavailable' });
    }

    const clients = await browse(`${site.url}/clients`);
    expect(clients.body).toEqual({
      injected: WEB,
      website: WEB,
      officialAccount: null,
      same: false,
    });
  });

  it('one appid for every flow: both kinds inject that one client, and both flows use it', async () => {
    const single = await WxSandbox.start({ autoApprove: 'alice' });
    try {
      const site = await startSite(single, { appid: single.appid, secret: single.secret });
      const clients = await browse(`${site.url}/clients`);
      expect(clients.body).toEqual({
        injected: single.appid,
        website: single.appid,
        officialAccount: single.appid,
        same: true,
      });
      // A single app keeps the module's scope whatever the browser.
      const desk = await startLogin(site, '/auth/wechat', DESKTOP_UA);
      expect(desk.authorizeUrl.pathname).toBe('/connect/oauth2/authorize');
      expect(desk.authorizeUrl.searchParams.get('appid')).toBe(single.appid);
      const qr = await logIn(site, '/auth/wechat/qr', DESKTOP_UA);
      expect(qr.started.authorizeUrl.searchParams.get('appid')).toBe(single.appid);
      expect(qr.callback.body.user).toMatchObject({ appid: single.appid, scope: ['snsapi_login'] });
    } finally {
      await single.close();
    }
  });
});

describe('the sandbox refuses the wrong kind of app, as WeChat does', () => {
  const client = (appid: string) =>
    new WXOAuth({
      appid,
      secret: sandbox.app(appid).secret,
      apiBaseUrl: sandbox.url,
      openBaseUrl: sandbox.url,
    });

  it("answers an official account's appid on qrconnect with its error page, no redirect", async () => {
    const wx = client(MP);
    try {
      const url = wx.getAuthorizeUrl('http://127.0.0.1:1/auth/wechat/callback', 'snsapi_login', {
        state: 'abc123',
      });
      expect(new URL(url).pathname).toBe('/connect/qrconnect');
      const res = await browse(url.replace(/#.*$/, ''));
      expect(res.status).toBe(400);
      expect(res.location).toBeNull();
      expect(res.text).toContain('Scope 参数错误或没有 Scope 权限');
      expect(res.text).toContain('10005');
    } finally {
      wx.close();
    }
  });

  it("answers a website app's appid on oauth2/authorize with its error page, no redirect", async () => {
    for (const scope of ['snsapi_base', 'snsapi_userinfo'] as const) {
      const wx = client(WEB);
      try {
        const url = wx.getAuthorizeUrl('http://127.0.0.1:1/auth/wechat/callback', scope, {
          state: 'abc123',
        });
        expect(new URL(url).pathname).toBe('/connect/oauth2/authorize');
        const res = await browse(url.replace(/#.*$/, ''), { ua: WECHAT_UA });
        expect(res.status).toBe(400);
        expect(res.location).toBeNull();
        expect(res.text).toContain('此公众号并没有这些scope的权限');
        expect(res.text).toContain('10005');
      } finally {
        wx.close();
      }
    }
  });

  it('still sends each kind on its own endpoint back to the site', async () => {
    for (const [appid, scope] of [
      [MP, 'snsapi_base'],
      [WEB, 'snsapi_login'],
    ] as const) {
      const wx = client(appid);
      try {
        const res = await browse(
          wx
            .getAuthorizeUrl('http://127.0.0.1:1/cb', scope, { state: 'abc123' })
            .replace(/#.*$/, ''),
        );
        expect(res.status).toBe(302);
        expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:1\/cb\?code=[^&]+&state=abc123$/);
      } finally {
        wx.close();
      }
    }
  });
});

describe('a misconfigured app', () => {
  it('answers 502 app_config naming the website app and its appid, never a secret, when its secret is wrong', async () => {
    const wrongSecret = 'f00dbabe'.repeat(4);
    const site = await startSite(sandbox, {
      officialAccount: { appid: MP, secret: sandbox.app(MP).secret },
      website: { appid: WEB, secret: wrongSecret },
    });
    const { callback } = await logIn(site, '/auth/wechat', DESKTOP_UA);
    expect(callback.status).toBe(502);
    expect(callback.body).toMatchObject({ statusCode: 502, kind: 'app_config', errcode: 40125 });
    expect(callback.body.message).toContain(`website app ${WEB}`);
    expect(callback.text).not.toContain(wrongSecret);
    for (const line of site.logger.lines) expect(line).not.toContain(wrongSecret);

    // The official account, rightly configured, still logs in.
    const phone = await logIn(site, '/auth/wechat', WECHAT_UA);
    expect(phone.callback.status).toBe(200);
    expect(phone.callback.body.user.appid).toBe(MP);
  });
});

describe("nest-wx-oauth/config's WX_MP_* and WX_WEB_* keys", () => {
  @Module({ controllers: [SiteController] })
  class Routes {}

  const startFromConfig = async (config: Record<string, string>): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          load: [() => config],
        }),
        WxOAuthModule.forRootAsync(wxOAuthFromConfig({}, { isGlobal: true })),
        Routes,
      ],
    }).compile();
    return moduleRef.createNestApplication({ logger: false });
  };

  it('logs in on both flows', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const app = await startFromConfig({
      WX_MP_APPID: MP,
      WX_MP_SECRET: sandbox.app(MP).secret,
      WX_WEB_APPID: WEB,
      WX_WEB_SECRET: sandbox.app(WEB).secret,
      WX_CALLBACK_URL: `${url}/auth/wechat/callback`,
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
    });
    await app.listen(port, '127.0.0.1');
    const site = { app, url, logger: new CaptureLogger() };
    sites.push(site);

    const desk = await logIn(site, '/auth/wechat', DESKTOP_UA);
    expect(desk.started.authorizeUrl.searchParams.get('appid')).toBe(WEB);
    expect(desk.callback.status).toBe(200);
    expect(desk.callback.body.user).toMatchObject({
      appid: WEB,
      openid: sandbox.openidOf('alice', WEB),
    });
    const phone = await logIn(site, '/auth/wechat', WECHAT_UA);
    expect(phone.started.authorizeUrl.searchParams.get('appid')).toBe(MP);
    expect(phone.callback.status).toBe(200);
    expect(phone.callback.body.user).toMatchObject({
      appid: MP,
      openid: sandbox.openidOf('alice', MP),
    });
  });

  it('fails at start naming WX_WEB_SECRET when only WX_WEB_APPID is set', async () => {
    const start = startFromConfig({
      WX_MP_APPID: MP,
      WX_MP_SECRET: sandbox.app(MP).secret,
      WX_WEB_APPID: WEB,
      WX_CALLBACK_URL: 'http://127.0.0.1:1/auth/wechat/callback',
    });
    await expect(start).rejects.toThrow(/WX_WEB_SECRET/);
    const error = await start.catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(sandbox.app(MP).secret);
  });
});
