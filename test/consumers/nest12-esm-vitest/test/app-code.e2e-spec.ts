import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { AppModule } from '../src/app.module.js';
import type { User } from '../src/users/user.entity.js';

const SPA = 'http://localhost:5173';
/** What signs the app's own tokens (AuthModule's JwtModule). */
const JWT_SECRET = 'a-test-jwt-secret';

describe('redirects and an SPA on another origin', () => {
  const saved = { ...process.env };
  let sandbox: WxSandbox;
  let app: INestApplication<App>;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    Object.assign(process.env, {
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_CALLBACK_URL: 'http://localhost/auth/wechat/callback',
      WX_SCOPE: 'snsapi_userinfo',
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
      WX_FRONTEND_ORIGINS: SPA,
      WX_SUCCESS_REDIRECT: '/account',
      WX_FAILURE_REDIRECT: '/login',
      JWT_SECRET,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    app = moduleRef.createNestApplication();
    app.enableCors({ origin: [SPA] });
    await app.init();
  });

  afterAll(async () => {
    process.env = saved;
    await app.close();
    await sandbox.close();
  });

  const exchange = (code: unknown) =>
    request(app.getHttpServer())
      .post('/auth/wechat/handoff')
      .set('Origin', SPA)
      .send({ code });

  it('sends the browser to WX_SUCCESS_REDIRECT after a login', async () => {
    const login = await loginThroughSandbox(app.getHttpServer(), {
      sandbox,
      path: '/auth/wechat',
    });

    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/account');
  });

  it('sends a failed login to WX_FAILURE_REDIRECT with the error kind', async () => {
    const code = sandbox.issueCode('alice', 'snsapi_userinfo');
    const res = await request(app.getHttpServer())
      .get(`/auth/wechat/callback?code=${code}&state=abc123`)
      .expect(302);

    expect(res.headers.location).toBe('/login?wx_error=invalid_state');
  });

  it('hands the login to the SPA with a one-time code, exchanged once for the app token', async () => {
    const returnTo = encodeURIComponent(`${SPA}/orders/7`);
    const login = await loginThroughSandbox(app.getHttpServer(), {
      sandbox,
      path: `/auth/wechat?returnTo=${returnTo}`,
    });
    expect(login.status).toBe(302);
    const back = new URL(String(login.headers.get('location')));
    expect(`${back.origin}${back.pathname}`).toBe(`${SPA}/orders/7`);
    const code = back.searchParams.get('wx_handoff');

    const res = await exchange(code).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(SPA);
    const { token, user } = res.body as { token: string; user: User };
    expect(user).toMatchObject({ nickname: 'Alice' });
    expect(app.get(JwtService).verify<{ sub: number }>(token).sub).toBe(
      user.id,
    );

    const replay = await exchange(code).expect(401);
    expect(replay.body).toMatchObject({
      statusCode: 401,
      kind: 'invalid_handoff',
    });
  });

  it('refuses a handoff code that is not a string (400)', async () => {
    const res = await exchange(123).expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      kind: 'invalid_request',
      message:
        "The login handoff code must be the wx_handoff string from the redirect's URL",
    });
  });

  it('refuses a returnTo on an origin not in WX_FRONTEND_ORIGINS (400)', async () => {
    await request(app.getHttpServer())
      .get(
        `/auth/wechat?returnTo=${encodeURIComponent('https://evil.example/')}`,
      )
      .expect(400);
  });

  it('in development, refuses a login started on another host than the callback’s', async () => {
    process.env.NODE_ENV = 'development';
    try {
      const res = await request(app.getHttpServer())
        .get('/auth/wechat')
        .set('Host', '127.0.0.1:3000')
        .expect(400);
      expect((res.body as { message: string }).message).toBe(
        'This login started on "127.0.0.1:3000", but the callback URL is on "localhost": ' +
          "the browser would not bring the login's cookie back. Open the site on localhost, or set the " +
          'callback URL to this host. (Checked when NODE_ENV is unset or development.)',
      );
    } finally {
      process.env.NODE_ENV = saved.NODE_ENV;
    }
  });
});

describe('mistakes refused at start-up', () => {
  const saved = { ...process.env };
  const base = {
    WX_APPID: 'wx1234567890abcdef',
    WX_SECRET: 'a-test-secret-0123456789abcdef',
    WX_CALLBACK_URL: 'http://localhost/auth/wechat/callback',
  };

  afterEach(() => {
    process.env = { ...saved };
  });

  async function start(env: Record<string, string | undefined>): Promise<void> {
    process.env = { ...saved, JWT_SECRET, ...env };
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    const app = moduleRef.createNestApplication();
    try {
      await app.init();
    } finally {
      await app.close();
    }
  }

  it('names a missing WX_CALLBACK_URL as missing', async () => {
    await expect(
      start({ ...base, WX_CALLBACK_URL: undefined }),
    ).rejects.toThrow('- WX_CALLBACK_URL: is required');
  });

  it('refuses # in WX_CALLBACK_URL', async () => {
    await expect(
      start({
        ...base,
        WX_CALLBACK_URL: 'http://localhost/auth/wechat/callback#x',
      }),
    ).rejects.toThrow(
      '- WX_CALLBACK_URL: must not contain #: WeChat would send it back as %23',
    );
  });

  it('refuses WX_SCOPE=snsapi_login with an official account', async () => {
    await expect(
      start({
        WX_MP_APPID: 'wx0official0account',
        WX_MP_SECRET: base.WX_SECRET,
        WX_WEB_APPID: 'wx0website0app0000',
        WX_WEB_SECRET: base.WX_SECRET,
        WX_CALLBACK_URL: base.WX_CALLBACK_URL,
        WX_SCOPE: 'snsapi_login',
      }),
    ).rejects.toThrow(
      "- WX_SCOPE: is the scope inside WeChat when WX_MP_* is set: snsapi_base or snsapi_userinfo (other browsers get the website QR login, or a route asks for it with @WxAuthScope('snsapi_login'))",
    );
  });

  it('refuses a callback path that no route serves', async () => {
    await expect(
      start({ ...base, WX_CALLBACK_URL: 'http://localhost/auth/wechat/done' }),
    ).rejects.toThrow(
      'No GET route serves /auth/wechat/done, the path of callbackURL: WeChat would send every login back to a 404. ' +
        'Guard a route on that path with WxAuthGuard, or set callbackURL to the path of the route that has it.',
    );
  });
});
