import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type request from 'supertest';
import { loginThroughSandbox } from './login-through-sandbox.js';
import { WxSandbox } from '../wx-sandbox.js';

/**
 * A stand-in for a guarded Nest app: `/login` sets a state cookie and redirects to the
 * sandbox; `/callback` answers the code it got (as JSON) only when the cookie came back,
 * and sets a session cookie while expiring the state one, as the module does.
 */
function fakeApp(sandbox: WxSandbox, callbackURL: string, hosts: string[] = []): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    hosts.push(`${req.method} ${req.url?.replace(/\?.*/, '')} ${req.headers.host}`);
    const url = new URL(req.url ?? '/', 'http://app.test');
    if (url.pathname === '/login') {
      const authorize = new URLSearchParams([
        ['appid', sandbox.appid],
        ['redirect_uri', callbackURL],
        ['response_type', 'code'],
        ['scope', url.searchParams.get('scope') ?? 'snsapi_userinfo'],
        ['state', 'abc123'],
      ]);
      if (!url.searchParams.has('noCookie'))
        res.setHeader('Set-Cookie', 'wx_state_abc123=signed; Path=/; HttpOnly');
      res
        .writeHead(302, {
          location: `${sandbox.url}/connect/oauth2/authorize?${authorize}#wechat_redirect`,
        })
        .end();
    } else if (url.pathname === '/wecom') {
      // WeCom's in-client authorize page inside its client (User-Agent `wxwork`), else its web login.
      const inClient = /\bwxwork\//.test(req.headers['user-agent'] ?? '');
      const agentid = String(sandbox.corpApp().agentid);
      const link = inClient
        ? `/connect/oauth2/authorize?${new URLSearchParams([
            ['appid', sandbox.corpid],
            ['redirect_uri', callbackURL],
            ['response_type', 'code'],
            ['scope', url.searchParams.get('scope') ?? 'snsapi_base'],
            ['state', 'abc123'],
            ['agentid', agentid],
          ])}#wechat_redirect`
        : `/wwlogin/sso/login?${new URLSearchParams([
            ['login_type', 'CorpApp'],
            ['appid', sandbox.corpid],
            ['agentid', agentid],
            ['redirect_uri', callbackURL],
            ['state', 'abc123'],
          ])}`;
      res.setHeader('Set-Cookie', 'wx_state_abc123=signed; Path=/; HttpOnly');
      res.writeHead(302, { location: `${sandbox.url}${link}` }).end();
    } else if (url.pathname === '/refuse') {
      // An app's refusal, as Nest answers it: JSON with the error's message.
      res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          statusCode: 400,
          kind: 'flow_unavailable',
          message: 'No WeCom app here',
        }),
      );
    } else if (url.pathname === '/elsewhere') {
      res
        .writeHead(302, { location: 'https://open.weixin.qq.com/connect/oauth2/authorize?appid=x' })
        .end();
    } else if (url.pathname === '/callback') {
      if (
        !req.headers.cookie?.includes('wx_state_abc123=signed') ||
        url.searchParams.get('state') !== 'abc123'
      ) {
        res.writeHead(401).end('invalid_state');
        return;
      }
      res.setHeader('Set-Cookie', [
        'wx_state_abc123=; Path=/; Max-Age=0',
        'session=s1; Path=/; HttpOnly',
      ]);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          code: url.searchParams.get('code'),
          userAgent: req.headers['user-agent'],
          authorization: req.headers.authorization,
        }),
      );
    } else {
      res.writeHead(404).end();
    }
  });
}

/** supertest's `App`, which `nest new`'s e2e template types `getHttpServer()` with. */
type App = Parameters<typeof request>[0];

