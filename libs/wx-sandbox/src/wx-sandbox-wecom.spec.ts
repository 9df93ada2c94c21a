import { requestLogLine } from './helpers/request-log-line.js';
import { DEFAULT_SANDBOX_AGENTID, DEFAULT_SANDBOX_CORPID } from './model/wecom-corps.js';
import type { WxSandboxCorp } from './model/wecom-corps.js';
import { WxSandbox } from './wx-sandbox.js';
import { unescapeHtml } from './wx-sandbox.spec-helper.js';
import type { WxSandboxRequestRecord } from './wx-sandbox.types.js';

type Body = Record<string, any>;

const CORP = 'ww0acme0corp';
const CRM = '1000005';
const HR = '1000006';
const LOCKED = '1000007';
const CORPS: WxSandboxCorp[] = [
  {
    corpid: CORP,
    name: 'Acme',
    apps: [
      { agentid: CRM, secret: 'crm-secret-0123456789abcdef', name: 'Acme CRM' },
      { agentid: HR, secret: 'hr-secret-0123456789abcdef', visibleTo: ['ann'] },
      {
        agentid: LOCKED,
        secret: 'locked-secret-0123456789abcdef',
        ipTrusted: false,
        redirectHosts: ['app.test'],
      },
    ],
    members: [
      { key: 'ann', userid: 'Ann', name: 'Ann', mobile: '13800000001', email: 'ann@acme.test' },
      { key: 'ben', name: 'Ben', avatar: '' },
    ],
    nonMembers: [{ key: 'visitor', name: 'Visitor' }],
  },
];
const CALLBACK = 'https://app.test/auth/wecom/callback';
const FIVE_MINUTES = 5 * 60 * 1000;
/** WeCom's errmsg: its text, then a hint, the caller's IP and where to look the code up. */
const WECOM_ERRMSG = (text: string, errcode: number): RegExp =>
  new RegExp(
    `^${text}, hint: \\[\\d+_[0-9a-f]{12}\\], from ip: [0-9a-f.:]+, ` +
      `more info at https://open\\.work\\.weixin\\.qq\\.com/devtool/query\\?e=${errcode}$`,
  );

/** WeCom's answers: HTTP 200 and JSON, errors included. */
const answer = async (res: Response): Promise<Body> => {
  expect(res.status).toBe(200);
  return (await res.json()) as Body;
};

