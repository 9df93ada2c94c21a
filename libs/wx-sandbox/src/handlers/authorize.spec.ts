import { WxSandbox } from '../wx-sandbox.js';

const CALLBACK = 'https://app.test/auth/wechat/callback';

describe('WxSandbox authorize pages', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({
      appName: 'Tom & "Jerry" <Shop>',
      users: [
        { key: 'alice', nickname: 'Alice' },
        { key: 'bob', nickname: '小明 🐼' },
        { key: 'mallory', nickname: '<img src=x onerror=alert(1)>' },
      ],
    });
  });
  afterAll(() => wx.close());
  afterEach(() => wx.setAutoApprove(false));

  /** Builds the query in the order given, so tests can get it wrong on purpose. */
  const open = (path: string, params: Array<[string, string]>): Promise<Response> =>
    fetch(`${wx.url}${path}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  const authorize = (
    scope: string,
    extra: Array<[string, string]> = [],
    redirectUri = CALLBACK,
  ): Promise<Response> =>
    open('/connect/oauth2/authorize', [
      ['appid', wx.appid],
      ['redirect_uri', redirectUri],
      ['response_type', 'code'],
      ['scope', scope],
      ...extra,
    ]);

  const exchange = async (code: string): Promise<Record<string, unknown>> => {
    const query = new URLSearchParams({
      appid: wx.appid,
      secret: wx.secret,
      code,
      grant_type: 'authorization_code',
    });
    return (await (await fetch(`${wx.url}/sns/oauth2/access_token?${query}`)).json()) as Record<
      string,
      unknown
    >;
  };

  const location = (res: Response): URL => {
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') ?? 'missing:');
  };

  describe('with autoApprove', () => {
    it('redirects straight back with a code for that user and the state', async () => {
      wx.setAutoApprove('bob');
      const url = location(await authorize('snsapi_userinfo', [['state', 'abc123']]));
      expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
      expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(url.searchParams.get('state')).toBe('abc123');
      const token = await exchange(url.searchParams.get('code') ?? '');
      expect(token).toMatchObject({ openid: wx.users[1].openid, scope: 'snsapi_userinfo' });
    });

    it("keeps redirect_uri's own query and appends with &", async () => {
      wx.setAutoApprove('alice');
      const res = await authorize(
        'snsapi_base',
        [['state', 's1']],
        `${CALLBACK}?from=menu&next=%2Fme`,
      );
      expect(res.headers.get('location')).toMatch(
        /^https:\/\/app\.test\/auth\/wechat\/callback\?from=menu&next=%2Fme&code=[A-Za-z0-9]{32}&state=s1$/,
      );
    });

    it('reads a redirect_uri sent unencoded up to the next &, as WeChat does', async () => {
      wx.setAutoApprove('alice');
      const res = await fetch(
        `${wx.url}/connect/oauth2/authorize?appid=${wx.appid}&redirect_uri=https://app.test/cb?from=menu&next=me&response_type=code&scope=snsapi_base`,
        { redirect: 'manual' },
      );
      expect(res.headers.get('location')).toMatch(
        /^https:\/\/app\.test\/cb\?from=menu&code=[A-Za-z0-9]{32}$/,
      );
    });

    it('sends no state when none was sent', async () => {
      wx.setAutoApprove('alice');
      const url = location(await authorize('snsapi_base'));
      expect([...url.searchParams.keys()]).toEqual(['code']);
    });

    it('lets extra parameters follow the known ones', async () => {
      wx.setAutoApprove('alice');
      const res = await authorize('snsapi_base', [
        ['state', 'x'],
        ['forcePopup', 'true'],
        ['connect_redirect', '1'],
      ]);
      expect(res.status).toBe(302);
    });

    it('serves snsapi_login on qrconnect', async () => {
      wx.setAutoApprove('alice');
      const res = await open('/connect/qrconnect', [
        ['appid', wx.appid],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['scope', 'snsapi_login'],
        ['state', 'qr'],
      ]);
      const token = await exchange(location(res).searchParams.get('code') ?? '');
      expect(token.scope).toBe('snsapi_login');
    });
  });

  describe('refuses a bad link with an HTML error page', () => {
    const expectError = async (res: Response, text: string): Promise<void> => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain(text);
    };

    it('when the parameters are out of WeChat order, even with autoApprove', async () => {
      wx.setAutoApprove('alice');
      const res = await open('/connect/oauth2/authorize', [
        ['appid', wx.appid],
        ['scope', 'snsapi_base'],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
      ]);
      await expectError(res, 'Scope 参数错误或没有 Scope 权限');
    });

    it('when a generic OAuth builder sends client_id', async () => {
      const res = await open('/connect/oauth2/authorize', [
        ['client_id', wx.appid],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['scope', 'snsapi_base'],
      ]);
      await expectError(res, 'Scope 参数错误或没有 Scope 权限');
    });

    it('when the scope does not belong to the endpoint', async () => {
      await expectError(await authorize('snsapi_login'), '10005');
      const qr = await open('/connect/qrconnect', [
        ['appid', wx.appid],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['scope', 'snsapi_userinfo'],
      ]);
      await expectError(qr, '此公众号并没有这些scope的权限');
    });

    it('when the scope is empty or the appid unknown', async () => {
      await expectError(await authorize(''), '10010');
      const res = await open('/connect/oauth2/authorize', [
        ['appid', 'wxsomeoneelse'],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['scope', 'snsapi_base'],
      ]);
      await expectError(res, '10016');
    });

    it('when redirect_uri is missing or not an absolute http(s) URL', async () => {
      await expectError(await authorize('snsapi_base', [], ''), '10011');
      await expectError(await authorize('snsapi_base', [], '/relative/cb'), '10003');
      await expectError(
        await authorize('snsapi_base', [], 'javascript:alert(1)'),
        'redirect_uri 域名与后台配置不一致',
      );
    });

    it('when response_type is not code', async () => {
      const res = await open('/connect/oauth2/authorize', [
        ['appid', wx.appid],
        ['redirect_uri', CALLBACK],
        ['response_type', 'token'],
        ['scope', 'snsapi_base'],
      ]);
      await expectError(res, 'response_type');
    });

    it('when state is not 0-128 alphanumerics', async () => {
      wx.setAutoApprove('alice');
      await expectError(
        await authorize('snsapi_base', [['state', 'abc#wechat_redirect']]),
        'state',
      );
      await expectError(await authorize('snsapi_base', [['state', 'a'.repeat(129)]]), 'state');
      expect((await authorize('snsapi_base', [['state', 'a'.repeat(128)]])).status).toBe(302);
    });
  });

  describe('consent page', () => {
    const hiddenFields = (html: string): Array<[string, string]> =>
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
        ([, name, value]) => [
          name,
          value
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&amp;/g, '&'),
        ],
      );

    /** Submits the consent form as a browser would: its hidden fields, then the user and the button. */
    const submit = async (
      html: string,
      user: string,
      decision: 'approve' | 'deny',
    ): Promise<Response> =>
      open('/connect/sandbox/decide', [
        ...hiddenFields(html),
        ['user', user],
        ['decision', decision],
      ]);

    it('lists the users, the scope and the two buttons, first user checked', async () => {
      const res = await authorize('snsapi_userinfo', [['state', 'st']]);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<meta name="viewport"');
      expect(html).toContain('申请获得以下权限');
      expect(html).toContain('获得你的公开信息（昵称、头像等）');
      expect(html).toMatch(/<input type="radio" name="user" value="alice"[^>]* checked>/);
      expect(html).not.toMatch(/value="bob"[^>]* checked/);
      expect(html).toContain('小明 🐼');
      expect(html).toMatch(/<button id="approve"[^>]*data-en="Allow"[^>]*>允许<\/button>/);
      expect(html).toMatch(/<button id="deny"[^>]*data-en="Deny"[^>]*>拒绝<\/button>/);
      expect(html).toMatch(/<form method="get" action="\/connect\/sandbox\/decide">/);
    });

    it('describes snsapi_base as the openid only', async () => {
      const html = await (await authorize('snsapi_base')).text();
      expect(html).toContain('获得你的公开信息（openid）');
      expect(html).not.toContain('昵称、头像');
    });

    it("shows each user's avatar, served by the sandbox itself", async () => {
      const html = await (await authorize('snsapi_userinfo')).text();
      expect(html).toContain(`<img class="avatar" src="${wx.url}/sandbox/avatar/alice.svg"`);
      expect(html).toContain(`<img class="avatar" src="${wx.url}/sandbox/avatar/mallory.svg"`);
    });

    it('escapes everything it echoes', async () => {
      const html = await (
        await authorize('snsapi_base', [], `${CALLBACK}?q="><script>alert(1)</script>`)
      ).text();
      expect(html).toContain(
        '<title>微信网页授权 - Tom &amp; &quot;Jerry&quot; &lt;Shop&gt;</title>',
      );
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<script>');
    });

    it('approve redirects with a code for the chosen user, and state', async () => {
      const html = await (await authorize('snsapi_userinfo', [['state', 'st42']])).text();
      const url = location(await submit(html, 'bob', 'approve'));
      expect(url.searchParams.get('state')).toBe('st42');
      const token = await exchange(url.searchParams.get('code') ?? '');
      expect(token).toMatchObject({ openid: wx.users[1].openid, scope: 'snsapi_userinfo' });
    });

    it('deny redirects with the state only, or with nothing added when there was none', async () => {
      const withState = await (
        await authorize('snsapi_userinfo', [['state', 'st43']], `${CALLBACK}?a=1`)
      ).text();
      expect((await submit(withState, 'alice', 'deny')).headers.get('location')).toBe(
        `${CALLBACK}?a=1&state=st43`,
      );
      const without = await (await authorize('snsapi_userinfo')).text();
      expect((await submit(without, 'alice', 'deny')).headers.get('location')).toBe(CALLBACK);
    });

    it('refuses an unknown user or decision', async () => {
      const html = await (await authorize('snsapi_userinfo')).text();
      expect((await submit(html, 'nobody', 'approve')).status).toBe(400);
      const res = await open('/connect/sandbox/decide', [
        ...hiddenFields(html),
        ['user', 'alice'],
        ['decision', 'maybe'],
      ]);
      expect(res.status).toBe(400);
    });
  });
});