describe('loginThroughSandbox', () => {
  let sandbox: WxSandbox;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  afterAll(() => sandbox.close());
  afterEach(() => sandbox.setAutoApprove(false));

  /** Exchanges the code the app received, to learn which test user approved. */
  const approverOf = async (code: string): Promise<string | undefined> => {
    const query = new URLSearchParams({
      appid: sandbox.appid,
      secret: sandbox.secret,
      code,
      grant_type: 'authorization_code',
    });
    const token = (await (
      await fetch(`${sandbox.url}/sns/oauth2/access_token?${query}`)
    ).json()) as { openid?: string };
    return sandbox.users.find((user) => user.openid === token.openid)?.key;
  };

  it('follows an auto-approved login to the callback on a server it listens on itself, the state cookie included', async () => {
    sandbox.setAutoApprove('bob');
    // The configured callback names another host: the helper asks the app under test.
    const server = fakeApp(sandbox, 'https://www.example.com/callback');

    const login = await loginThroughSandbox<{ code: string }>(server, { sandbox, path: '/login' });

    expect(login.status).toBe(200);
    expect(login.callbackUrl).toMatch(
      /^https:\/\/www\.example\.com\/callback\?code=\w+&state=abc123$/,
    );
    expect(await approverOf(login.body?.code ?? '')).toBe('bob');
    // The expired state cookie is gone, the session stays for the next requests.
    expect(login.cookie).toBe('session=s1');
    expect(server.listening).toBe(false);
  });

  it('shares the server it listens on among concurrent logins, and stops listening after the last', async () => {
    sandbox.setAutoApprove('bob');
    const server = fakeApp(sandbox, 'https://www.example.com/callback');

    const logins = await Promise.all(
      Array.from({ length: 40 }, () => loginThroughSandbox(server, { sandbox, path: '/login' })),
    );

    expect(logins.map((login) => login.status)).toEqual(logins.map(() => 200));
    expect(server.listening).toBe(false);
  });

  it("takes what Nest's getHttpServer() gives, typed as supertest's App, or a request listener, and sends the browser's User-Agent and headers", async () => {
    sandbox.setAutoApprove('alice');
    const server: App = fakeApp(sandbox, 'http://localhost/callback');
    const listener = (server as ReturnType<typeof fakeApp>).listeners('request')[0] as App;
    for (const app of [server, listener]) {
      const login = await loginThroughSandbox<{ userAgent: string; authorization: string }>(app, {
        sandbox,
        path: '/login',
        userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50',
        headers: { authorization: 'Bearer app-token' },
      });
      expect(login.body).toMatchObject({
        userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50',
        authorization: 'Bearer app-token',
      });
    }
  });

  it('sends a Host given in headers with every request to the app, on the server it listens on', async () => {
    sandbox.setAutoApprove('alice');
    const hosts: string[] = [];
    const server = fakeApp(sandbox, 'http://acme.shop.localhost:3010/callback', hosts);

    const login = await loginThroughSandbox<{ code: string }>(server, {
      sandbox,
      path: '/login',
      headers: { Host: 'acme.shop.localhost:3010' },
    });

    expect(login.status).toBe(200);
    expect(login.callbackUrl).toMatch(/^http:\/\/acme\.shop\.localhost:3010\/callback\?code=/);
    expect(hosts).toEqual([
      'GET /login acme.shop.localhost:3010',
      'GET /callback acme.shop.localhost:3010',
    ]);
  });

  it('approves as `user` on the consent page, against an app that already listens', async () => {
    const server = fakeApp(sandbox, 'http://localhost/callback');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const login = await loginThroughSandbox<{ code: string }>(`http://127.0.0.1:${port}`, {
        sandbox,
        path: '/login',
        user: 'carol',
        cookie: 'theme=dark',
      });

      expect(login.status).toBe(200);
      expect(await approverOf(login.body?.code ?? '')).toBe('carol');
      expect(login.cookie).toBe('theme=dark; session=s1');
      expect(server.listening).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("returns the app's answer when the callback is refused", async () => {
    sandbox.setAutoApprove('alice');
    const server = fakeApp(sandbox, 'http://localhost/callback');

    // Without the state cookie of its login, the callback is refused.
    const refused = await loginThroughSandbox(server, { sandbox, path: '/login?noCookie=1' });

    expect(refused).toMatchObject({
      status: 401,
      text: 'invalid_state',
      body: undefined,
      cookie: '',
    });
  });

  describe('through WeCom', () => {
    const IN_WECOM = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.30 MicroMessenger/7.0.1';
    afterEach(() => sandbox.setWeComAutoApprove(false));

    /** Redeems the code the app received with the corp's token: who logged in, and whether with consent. */
    const weComUserOf = async (code: string) => {
      const { secret } = sandbox.corpApp();
      const token = (await (
        await fetch(`${sandbox.url}/cgi-bin/gettoken?corpid=${sandbox.corpid}&corpsecret=${secret}`)
      ).json()) as { access_token: string };
      return (await (
        await fetch(
          `${sandbox.url}/cgi-bin/auth/getuserinfo?access_token=${token.access_token}&code=${code}`,
        )
      ).json()) as { userid?: string; openid?: string; user_ticket?: string };
    };

    it('logs `user` in inside the WeCom client, agreeing to share their details', async () => {
      const server = fakeApp(sandbox, 'http://localhost/callback');
      const login = await loginThroughSandbox<{ code: string }>(server, {
        sandbox,
        path: '/wecom?scope=snsapi_privateinfo',
        user: 'zhangsan',
        userAgent: IN_WECOM,
      });
      expect(login.status).toBe(200);
      expect(await weComUserOf(login.body!.code)).toMatchObject({
        userid: 'ZhangSan',
        user_ticket: expect.any(String),
      });
    });

    it('logs `user` in on the web login page, a non-member too, and as weComAutoApprove without one', async () => {
      const server = fakeApp(sandbox, 'http://localhost/callback');
      const web = await loginThroughSandbox<{ code: string }>(server, {
        sandbox,
        path: '/wecom',
        user: 'lisi',
      });
      expect(await weComUserOf(web.body!.code)).toMatchObject({ userid: 'LiSi' });
      const guest = await loginThroughSandbox<{ code: string }>(server, {
        sandbox,
        path: '/wecom',
        user: 'guest',
        userAgent: IN_WECOM,
      });
      expect(await weComUserOf(guest.body!.code)).toEqual(
        expect.objectContaining({ openid: expect.any(String) }),
      );
      sandbox.setWeComAutoApprove('wangwu');
      const auto = await loginThroughSandbox<{ code: string }>(server, { sandbox, path: '/wecom' });
      expect(await weComUserOf(auto.body!.code)).toMatchObject({ userid: 'WangWu' });
    });

    it('says why when the page does not send the browser back', async () => {
      const server = fakeApp(sandbox, 'http://localhost/callback');
      await expect(
        loginThroughSandbox(server, { sandbox, path: '/wecom', user: 'nobody' }),
      ).rejects.toThrow(
        /^the sandbox's WeCom page for 'nobody' answered \d+ where a redirect was expected: .*未知的测试账号/,
      );
      await expect(loginThroughSandbox(server, { sandbox, path: '/wecom' })).rejects.toThrow(
        "the sandbox's WeCom page (no weComAutoApprove? pass `user`) answered 200",
      );
    });
  });

  it("says what is wrong when the login does not go through the sandbox, with the app's reason", async () => {
    await expect(
      loginThroughSandbox(fakeApp(sandbox, 'http://localhost/callback'), {
        sandbox,
        path: '/refuse',
      }),
    ).rejects.toThrow(
      new Error('GET /refuse answered 400 where a redirect was expected: No WeCom app here'),
    );
  });

  it('says what is wrong when the login does not go through the sandbox', async () => {
    const server = fakeApp(sandbox, 'http://localhost/callback');
    await expect(loginThroughSandbox(server, { sandbox, path: '/elsewhere' })).rejects.toThrow(
      /redirected to https:\/\/open\.weixin\.qq\.com.*set openBaseUrl to sandbox\.url/,
    );
    await expect(loginThroughSandbox(server, { sandbox, path: '/login' })).rejects.toThrow(
      /no autoApprove\? pass `user`\) answered 200 where a redirect was expected/,
    );
    sandbox.setAutoApprove('alice');
    await expect(
      loginThroughSandbox(server, { sandbox, path: '/login', user: 'bob' }),
    ).rejects.toThrow(/with autoApprove, leave out `user`/);
    await expect(loginThroughSandbox(server, { sandbox, path: '/missing' })).rejects.toThrow(
      /GET \/missing answered 404/,
    );
  });
});