describe('WxSandbox WeCom', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start();
  });
  afterAll(() => wx.close());
  afterEach(() => {
    wx.clearFaults();
    wx.setWeComAutoApprove(false);
  });

  const get = (path: string, params: Record<string, string>, sandbox = wx): Promise<Body> =>
    fetch(`${sandbox.url}${path}?${new URLSearchParams(params)}`).then(answer);
  const tokenOf = async (
    sandbox = wx,
    corpid = sandbox.corpid,
    agentid?: string,
  ): Promise<string> => {
    const body = await get(
      '/cgi-bin/gettoken',
      { corpid, corpsecret: sandbox.corpApp(corpid, agentid).secret },
      sandbox,
    );
    expect(body.errcode).toBe(0);
    return String(body.access_token);
  };
  const userinfo = async (code: string, sandbox = wx, token?: string): Promise<Body> =>
    get(
      '/cgi-bin/auth/getuserinfo',
      { access_token: token ?? (await tokenOf(sandbox)), code },
      sandbox,
    );
  const detail = async (userTicket: unknown, sandbox = wx, token?: string): Promise<Body> =>
    fetch(
      `${sandbox.url}/cgi-bin/auth/getuserdetail?access_token=${token ?? (await tokenOf(sandbox))}`,
      { method: 'POST', body: JSON.stringify({ user_ticket: userTicket }) },
    ).then(answer);
  const page = (path: string, params: Array<[string, string]>, sandbox = wx): Promise<Response> =>
    fetch(`${sandbox.url}${path}?${new URLSearchParams(params)}`, { redirect: 'manual' });
  /** The in-client link as the WeCom docs spell it, with the sandbox's own parameters after. */
  const authorize = (
    scope: string,
    extra: Array<[string, string]> = [],
    agentid: string | null = DEFAULT_SANDBOX_AGENTID,
    sandbox = wx,
  ): Promise<Response> =>
    page(
      '/connect/oauth2/authorize',
      [
        ['appid', sandbox.corpid],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['scope', scope],
        ['state', 'st4te'],
        ...(agentid === null ? [] : [['agentid', agentid] as [string, string]]),
        ...extra,
      ],
      sandbox,
    );
  const webLogin = (extra: Array<[string, string]> = [], sandbox = wx): Promise<Response> =>
    page(
      '/wwlogin/sso/login',
      [
        ['login_type', 'CorpApp'],
        ['appid', sandbox.corpid],
        ['agentid', DEFAULT_SANDBOX_AGENTID],
        ['redirect_uri', CALLBACK],
        ['state', 'st4te'],
        ...extra,
      ],
      sandbox,
    );
  /** The callback a redirect goes to: its code and state. */
  const callback = (res: Response): { code: string; state: string | null } => {
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    return {
      code: location.searchParams.get('code')!,
      state: location.searchParams.get('state'),
    };
  };

  describe('the default corp', () => {
    it('has one app, members with and without details, one outside the visible range, and non-members', () => {
      const corp = wx.corp();
      expect(wx.corpid).toBe(DEFAULT_SANDBOX_CORPID);
      expect(corp.apps).toEqual([
        expect.objectContaining({
          agentid: '1000002',
          ipTrusted: true,
          secret: expect.any(String),
        }),
      ]);
      expect(corp.apps[0].secret).toMatch(/^[0-9a-f]{32}$/);
      expect(corp.members.map((member) => member.key)).toEqual([
        'zhangsan',
        'lisi',
        'wangwu',
        'zhaoliu',
      ]);
      expect(corp.apps[0].visibleTo).not.toContain('zhaoliu');
      expect(corp.nonMembers).toEqual([
        { key: 'guest', name: '微信用户', openid: expect.stringMatching(/^o/) },
        expect.objectContaining({ key: 'customer', externalUserid: expect.stringMatching(/^wm/) }),
      ]);
    });

    it('serves the default avatars of its members', async () => {
      const { avatar } = wx.corp().members[0];
      const res = await fetch(avatar);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      expect(await res.text()).toContain('张');
    });
  });

  describe('/cgi-bin/gettoken', () => {
    it('answers one live token per app, 7200 s, the same until it expires', async () => {
      const sandbox = await WxSandbox.start({ corps: CORPS });
      try {
        const first = await get(
          '/cgi-bin/gettoken',
          { corpid: CORP, corpsecret: 'crm-secret-0123456789abcdef' },
          sandbox,
        );
        expect(first).toEqual({
          errcode: 0,
          errmsg: 'ok',
          access_token: expect.any(String),
          expires_in: 7200,
        });
        expect(await tokenOf(sandbox, CORP, CRM)).toBe(first.access_token);
        expect(await tokenOf(sandbox, CORP, HR)).not.toBe(first.access_token);
        expect(sandbox.corpTokensIssued(CORP, CRM)).toBe(1);
        sandbox.advance(7200 * 1000);
        expect(await tokenOf(sandbox, CORP, CRM)).not.toBe(first.access_token);
        expect(sandbox.corpTokensIssued(CORP, CRM)).toBe(2);
      } finally {
        await sandbox.close();
      }
    });

    it.each([
      [{}, 41002, 'corpid missing'],
      [{ corpid: 'ww0nobody', corpsecret: 'x' }, 40013, 'invalid corpid'],
      [{ corpid: DEFAULT_SANDBOX_CORPID }, 41004, 'secret missing'],
      [{ corpid: DEFAULT_SANDBOX_CORPID, corpsecret: 'wrong' }, 40001, 'invalid secret'],
    ])('refuses %j with %i', async (params, errcode, text) => {
      const body = await get('/cgi-bin/gettoken', params as Record<string, string>);
      expect(body).toEqual({ errcode, errmsg: expect.stringMatching(WECOM_ERRMSG(text, errcode)) });
    });

    it('answers 60020, naming the IP, for an app whose server IP is not trusted', async () => {
      wx.setIpTrusted(wx.corpid, DEFAULT_SANDBOX_AGENTID, false);
      try {
        const body = await get('/cgi-bin/gettoken', {
          corpid: wx.corpid,
          corpsecret: wx.corpApp().secret,
        });
        expect(body).toEqual({
          errcode: 60020,
          errmsg: expect.stringMatching(WECOM_ERRMSG('not allow to access from your ip', 60020)),
        });
        expect(body.errmsg).toContain('from ip: 127.0.0.1,');
      } finally {
        wx.setIpTrusted(wx.corpid, DEFAULT_SANDBOX_AGENTID, true);
      }
      expect(wx.corpApp().ipTrusted).toBe(true);
    });
  });

  describe('/cgi-bin/auth/getuserinfo', () => {
    it('answers a member their userid, without a ticket for snsapi_base', async () => {
      expect(await userinfo(wx.weComCode({ user: 'zhangsan' }))).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'ZhangSan',
      });
    });

    it('adds a user_ticket (1800 s) after consent to snsapi_privateinfo', async () => {
      const body = await userinfo(wx.weComCode({ user: 'zhangsan', scope: 'snsapi_privateinfo' }));
      expect(body).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'ZhangSan',
        user_ticket: expect.any(String),
        expires_in: 1800,
      });
    });

    it('gives no ticket when the member declined, or is outside the visible range', async () => {
      const declined = wx.weComCode({ user: 'lisi', scope: 'snsapi_privateinfo', agree: false });
      expect(await userinfo(declined)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'LiSi' });
      const outside = wx.weComCode({ user: 'zhaoliu', scope: 'snsapi_privateinfo' });
      expect(await userinfo(outside)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'ZhaoLiu' });
    });

    it('answers a non-member their openid, an external contact also the external_userid', async () => {
      const [guest, customer] = wx.corp().nonMembers;
      expect(await userinfo(wx.weComCode({ user: 'guest', scope: 'snsapi_privateinfo' }))).toEqual({
        errcode: 0,
        errmsg: 'ok',
        openid: guest.openid,
      });
      expect(await userinfo(wx.weComCode({ user: 'customer' }))).toEqual({
        errcode: 0,
        errmsg: 'ok',
        openid: customer.openid,
        external_userid: customer.externalUserid,
      });
    });

    it('takes a code once, for 5 minutes of the sandbox clock', async () => {
      const code = wx.weComCode({ user: 'zhangsan' });
      expect((await userinfo(code)).userid).toBe('ZhangSan');
      expect(await userinfo(code)).toEqual({
        errcode: 40029,
        errmsg: expect.stringMatching(WECOM_ERRMSG('invalid code', 40029)),
      });
      const late = wx.weComCode({ user: 'zhangsan' });
      wx.advance(FIVE_MINUTES);
      expect((await userinfo(late)).errcode).toBe(40029);
      const fresh = wx.weComCode({ user: 'zhangsan' });
      wx.advance(FIVE_MINUTES - 1000);
      expect((await userinfo(fresh)).userid).toBe('ZhangSan');
      expect((await userinfo('not-a-code')).errcode).toBe(40029);
    });

    it('refuses a missing, unknown or expired token, and a missing code', async () => {
      const code = wx.weComCode({ user: 'zhangsan' });
      expect((await get('/cgi-bin/auth/getuserinfo', { code })).errcode).toBe(41001);
      expect((await userinfo(code, wx, 'not-a-token')).errcode).toBe(40014);
      const token = await tokenOf();
      expect((await get('/cgi-bin/auth/getuserinfo', { access_token: token })).errcode).toBe(41008);
      // The code was not used up by the refusals.
      expect((await userinfo(code, wx, token)).userid).toBe('ZhangSan');
      wx.advance(7200 * 1000);
      expect(await userinfo(wx.weComCode({ user: 'zhangsan' }), wx, token)).toEqual({
        errcode: 42001,
        errmsg: expect.stringMatching(WECOM_ERRMSG('access_token expired', 42001)),
      });
    });

    it('keeps one app token from another app’s codes and tickets', async () => {
      const sandbox = await WxSandbox.start({ corps: CORPS });
      try {
        const crm = await tokenOf(sandbox, CORP, CRM);
        const hr = await tokenOf(sandbox, CORP, HR);
        const code = sandbox.weComCode({ user: 'ann', agentid: HR, scope: 'snsapi_privateinfo' });
        expect((await userinfo(code, sandbox, crm)).errcode).toBe(40029);
        const body = await userinfo(code, sandbox, hr);
        expect(body.userid).toBe('Ann');
        expect((await detail(body.user_ticket, sandbox, crm)).errcode).toBe(40029);
        expect((await detail(body.user_ticket, sandbox, hr)).mobile).toBe('13800000001');
        // Ben is outside the HR app's visible range; the CRM app sees every member.
        const ben = sandbox.weComCode({ user: 'ben', agentid: HR, scope: 'snsapi_privateinfo' });
        expect(await userinfo(ben, sandbox, hr)).toEqual({
          errcode: 0,
          errmsg: 'ok',
          userid: 'ben',
        });
      } finally {
        await sandbox.close();
      }
    });

    it('answers 60020 to a token of an app whose IP trust was taken away', async () => {
      const token = await tokenOf();
      wx.setIpTrusted(wx.corpid, DEFAULT_SANDBOX_AGENTID, false);
      try {
        expect((await userinfo(wx.weComCode({ user: 'zhangsan' }), wx, token)).errcode).toBe(60020);
      } finally {
        wx.setIpTrusted(wx.corpid, DEFAULT_SANDBOX_AGENTID, true);
      }
    });
  });

  describe('/cgi-bin/auth/getuserdetail', () => {
    const ticketOf = async (user: string): Promise<string> =>
      String((await userinfo(wx.weComCode({ user, scope: 'snsapi_privateinfo' }))).user_ticket);

    it('answers the member’s details, only the fields they have', async () => {
      const [zhangsan, lisi, wangwu] = wx.corp().members;
      expect(await detail(await ticketOf('zhangsan'))).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'ZhangSan',
        gender: '1',
        avatar: zhangsan.avatar,
        qr_code: zhangsan.qrCode,
        mobile: '13800138000',
        email: 'zhangsan@sandbox.test',
        biz_mail: 'zhangsan@sandbox.wecom.work',
        address: '广州市海珠区新港中路',
      });
      expect(await detail(await ticketOf('lisi'))).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'LiSi',
        gender: '2',
        avatar: lisi.avatar,
        qr_code: lisi.qrCode,
        mobile: '13900139000',
      });
      expect(await detail(await ticketOf('wangwu'))).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'WangWu',
        gender: '0',
        qr_code: wangwu.qrCode,
      });
    });

    it('refuses an unknown or expired ticket, a GET and a body that is not JSON', async () => {
      const ticket = await ticketOf('zhangsan');
      expect(await detail('not-a-ticket')).toEqual({
        errcode: 40029,
        errmsg: expect.stringMatching(WECOM_ERRMSG('invalid user_ticket', 40029)),
      });
      expect((await detail(undefined)).errcode).toBe(40029);
      const token = await tokenOf();
      const url = `${wx.url}/cgi-bin/auth/getuserdetail?access_token=${token}`;
      expect((await fetch(url).then(answer)).errcode).toBe(43002);
      expect((await fetch(url, { method: 'POST', body: '{' }).then(answer)).errcode).toBe(47001);
      // Still good at 1799 s; gone at 1800 s.
      wx.advance(1799 * 1000);
      expect((await detail(ticket)).userid).toBe('ZhangSan');
      wx.advance(1000);
      expect((await detail(ticket)).errcode).toBe(40029);
    });
  });

  describe('/cgi-bin/user/get', () => {
    it('answers the name of a member in the visible range', async () => {
      const token = await tokenOf();
      const body = await get('/cgi-bin/user/get', { access_token: token, userid: 'LiSi' });
      expect(body).toMatchObject({ errcode: 0, errmsg: 'ok', userid: 'LiSi', name: '李四' });
      expect(body).not.toHaveProperty('mobile');
      expect(
        (await get('/cgi-bin/user/get', { access_token: token, userid: 'ZhaoLiu' })).errcode,
      ).toBe(60011);
      expect(
        (await get('/cgi-bin/user/get', { access_token: token, userid: 'Nobody' })).errcode,
      ).toBe(60111);
    });
  });

  describe('inside the WeCom client (/connect/oauth2/authorize with a corpid)', () => {
    it('redirects snsapi_base at once as the member the client is signed in as', async () => {
      const back = callback(await authorize('snsapi_base', [['sandbox_user', 'lisi']]));
      expect(back.state).toBe('st4te');
      expect(await userinfo(back.code)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'LiSi' });
    });

    it('asks who is signed in when nobody is, then comes back as them', async () => {
      const res = await authorize('snsapi_base');
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('id="wecom-authorize"');
      expect(html).toContain('data-consent="false"');
      for (const key of ['zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'guest', 'customer'])
        expect(html).toContain(`data-user="${key}"`);
      const decide = formTarget(wx.url, html, [
        ['user', 'customer'],
        ['decision', 'agree'],
      ]);
      const back = callback(await fetch(decide, { redirect: 'manual' }));
      expect((await userinfo(back.code)).external_userid).toEqual(expect.any(String));
    });

    it('asks consent to snsapi_privateinfo: agreed, a ticket; declined, the userid only', async () => {
      const res = await authorize('snsapi_privateinfo');
      const html = await res.text();
      expect(html).toContain('data-consent="true"');
      expect(html).toContain('id="agree"');
      expect(html).toContain('id="decline"');
      const agreed = callback(
        await fetch(
          formTarget(wx.url, html, [
            ['user', 'zhangsan'],
            ['decision', 'agree'],
          ]),
          {
            redirect: 'manual',
          },
        ),
      );
      expect((await userinfo(agreed.code)).user_ticket).toEqual(expect.any(String));
      const declined = callback(
        await fetch(
          formTarget(wx.url, html, [
            ['user', 'zhangsan'],
            ['decision', 'decline'],
          ]),
          {
            redirect: 'manual',
          },
        ),
      );
      expect(declined.state).toBe('st4te');
      expect(await userinfo(declined.code)).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'ZhangSan',
      });
    });

    it('answers the consent page through sandbox_consent, or shows it to the signed-in member', async () => {
      const asked = await authorize('snsapi_privateinfo', [['sandbox_user', 'zhangsan']]);
      const html = await asked.text();
      expect(html).toContain('data-user="zhangsan"');
      expect(html).not.toContain('data-user="lisi"');
      const agreed = callback(
        await authorize('snsapi_privateinfo', [
          ['sandbox_user', 'zhangsan'],
          ['sandbox_consent', 'agree'],
        ]),
      );
      expect((await userinfo(agreed.code)).user_ticket).toEqual(expect.any(String));
      const declined = callback(
        await authorize('snsapi_privateinfo', [
          ['sandbox_user', 'zhangsan'],
          ['sandbox_consent', 'decline'],
        ]),
      );
      expect((await userinfo(declined.code)).user_ticket).toBeUndefined();
    });

    it('treats snsapi_privateinfo without an agentid as snsapi_base: no consent, no ticket', async () => {
      const back = callback(
        await authorize('snsapi_privateinfo', [['sandbox_user', 'zhangsan']], null),
      );
      expect(await userinfo(back.code)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'ZhangSan' });
      const page = await (await authorize('snsapi_privateinfo', [], null)).text();
      expect(page).toContain('data-consent="false"');
    });

    it('signs in and agrees at once as weComAutoApprove', async () => {
      wx.setWeComAutoApprove('zhangsan');
      const back = callback(await authorize('snsapi_privateinfo'));
      expect((await userinfo(back.code)).user_ticket).toEqual(expect.any(String));
      expect(() => wx.setWeComAutoApprove('alice')).toThrow(/no WeCom member/);
    });

    it('still serves WeChat’s own page for a WeChat appid', async () => {
      const res = await page('/connect/oauth2/authorize', [
        ['appid', wx.appid],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['scope', 'snsapi_base'],
      ]);
      expect(await res.text()).toContain('id="consent"');
    });

    it.each([
      ['an unknown agentid', [['agentid', '999']], 40056],
      ['a redirect_uri that is no http(s) URL', [['redirect_uri', 'javascript:alert(1)']], 50001],
      ['an unknown scope', [['scope', 'snsapi_userinfo']], 10005],
    ] as Array<[string, Array<[string, string]>, number]>)(
      'shows WeCom’s error page for %s',
      async (_name, override, errcode) => {
        const params = new URLSearchParams([
          ['appid', wx.corpid],
          ['redirect_uri', CALLBACK],
          ['response_type', 'code'],
          ['scope', 'snsapi_base'],
          ['agentid', DEFAULT_SANDBOX_AGENTID],
        ]);
        for (const [name, value] of override) params.set(name, value);
        const res = await fetch(`${wx.url}/connect/oauth2/authorize?${params}`, {
          redirect: 'manual',
        });
        expect(res.status).toBe(400);
        const html = await res.text();
        expect(html).toContain('id="wecom-error"');
        expect(html).toContain(`data-errcode="${errcode}"`);
      },
    );

    it('refuses a redirect_uri outside the app’s trusted domain', async () => {
      const sandbox = await WxSandbox.start({ corps: CORPS });
      try {
        const refused = await page(
          '/connect/oauth2/authorize',
          [
            ['appid', CORP],
            ['redirect_uri', 'https://evil.test/cb'],
            ['response_type', 'code'],
            ['scope', 'snsapi_base'],
            ['agentid', LOCKED],
          ],
          sandbox,
        );
        expect(refused.status).toBe(400);
        expect(await refused.text()).toContain('data-errcode="50001"');
      } finally {
        await sandbox.close();
      }
    });
  });

  describe('the web login (/wwlogin/sso/login)', () => {
    it('shows a QR code and a simulated scan per person, framable', async () => {
      const res = await webLogin();
      expect(res.status).toBe(200);
      expect(res.headers.get('x-frame-options')).toBeNull();
      const html = await res.text();
      expect(html).toContain('id="wecom-login"');
      expect(html).toContain('<svg');
      const scans = [
        ...html.matchAll(/class="simulate-scan" data-user="([^"]+)" href="([^"]+)" target="_top"/g),
      ];
      expect(scans.map(([, key]) => key)).toEqual([
        'zhangsan',
        'lisi',
        'wangwu',
        'zhaoliu',
        'guest',
        'customer',
      ]);
      const back = callback(await fetch(unescapeHtml(scans[0][2]), { redirect: 'manual' }));
      expect(back.state).toBe('st4te');
      // The web login gives the userid, never a ticket.
      expect(await userinfo(back.code)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'ZhangSan' });
      const guest = callback(await fetch(unescapeHtml(scans[4][2]), { redirect: 'manual' }));
      expect((await userinfo(guest.code)).openid).toBe(wx.corp().nonMembers[0].openid);
    });

    it('opens the phone’s page for a scan without a person, and redirects at once when signed in', async () => {
      const html = await (await webLogin()).text();
      const qrTarget = unescapeHtml(
        /class="simulate-scan"[^>]*href="([^"]+)&amp;user=/.exec(html)![1],
      );
      const phone = await (await fetch(qrTarget)).text();
      expect(phone).toContain('data-user="lisi"');
      expect(phone).not.toContain('<svg');
      callback(await webLogin([['sandbox_user', 'lisi']]));
      wx.setWeComAutoApprove('wangwu');
      const back = callback(await webLogin());
      expect((await userinfo(back.code)).userid).toBe('WangWu');
    });

    it.each([
      ['an unknown corpid', [['appid', 'ww0nobody']], 40013],
      ['an unknown agentid', [['agentid', '999']], 40056],
      ['no agentid', [['agentid', '']], 40056],
      ['a bad redirect_uri', [['redirect_uri', 'not a url']], 50001],
      ['a login_type not CorpApp', [['login_type', 'ServiceApp']], undefined],
    ] as Array<[string, Array<[string, string]>, number | undefined]>)(
      'shows WeCom’s error page for %s',
      async (_name, override, errcode) => {
        const params = new URLSearchParams([
          ['login_type', 'CorpApp'],
          ['appid', wx.corpid],
          ['agentid', DEFAULT_SANDBOX_AGENTID],
          ['redirect_uri', CALLBACK],
        ]);
        for (const [name, value] of override) params.set(name, value);
        const res = await fetch(`${wx.url}/wwlogin/sso/login?${params}`, { redirect: 'manual' });
        expect(res.status).toBe(400);
        const html = await res.text();
        expect(html).toContain('id="wecom-error"');
        if (errcode !== undefined) expect(html).toContain(`data-errcode="${errcode}"`);
      },
    );
  });

  describe('faults', () => {
    it('injects errcodes in WeCom’s words, resets and delays on its endpoints', async () => {
      wx.inject({ type: 'errcode', errcode: 60020 }, { endpoint: 'gettoken' });
      expect(
        await get('/cgi-bin/gettoken', { corpid: wx.corpid, corpsecret: wx.corpApp().secret }),
      ).toEqual({
        errcode: 60020,
        errmsg: expect.stringMatching(WECOM_ERRMSG('not allow to access from your ip', 60020)),
      });
      const token = await tokenOf();
      wx.inject({ type: 'reset' }, { endpoint: 'auth_getuserinfo' });
      const code = wx.weComCode({ user: 'zhangsan' });
      await expect(userinfo(code, wx, token)).rejects.toThrow();
      // A reset request was never handled: the code is still good.
      expect((await userinfo(code, wx, token)).userid).toBe('ZhangSan');
      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'auth_getuserdetail' });
      expect((await detail('x', wx, token)).errmsg).toMatch(WECOM_ERRMSG('system busy', -1));
    });

    it('counts WeCom’s requests in stats', async () => {
      wx.resetStats();
      await tokenOf();
      await webLogin();
      expect(wx.stats.requests).toMatchObject({ gettoken: 1, wecom_login: 1 });
    });
  });

  describe('the request log', () => {
    it('records WeCom’s requests with the corpid, and nothing that grants anything', async () => {
      const records: WxSandboxRequestRecord[] = [];
      const sandbox = await WxSandbox.start({
        corps: CORPS,
        onRequest: (record) => records.push(record),
      });
      try {
        const secret = 'crm-secret-0123456789abcdef';
        const token = await tokenOf(sandbox, CORP, CRM);
        const code = sandbox.weComCode({ user: 'ann', agentid: CRM, scope: 'snsapi_privateinfo' });
        const { user_ticket: ticket } = await userinfo(code, sandbox, token);
        await detail(ticket, sandbox, token);
        // A secret sent as the corpid by mistake.
        await get('/cgi-bin/gettoken', { corpid: secret, corpsecret: secret }, sandbox);
        expect(records).toEqual([
          { method: 'GET', path: '/cgi-bin/gettoken', appid: CORP, status: 200 },
          { method: 'GET', path: '/cgi-bin/auth/getuserinfo', appid: CORP, status: 200 },
          { method: 'POST', path: '/cgi-bin/auth/getuserdetail', appid: CORP, status: 200 },
          { method: 'GET', path: '/cgi-bin/gettoken', status: 200, errcode: 40013 },
        ]);
        const lines = records.map((record) => requestLogLine(record)).join('\n');
        expect(lines).toContain('errcode=40013 (invalid corpid)');
        for (const value of [secret, token, code, String(ticket)])
          expect(lines).not.toContain(value);
      } finally {
        await sandbox.close();
      }
    });
  });

  describe('options', () => {
    it.each([
      [[{ corpid: '' }], /every corp needs a corpid/],
      [[{ corpid: 'ww1' }, { corpid: 'ww1' }], /duplicate corpid/],
      [[{ corpid: 'ww1', apps: [{ agentid: 'abc' }] }], /agentid of digits/],
      [[{ corpid: 'ww1', apps: [] }], /needs an app/],
      [
        [
          {
            corpid: 'ww1',
            members: [{ key: 'a', name: 'A' }],
            nonMembers: [{ key: 'a', name: 'B' }],
          },
        ],
        /duplicate key 'a'/,
      ],
      [
        [{ corpid: 'ww1', apps: [{ agentid: '1', visibleTo: ['nobody'] }] }],
        /visibleTo names no member/,
      ],
      [[{ corpid: 'wx0sandbox0appid' }], /also the appid of a WeChat app/],
      [[{ corpid: 'wx0sandbox0component' }], /also a third-party platform's appid/],
    ] as Array<[WxSandboxCorp[], RegExp]>)('refuses corps %j', async (corps, message) => {
      await expect(WxSandbox.start({ corps })).rejects.toThrow(message);
    });

    it('refuses a WeCom helper call for an unknown corp, app or person', () => {
      expect(() => wx.weComCode({ user: 'alice' })).toThrow(/nobody with key 'alice'/);
      expect(() => wx.weComCode({ user: 'zhangsan', agentid: '9' })).toThrow(/has no app '9'/);
      expect(() => wx.corp('ww0nobody')).toThrow(/no corp/);
      expect(() =>
        wx.weComCode({ user: 'zhangsan', scope: 'snsapi_userinfo' as 'snsapi_base' }),
      ).toThrow(/unknown WeCom scope/);
    });
  });
});

/** The URL the page's form GETs with these choices, its hidden fields included. */
function formTarget(baseUrl: string, html: string, choices: Array<[string, string]>): string {
  const action = /<form method="get" action="([^"]+)"/.exec(html)![1];
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
    ([, name, value]) => [name, unescapeHtml(value)] as [string, string],
  );
  const url = new URL(action, baseUrl);
  url.search = new URLSearchParams([...hidden, ...choices]).toString();
  return url.href;
}
