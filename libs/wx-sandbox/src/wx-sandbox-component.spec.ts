import { createDecipheriv, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';
import type { WxSandboxRequestRecord } from './wx-sandbox.types.js';
import { RID, wxAnswer as answer } from './wx-sandbox.spec-helper.js';

type Body = Record<string, any>;

const MP = 'wx0merchant0mp';
const MP2 = 'wx0merchant0mp2';
const MINI = 'wx0merchant0mini';
const WEB = 'wx0merchant0web';
const APPS: WxSandboxApp[] = [
  { appid: MP, kind: 'officialAccount', openPlatform: 'acme', name: 'Acme Coffee' },
  { appid: MP2, kind: 'officialAccount', name: 'Bob Books' },
  { appid: MINI, kind: 'miniProgram', openPlatform: 'acme' },
  { appid: WEB, kind: 'website', openPlatform: 'acme' },
];
const SAAS = 'wx0saas0component';
const OTHER = 'wx0other0component';
const TOKEN = 'componentToken0123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const CALLBACK = 'https://saas.test/merchants/return';
const LOGIN_CALLBACK = 'https://saas.test/m/callback';
const HOUR = 3600 * 1000;

// The test's own WeChat crypto, written from the protocol rather than shared with the sandbox.
const sha1 = (parts: string[]): string =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
const decrypt = (encrypt: string, aesKey = AES_KEY): { xml: string; appid: string } => {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(encrypt, 'base64'), decipher.final()]);
  expect(plain.length % 32).toBe(0);
  const pad = plain[plain.length - 1];
  const content = plain.subarray(16, plain.length - pad);
  const length = content.readUInt32BE(0);
  return {
    xml: content.subarray(4, 4 + length).toString('utf8'),
    appid: content.subarray(4 + length).toString('utf8'),
  };
};
const field = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`)
    .exec(xml)
    ?.slice(1)
    .find((value) => value !== undefined);

/** One push the platform's event URL received, checked and decrypted. */
interface Received {
  query: URLSearchParams;
  body: string;
  /** Both signatures check out against the Token. */
  signed: boolean;
  xml: string;
  appid: string;
}

type Answer = { status?: number; body?: string; delayMs?: number };

/** The platform's authorisation-event endpoint: records and decrypts every push. */
class EventReceiver {
  readonly received: Received[] = [];
  readonly answers: Answer[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<EventReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new EventReceiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx/component`,
    );
    server.on('request', (req, res) => void receiver.handle(req, res));
    return receiver;
  }

  /** Resolves once `count` pushes have arrived in all. */
  async waitFor(count: number): Promise<void> {
    while (this.received.length < count) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** The InfoTypes received, in order. */
  infoTypes(): Array<string | undefined> {
    return this.received.map((push) => field(push.xml, 'InfoType'));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const query = new URL(req.url ?? '/', 'http://saas.test').searchParams;
    const body = Buffer.concat(chunks).toString('utf8');
    const encrypt = field(body, 'Encrypt') ?? '';
    const timestamp = query.get('timestamp') ?? '';
    const nonce = query.get('nonce') ?? '';
    const inner = encrypt ? decrypt(encrypt) : { xml: '', appid: '' };
    this.received.push({
      query,
      body,
      signed:
        query.get('signature') === sha1([TOKEN, timestamp, nonce]) &&
        query.get('msg_signature') === sha1([TOKEN, timestamp, nonce, encrypt]),
      ...inner,
    });
    const next = this.answers.shift() ?? {};
    if (next.delayMs) await new Promise((resolve) => setTimeout(resolve, next.delayMs));
    if (!res.destroyed) {
      res.writeHead(next.status ?? 200, { 'content-type': 'text/plain' });
      res.end(next.body ?? 'success');
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}

describe('WxSandbox third-party platform', () => {
  let wx: WxSandbox;
  let receiver: EventReceiver;
  const records: WxSandboxRequestRecord[] = [];

  beforeAll(async () => {
    receiver = await EventReceiver.start();
    wx = await WxSandbox.start({
      apps: APPS,
      pushTimeoutMs: 300,
      components: [
        {
          appid: SAAS,
          secret: 'saas-secret-0123456789abcdef',
          token: TOKEN,
          encodingAesKey: AES_KEY,
          eventUrl: receiver.url,
          ticketIntervalMs: 0,
          name: 'Acme SaaS',
          redirectDomains: ['saas.test'],
        },
        { appid: OTHER, ticketIntervalMs: 0 },
      ],
      onRequest: (record) => records.push(record),
    });
  });
  afterAll(() => Promise.all([wx.close(), receiver.close()]));
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
    records.length = 0;
    wx.setAutoApprove(false);
  });
  afterEach(() => wx.clearFaults());

  const post = (path: string, body: unknown, query: Record<string, string> = {}): Promise<Body> =>
    fetch(`${wx.url}${path}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(answer);
  const get = (path: string, params: Record<string, string>): Promise<Body> =>
    fetch(`${wx.url}${path}?${new URLSearchParams(params)}`).then(answer);
  const secretOf = (componentAppid = SAAS): string =>
    wx.components.find((component) => component.appid === componentAppid)!.secret;
  const componentToken = async (componentAppid = SAAS): Promise<string> => {
    if (componentAppid !== SAAS || wx.componentTicket(componentAppid) === undefined)
      await wx.pushComponentTicket(componentAppid);
    const body = await post('/cgi-bin/component/api_component_token', {
      component_appid: componentAppid,
      component_appsecret: secretOf(componentAppid),
      component_verify_ticket: wx.componentTicket(componentAppid),
    });
    expect(body).toEqual({ component_access_token: expect.any(String), expires_in: 7200 });
    return body.component_access_token;
  };
  const page = (path: string, params: Record<string, string>): Promise<Response> =>
    fetch(`${wx.url}${path}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  describe('tickets', () => {
    it('pushes a ticket encrypted and signed with the platform Token and key, its appid inside', async () => {
      const event = await wx.pushComponentTicket();
      expect(event).toEqual({
        infoType: 'component_verify_ticket',
        createTime: expect.any(Number),
        attempts: [{ status: 200, ms: expect.any(Number) }],
        answered: true,
        replyBody: 'success',
        replyValid: true,
      });
      const [push] = receiver.received;
      expect(push.signed).toBe(true);
      expect(push.query.get('encrypt_type')).toBe('aes');
      expect(push.query.get('openid')).toBeNull();
      expect(push.body).toBe(
        `<xml><AppId><![CDATA[${SAAS}]]></AppId>` +
          `<Encrypt><![CDATA[${field(push.body, 'Encrypt')}]]></Encrypt></xml>`,
      );
      expect(push.appid).toBe(SAAS);
      expect(field(push.xml, 'AppId')).toBe(SAAS);
      expect(field(push.xml, 'InfoType')).toBe('component_verify_ticket');
      expect(field(push.xml, 'CreateTime')).toBe(String(event.createTime));
      expect(field(push.xml, 'ComponentVerifyTicket')).toBe(wx.componentTicket());
      expect(JSON.stringify(event)).not.toContain(wx.componentTicket()!);
    });

    it('pushes on a timer, a new ticket each time', async () => {
      const timed = await WxSandbox.start({
        components: [
          {
            appid: SAAS,
            token: TOKEN,
            encodingAesKey: AES_KEY,
            eventUrl: receiver.url,
            ticketIntervalMs: 40,
          },
        ],
      });
      try {
        await receiver.waitFor(2);
      } finally {
        await timed.close();
      }
      const [one, two] = receiver.received.map((push) => field(push.xml, 'ComponentVerifyTicket'));
      expect(one).not.toBe(two);
    });

    it('tries again, three attempts in all, when the platform does not answer in time', async () => {
      receiver.answers.push({ delayMs: 600 }, { status: 500 }, { body: 'fail' });
      const event = await wx.pushComponentTicket();
      expect(event.attempts.map((attempt) => attempt.status)).toEqual(['timeout', 500, 200]);
      expect(event).toMatchObject({ answered: true, replyBody: 'fail', replyValid: false });
      const [first, , third] = receiver.received;
      expect(field(third.xml, 'CreateTime')).toBe(field(first.xml, 'CreateTime'));
    });

    it('pushes nothing without an event URL, and the default platform needs no setup', async () => {
      const bare = await WxSandbox.start();
      try {
        expect(bare.component).toMatchObject({
          appid: 'wx0sandbox0component',
          secret: expect.stringMatching(/^[0-9a-f]{32}$/),
          token: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
          encodingAesKey: expect.stringMatching(/^[A-Za-z0-9]{43}$/),
          eventUrl: undefined,
          ticketIntervalMs: 600_000,
        });
        expect(await bare.pushComponentTicket()).toMatchObject({ attempts: [], answered: false });
        expect(bare.componentTicket()).toEqual(expect.any(String));
        bare.setComponentEventUrl(receiver.url);
        expect(bare.component.eventUrl).toBe(receiver.url);
        expect(() => bare.setComponentEventUrl('ftp://x')).toThrow(/URL/);
      } finally {
        await bare.close();
      }
    });

    it('api_start_push_ticket checks the platform secret, then pushes a ticket', async () => {
      const start = (body: Body): Promise<Body> =>
        post('/cgi-bin/component/api_start_push_ticket', body);
      expect((await start({ component_secret: secretOf() })).errcode).toBe(41002);
      expect((await start({ component_appid: 'wx0nobody', component_secret: 'x' })).errcode).toBe(
        61011,
      );
      expect((await start({ component_appid: SAAS })).errcode).toBe(41004);
      expect(
        (await start({ component_appid: SAAS, component_secret: secretOf(OTHER) })).errcode,
      ).toBe(40125);
      expect(receiver.received).toHaveLength(0);
      expect(await start({ component_appid: SAAS, component_secret: secretOf() })).toEqual({
        errcode: 0,
        errmsg: 'ok',
      });
      await receiver.waitFor(1);
      expect(receiver.infoTypes()).toEqual(['component_verify_ticket']);
      const get = await fetch(`${wx.url}/cgi-bin/component/api_start_push_ticket`).then(answer);
      expect(get.errcode).toBe(43002);
      expect((await post('/cgi-bin/component/api_start_push_ticket', 'not json')).errcode).toBe(
        47001,
      );
    });
  });

  describe('the platform token', () => {
    const tokenWith = (ticket: string | undefined, secret = secretOf()): Promise<Body> =>
      post('/cgi-bin/component/api_component_token', {
        component_appid: SAAS,
        component_appsecret: secret,
        component_verify_ticket: ticket,
      });

    it('takes only the newest ticket, unexpired, with the right secret', async () => {
      await wx.pushComponentTicket();
      const old = wx.componentTicket()!;
      await wx.pushComponentTicket();
      const newest = wx.componentTicket()!;
      const before = wx.componentTokensIssued();
      expect((await tokenWith(old)).errcode).toBe(61006);
      expect((await tokenWith(undefined)).errcode).toBe(61006);
      expect((await tokenWith(newest, 'wrong')).errcode).toBe(40125);
      expect((await tokenWith(newest, '')).errcode).toBe(41004);
      const other = await post('/cgi-bin/component/api_component_token', {
        component_appid: OTHER,
        component_appsecret: secretOf(OTHER),
        component_verify_ticket: newest,
      });
      expect(other.errcode).toBe(61006);
      expect(other.errmsg).toMatch(RID);
      expect(await tokenWith(newest)).toEqual({
        component_access_token: expect.any(String),
        expires_in: 7200,
      });
      expect(wx.componentTokensIssued()).toBe(before + 1);
      wx.advance(12 * HOUR);
      expect((await tokenWith(newest)).errcode).toBe(61005);
      await wx.pushComponentTicket();
    });

    it('refuses the message Token, another platform token, a missing or expired one', async () => {
      const create = (query: Record<string, string>): Promise<Body> =>
        post('/cgi-bin/component/api_create_preauthcode', { component_appid: SAAS }, query);
      expect((await create({})).errcode).toBe(41001);
      expect((await create({ component_access_token: TOKEN })).errcode).toBe(40001);
      const otherToken = await componentToken(OTHER);
      expect((await create({ component_access_token: otherToken })).errcode).toBe(40001);
      const token = await componentToken();
      expect(await create({ component_access_token: token })).toEqual({
        pre_auth_code: expect.any(String),
        expires_in: 1800,
      });
      // WeChat's newer documents name it access_token.
      expect((await create({ access_token: token })).pre_auth_code).toEqual(expect.any(String));
      wx.advance(2 * HOUR);
      expect((await create({ component_access_token: token })).errcode).toBe(42001);
    });
  });

  describe('onboarding a merchant', () => {
    const preAuthCode = async (): Promise<string> =>
      (
        await post(
          '/cgi-bin/component/api_create_preauthcode',
          { component_appid: SAAS },
          { component_access_token: await componentToken() },
        )
      ).pre_auth_code;
    const link = (code: string, extra: Record<string, string> = {}): Record<string, string> => ({
      component_appid: SAAS,
      pre_auth_code: code,
      redirect_uri: CALLBACK,
      auth_type: '3',
      ...extra,
    });
    const queryAuth = async (authCode: string, token?: string): Promise<Body> =>
      post(
        '/cgi-bin/component/api_query_auth',
        { component_appid: SAAS, authorization_code: authCode },
        { component_access_token: token ?? (await componentToken()) },
      );

    afterEach(async () => {
      for (const appid of [MP, MP2, MINI])
        if (wx.componentAuthorizationOf(appid)) await wx.revokeComponent(appid);
    });

    it('shows the merchant its accounts, and returns with auth_code once confirmed', async () => {
      const code = await preAuthCode();
      const shown = await page('/cgi-bin/componentloginpage', link(code, { auth_type: '1' }));
      expect(shown.status).toBe(200);
      const html = await shown.text();
      expect(html).toContain('Acme SaaS');
      expect(html).toContain(`id="account-${MP}"`);
      expect(html).toContain(`id="account-${MP2}"`);
      expect(html).not.toContain(`id="account-${MINI}"`);
      expect(html).not.toContain(`id="account-${WEB}"`);
      const before = receiver.received.length;
      const confirmed = await page('/sandbox/component/decide', {
        ...link(code, { auth_type: '1' }),
        authorizer: MP,
      });
      expect(confirmed.status).toBe(302);
      const back = new URL(confirmed.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
      expect(back.searchParams.get('expires_in')).toBe('3600');
      const authCode = back.searchParams.get('auth_code')!;

      await receiver.waitFor(before + 1);
      const pushed = receiver.received.at(-1)!;
      expect(pushed.signed).toBe(true);
      expect(field(pushed.xml, 'InfoType')).toBe('authorized');
      expect(field(pushed.xml, 'AuthorizerAppid')).toBe(MP);
      expect(field(pushed.xml, 'AuthorizationCode')).toBe(authCode);
      expect(field(pushed.xml, 'PreAuthCode')).toBe(code);
      expect(Number(field(pushed.xml, 'AuthorizationCodeExpiredTime'))).toBe(
        Math.floor(wx.now() / 1000) + 3600,
      );

      const auth = await queryAuth(authCode);
      expect(auth).toEqual({
        authorization_info: {
          authorizer_appid: MP,
          authorizer_access_token: expect.any(String),
          expires_in: 7200,
          authorizer_refresh_token: expect.any(String),
          func_info: [1, 2, 3, 4].map((id) => ({ funcscope_category: { id } })),
        },
      });
      expect(wx.componentAuthorizationOf(MP)).toEqual({
        authorizerAppid: MP,
        funcInfo: [1, 2, 3, 4],
      });

      // The pre-auth code is single use.
      const again = await page('/cgi-bin/componentloginpage', link(code));
      expect(again.status).toBe(400);
      expect(await again.text()).toContain('预授权码已使用');
    });

    it('takes the mobile link too, and refuses a bad link with WeChat’s page', async () => {
      const code = await preAuthCode();
      const mobile = await page('/safe/bindcomponent', {
        action: 'bindcomponent',
        no_scan: '1',
        ...link(code, { auth_type: '2' }),
      });
      expect(mobile.status).toBe(200);
      const html = await mobile.text();
      expect(html).toContain(`id="account-${MINI}"`);
      expect(html).not.toContain(`id="account-${MP}"`);

      const refused = async (path: string, params: Record<string, string>, text: string) => {
        const res = await page(path, params);
        expect(res.status).toBe(400);
        expect(await res.text()).toContain(text);
      };
      await refused('/safe/bindcomponent', link(code), 'action');
      await refused(
        '/cgi-bin/componentloginpage',
        link(code, { component_appid: 'wx0nobody' }),
        'component_appid',
      );
      await refused('/cgi-bin/componentloginpage', link('unknown'), 'invalid pre_auth_code');
      await refused(
        '/cgi-bin/componentloginpage',
        link(code, { redirect_uri: 'https://evil.test/return' }),
        '授权入口页所在域名',
      );
      await refused('/cgi-bin/componentloginpage', link(code, { auth_type: '9' }), 'auth_type');
      // Another platform's pre-auth code is no code of this one.
      const otherCode = (
        await post(
          '/cgi-bin/component/api_create_preauthcode',
          { component_appid: OTHER },
          { component_access_token: await componentToken(OTHER) },
        )
      ).pre_auth_code;
      await refused('/cgi-bin/componentloginpage', link(otherCode), 'invalid pre_auth_code');
      wx.advance(31 * 60 * 1000);
      await refused('/cgi-bin/componentloginpage', link(code), '预授权码已过期');
    });

    it('refreshes authorizer tokens with the refresh token, and describes the account', async () => {
      const { authCode, event } = await wx.authorizeComponent({ authorizerAppid: MP });
      expect(event).toMatchObject({ infoType: 'authorized', authorizerAppid: MP, answered: true });
      const token = await componentToken();
      const { authorization_info: info } = await queryAuth(authCode, token);
      const refresh = (body: Body): Promise<Body> =>
        post(
          '/cgi-bin/component/api_authorizer_token',
          { component_appid: SAAS, authorizer_appid: MP, ...body },
          { component_access_token: token },
        );
      const refreshed = await refresh({ authorizer_refresh_token: info.authorizer_refresh_token });
      expect(refreshed).toEqual({
        authorizer_access_token: expect.any(String),
        expires_in: 7200,
        authorizer_refresh_token: info.authorizer_refresh_token,
      });
      expect(refreshed.authorizer_access_token).not.toBe(info.authorizer_access_token);
      expect((await refresh({ authorizer_refresh_token: 'wrong' })).errcode).toBe(61023);
      expect(
        (
          await refresh({
            authorizer_refresh_token: info.authorizer_refresh_token,
            authorizer_appid: MP2,
          })
        ).errcode,
      ).toBe(61003);

      const described = await post(
        '/cgi-bin/component/api_get_authorizer_info',
        { component_appid: SAAS, authorizer_appid: MP },
        { component_access_token: token },
      );
      expect(described.authorizer_info).toMatchObject({
        nick_name: 'Acme Coffee',
        user_name: wx.app(MP).originalId,
      });
      expect(described.authorization_info.authorizer_appid).toBe(MP);

      // Authorised again: updateauthorized, new tokens, the old refresh token refused.
      const update = await wx.authorizeComponent({ authorizerAppid: MP, funcInfo: [1, 4, 15] });
      expect(update.event.infoType).toBe('updateauthorized');
      expect(wx.componentAuthorizationOf(MP)?.funcInfo).toEqual([1, 4, 15]);
      expect(
        (await refresh({ authorizer_refresh_token: info.authorizer_refresh_token })).errcode,
      ).toBe(61023);
      // The old auth code leads to an authorisation that has been replaced.
      expect((await queryAuth(authCode, token)).errcode).toBe(61003);
      expect((await queryAuth('unknown', token)).errcode).toBe(61009);
      wx.advance(HOUR + 1000);
      expect((await queryAuth(update.authCode)).errcode).toBe(61010);
    });

    it('lets the platform call the merchant API with the authorizer token', async () => {
      const { authCode } = await wx.authorizeComponent({ authorizerAppid: MP });
      const { authorization_info: info } = await queryAuth(authCode);
      wx.setFollowing('alice', MP, true);
      const userInfo = (): Promise<Body> =>
        get('/cgi-bin/user/info', {
          access_token: info.authorizer_access_token,
          openid: wx.openidOf('alice', MP),
        });
      expect(await userInfo()).toMatchObject({ subscribe: 1, openid: wx.openidOf('alice', MP) });
      expect(records.at(-1)).toMatchObject({ path: '/cgi-bin/user/info', appid: MP, status: 200 });
      await wx.revokeComponent(MP);
      expect((await userInfo()).errcode).toBe(40001);
    });

    it('revokes: unauthorized pushed, tokens refused', async () => {
      const { authCode } = await wx.authorizeComponent({ authorizerAppid: MP2 });
      const token = await componentToken();
      const { authorization_info: info } = await queryAuth(authCode, token);
      const event = await wx.revokeComponent(MP2);
      expect(event).toMatchObject({
        infoType: 'unauthorized',
        authorizerAppid: MP2,
        answered: true,
      });
      const pushed = receiver.received.at(-1)!;
      expect(field(pushed.xml, 'InfoType')).toBe('unauthorized');
      expect(field(pushed.xml, 'AuthorizerAppid')).toBe(MP2);
      expect(field(pushed.xml, 'AuthorizationCode')).toBeUndefined();
      expect(wx.componentAuthorizationOf(MP2)).toBeUndefined();
      const refreshed = await post(
        '/cgi-bin/component/api_authorizer_token',
        {
          component_appid: SAAS,
          authorizer_appid: MP2,
          authorizer_refresh_token: info.authorizer_refresh_token,
        },
        { component_access_token: token },
      );
      expect(refreshed.errcode).toBe(61003);
      await expect(wx.revokeComponent(MP2)).rejects.toThrow(/not authorised/);
      await expect(wx.authorizeComponent({ authorizerAppid: WEB })).rejects.toThrow(
        /cannot be authorised/,
      );
    });
  });

  describe('logging users in on a merchant’s behalf', () => {
    beforeAll(async () => {
      await wx.authorizeComponent({ authorizerAppid: MP });
      await wx.authorizeComponent({ authorizerAppid: MINI });
    });

    const authorize = (params: Record<string, string>): Promise<Response> =>
      page('/connect/oauth2/authorize', {
        appid: MP,
        redirect_uri: LOGIN_CALLBACK,
        response_type: 'code',
        scope: 'snsapi_userinfo',
        state: 'st8',
        component_appid: SAAS,
        ...params,
      });
    const loginCode = async (user = 'alice', params: Record<string, string> = {}): Promise<URL> => {
      wx.setAutoApprove(user);
      const res = await authorize(params);
      expect(res.status).toBe(302);
      return new URL(res.headers.get('location')!);
    };
    const exchange = async (code: string, params: Record<string, string> = {}): Promise<Body> =>
      get('/sns/oauth2/component/access_token', {
        appid: MP,
        code,
        grant_type: 'authorization_code',
        component_appid: SAAS,
        component_access_token: await componentToken(),
        ...params,
      });

    it('brings code, state and appid back, and exchanges the code with the platform token', async () => {
      const back = await loginCode();
      expect(back.searchParams.get('state')).toBe('st8');
      expect(back.searchParams.get('appid')).toBe(MP);
      const tokens = await exchange(back.searchParams.get('code')!);
      expect(tokens).toEqual({
        access_token: expect.any(String),
        expires_in: 7200,
        refresh_token: expect.any(String),
        openid: wx.openidOf('alice', MP),
        scope: 'snsapi_userinfo',
        unionid: wx.unionidOf('alice', MP),
      });
      const info = await get('/sns/userinfo', {
        access_token: tokens.access_token,
        openid: tokens.openid,
      });
      expect(info.nickname).toBe(wx.users.find((user) => user.key === 'alice')!.nickname);

      const refresh = async (params: Record<string, string> = {}) =>
        get('/sns/oauth2/component/refresh_token', {
          appid: MP,
          grant_type: 'refresh_token',
          component_appid: SAAS,
          component_access_token: await componentToken(),
          refresh_token: tokens.refresh_token,
          ...params,
        });
      expect((await refresh()).openid).toBe(tokens.openid);
      expect(
        (
          await refresh({
            component_appid: OTHER,
            component_access_token: await componentToken(OTHER),
          })
        ).errcode,
      ).toBe(61003);
      // The plain refresh of an on-behalf login is refused.
      expect(
        (
          await get('/sns/oauth2/refresh_token', {
            appid: MP,
            grant_type: 'refresh_token',
            refresh_token: tokens.refresh_token,
          })
        ).errcode,
      ).toBe(40030);
    });

    it('refuses the plain exchange, a missing or wrong component_appid, and a wrong token', async () => {
      const code = (await loginCode()).searchParams.get('code')!;
      const plain = await get('/sns/oauth2/access_token', {
        appid: MP,
        secret: wx.app(MP).secret,
        code,
        grant_type: 'authorization_code',
      });
      expect(plain.errcode).toBe(40029);
      expect((await exchange(code, { component_appid: '' })).errcode).toBe(41002);
      expect((await exchange(code, { component_appid: 'wx0nobody' })).errcode).toBe(61011);
      expect((await exchange(code, { component_access_token: TOKEN })).errcode).toBe(40001);
      expect(
        (await exchange(code, { component_access_token: await componentToken(OTHER) })).errcode,
      ).toBe(40001);
      expect((await exchange(code, { component_access_token: '' })).errcode).toBe(41001);
      expect((await exchange(code, { appid: MP2 })).errcode).toBe(61003);
      expect((await exchange(code, { appid: WEB })).errcode).toBe(40013);
      expect((await exchange(code, { grant_type: 'client_credential' })).errcode).toBe(40002);
      // None of the refusals used the code up.
      expect((await exchange(code)).openid).toBe(wx.openidOf('alice', MP));
      expect((await exchange(code)).errcode).toBe(40163);
      // A code of the account's own login is no code of the platform's.
      wx.setAutoApprove('bob');
      const own = await page('/connect/oauth2/authorize', {
        appid: MP,
        redirect_uri: LOGIN_CALLBACK,
        response_type: 'code',
        scope: 'snsapi_base',
      });
      const ownUrl = new URL(own.headers.get('location')!);
      expect(ownUrl.searchParams.get('appid')).toBeNull();
      expect((await exchange(ownUrl.searchParams.get('code')!)).errcode).toBe(40029);
    });

    it('shows WeChat’s error page for a platform the account did not authorise, or off its domain', async () => {
      wx.setAutoApprove('alice');
      const refused = async (params: Record<string, string>, text: string, errcode?: number) => {
        const res = await authorize(params);
        expect(res.status).toBe(400);
        const html = await res.text();
        expect(html).toContain(text);
        if (errcode) expect(html).toContain(`data-errcode="${errcode}"`);
      };
      await refused({ component_appid: 'wx0nobody' }, 'component_appid 无效');
      await refused({ component_appid: OTHER }, '未授权给此第三方平台');
      await refused({ appid: MP2 }, '未授权给此第三方平台');
      await refused({ redirect_uri: 'https://evil.test/cb' }, '域名', 10003);
      await wx.authorizeComponent({ authorizerAppid: MP2, funcInfo: [1] });
      await refused({ appid: MP2 }, 'scope', 10005);
      await wx.revokeComponent(MP2);
    });

    it('carries component_appid through the consent page', async () => {
      const res = await authorize({});
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`name="component_appid" value="${SAAS}"`);
      const decided = await page('/connect/sandbox/decide', {
        appid: MP,
        redirect_uri: LOGIN_CALLBACK,
        response_type: 'code',
        scope: 'snsapi_userinfo',
        state: 'st8',
        component_appid: SAAS,
        user: 'bob',
        decision: 'approve',
      });
      const back = new URL(decided.headers.get('location')!);
      expect(back.searchParams.get('appid')).toBe(MP);
      expect((await exchange(back.searchParams.get('code')!)).openid).toBe(wx.openidOf('bob', MP));
    });

    it('ends the on-behalf logins of a merchant that revokes', async () => {
      const tokens = await exchange((await loginCode()).searchParams.get('code')!);
      const code = (await loginCode()).searchParams.get('code')!;
      await wx.revokeComponent(MP);
      try {
        expect((await exchange(code)).errcode).toBe(61003);
        const info = await get('/sns/userinfo', {
          access_token: tokens.access_token,
          openid: tokens.openid,
        });
        expect(info.errcode).toBe(40001);
        const res = await authorize({});
        expect(res.status).toBe(400);
      } finally {
        await wx.authorizeComponent({ authorizerAppid: MP });
      }
    });

    it('logs a merchant’s mini-program users in with component jscode2session', async () => {
      const session = async (params: Record<string, string> = {}): Promise<Body> =>
        get('/sns/component/jscode2session', {
          appid: MINI,
          js_code: wx.wxLogin('alice', MINI),
          grant_type: 'authorization_code',
          component_appid: SAAS,
          component_access_token: await componentToken(),
          ...params,
        });
      expect(await session()).toEqual({
        openid: wx.openidOf('alice', MINI),
        session_key: wx.sessionKeyOf('alice', MINI) ?? expect.any(String),
        unionid: wx.unionidOf('alice', MINI),
      });
      expect((await session({ appid: MP })).errcode).toBe(40013);
      expect((await session({ component_appid: OTHER })).errcode).toBe(40001);
      expect((await session({ js_code: 'unknown' })).errcode).toBe(40029);
    });
  });

  describe('options', () => {
    it('refuses a platform that could not be registered', async () => {
      const start = (components: unknown) =>
        WxSandbox.start({ apps: APPS, components: components as never });
      await expect(start([])).rejects.toThrow(/must not be empty/);
      await expect(start([{ appid: MP }])).rejects.toThrow(/duplicate appid/);
      await expect(start([{ appid: SAAS }, { appid: SAAS }])).rejects.toThrow(/duplicate appid/);
      await expect(start([{ appid: SAAS, encodingAesKey: 'short' }])).rejects.toThrow(/43/);
      await expect(start([{ appid: SAAS, eventUrl: 'ftp://x' }])).rejects.toThrow(/URL/);
      await expect(start([{ appid: SAAS, ticketIntervalMs: -1 }])).rejects.toThrow(
        /ticketIntervalMs/,
      );
      expect(() => wx.pushComponentTicket('wx0nobody')).toThrow(/no component/);
      await expect(
        wx.authorizeComponent({ authorizerAppid: MP, componentAppid: 'wx0nobody' }),
      ).rejects.toThrow(/no component/);
    });
  });

  describe('the console', () => {
    const consoleUrl = (): string => `${wx.url}/sandbox/console/component`;
    const submit = (form: Record<string, string>, origin = wx.url): Promise<Response> =>
      fetch(consoleUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams(form).toString(),
      });

    it('pushes a ticket now and revokes a merchant, from its own page only', async () => {
      await wx.authorizeComponent({ authorizerAppid: MP2 });
      const shown = await fetch(`${consoleUrl()}?component_appid=${SAAS}`);
      expect(shown.status).toBe(200);
      const html = await shown.text();
      expect(html).toContain(`id="revoke-${MP2}"`);
      expect(html).toContain(receiver.url);
      for (const secret of [secretOf(), TOKEN, AES_KEY, wx.componentTicket()!])
        expect(html).not.toContain(secret);

      const before = wx.componentTicket();
      const pushed = await submit({ component_appid: SAAS, action: 'push-ticket' });
      expect(pushed.status).toBe(200);
      expect(await pushed.text()).toContain('the platform answered success');
      expect(wx.componentTicket()).not.toBe(before);

      expect(
        (
          await submit(
            { component_appid: SAAS, action: 'revoke', authorizer: MP2 },
            'http://evil.test',
          )
        ).status,
      ).toBe(403);
      expect(wx.componentAuthorizationOf(MP2)).toBeDefined();
      const revoked = await submit({ component_appid: SAAS, action: 'revoke', authorizer: MP2 });
      expect(revoked.status).toBe(200);
      expect(wx.componentAuthorizationOf(MP2)).toBeUndefined();
      expect(receiver.infoTypes().at(-1)).toBe('unauthorized');
      expect(
        (await submit({ component_appid: SAAS, action: 'revoke', authorizer: MP2 })).status,
      ).toBe(400);
      expect((await fetch(`${consoleUrl()}?component_appid=wx0nobody`)).status).toBe(404);
    });
  });

  describe('faults and the request log', () => {
    it('injects faults on the platform endpoints', async () => {
      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'api_component_token' });
      const body = await post('/cgi-bin/component/api_component_token', {
        component_appid: SAAS,
        component_appsecret: secretOf(),
        component_verify_ticket: wx.componentTicket(),
      });
      expect(body.errcode).toBe(-1);
      wx.inject({ type: 'http500' }, { endpoint: 'component_access_token' });
      const res = await fetch(`${wx.url}/sns/oauth2/component/access_token?appid=${MP}`);
      expect(res.status).toBe(500);
      expect(() => wx.inject({ type: 'reset' }, { endpoint: 'api_nope' as never })).toThrow(
        /unknown endpoint/,
      );
    });

    it('logs the platform requests without a secret, ticket or token', async () => {
      await wx.pushComponentTicket();
      const token = await componentToken();
      await post(
        '/cgi-bin/component/api_create_preauthcode',
        { component_appid: SAAS },
        { component_access_token: token },
      );
      const log = JSON.stringify(records);
      expect(records.map((record) => record.path)).toEqual(
        expect.arrayContaining([
          '/cgi-bin/component/api_component_token',
          '/cgi-bin/component/api_create_preauthcode',
        ]),
      );
      for (const secret of [secretOf(), wx.componentTicket()!, token, TOKEN, AES_KEY])
        expect(log).not.toContain(secret);
    });
  });
});
