import { requestLogLine } from './helpers/request-log-line.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';
import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxRequestRecord } from './wx-sandbox.types.js';

const MP = 'wx0log0official';
const WEB = 'wx0log0website';
const APPS: WxSandboxApp[] = [
  { appid: MP, secret: 'mp-log-secret-0123456789abcdef', kind: 'officialAccount' },
  { appid: WEB, secret: 'web-log-secret-0123456789abcdef', kind: 'website' },
];
const CALLBACK = 'https://app.test/auth/wechat/callback';

describe('the request log (onRequest)', () => {
  let wx: WxSandbox;
  const records: WxSandboxRequestRecord[] = [];
  /** Every line of every test, as the command prints them. */
  const logged: string[] = [];
  /** Everything the requests carried that grants something: none of it may reach a line. */
  const secrets: string[] = APPS.map((app) => app.secret!);

  beforeAll(async () => {
    wx = await WxSandbox.start({
      apps: APPS,
      autoApprove: 'alice',
      onRequest: (record) => {
        records.push(record);
        logged.push(requestLogLine(record));
      },
    });
  });
  afterAll(() => wx.close());
  beforeEach(() => {
    records.length = 0;
    wx.clearFaults();
  });

  const get = (path: string, query: Record<string, string> = {}): Promise<Response> =>
    fetch(`${wx.url}${path}?${new URLSearchParams(query)}`, { redirect: 'manual' });
  const post = (path: string, body: string, query: Record<string, string> = {}) =>
    fetch(`${wx.url}${path}?${new URLSearchParams(query)}`, { method: 'POST', body });
  const lines = (): string[] => records.map((record) => requestLogLine(record));

  it('records each browser login step and each API call: method, path, app and outcome', async () => {
    const state = 'stateValue0123456789';
    secrets.push(state);
    const authorize = await get('/connect/oauth2/authorize', {
      appid: MP,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'snsapi_userinfo',
      state,
    });
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
    const token = (await (
      await get('/sns/oauth2/access_token', {
        appid: MP,
        secret: APPS[0].secret!,
        code,
        grant_type: 'authorization_code',
      })
    ).json()) as { access_token: string; refresh_token: string; openid: string };
    secrets.push(code, token.access_token, token.refresh_token);
    await get('/sns/userinfo', { access_token: token.access_token, openid: token.openid });
    await get('/sns/oauth2/access_token', {
      appid: MP,
      secret: APPS[0].secret!,
      code,
      grant_type: 'authorization_code',
    });

    expect(records).toEqual([
      { method: 'GET', path: '/connect/oauth2/authorize', appid: MP, status: 302 },
      { method: 'GET', path: '/sns/oauth2/access_token', appid: MP, status: 200 },
      { method: 'GET', path: '/sns/userinfo', appid: MP, status: 200 },
      {
        method: 'GET',
        path: '/sns/oauth2/access_token',
        appid: MP,
        status: 200,
        errcode: 40163,
      },
    ]);
    expect(lines()[3]).toMatch(
      /^\d\d:\d\d:\d\d GET \/sns\/oauth2\/access_token appid=wx0log0official -> 200 errcode=40163 \(code been used\)$/,
    );
  });

  it("records the follow login's calls by the app of their token, ticket or QR code, and a QR code's page without its id", async () => {
    const stable = (await (
      await post(
        '/cgi-bin/stable_token',
        JSON.stringify({ grant_type: 'client_credential', appid: MP, secret: APPS[0].secret }),
      )
    ).json()) as { access_token: string };
    const qr = (await (
      await post(
        '/cgi-bin/qrcode/create',
        JSON.stringify({
          expire_seconds: 300,
          action_name: 'QR_STR_SCENE',
          action_info: { scene: { scene_str: 'wxlogin_scene_secret' } },
        }),
        { access_token: stable.access_token },
      )
    ).json()) as { ticket: string; url: string };
    const id = new URL(qr.url).pathname.split('/').pop()!;
    secrets.push(stable.access_token, qr.ticket, encodeURIComponent(qr.ticket), id);
    await get('/cgi-bin/showqrcode', { ticket: qr.ticket });
    await fetch(qr.url);
    await post('/sandbox/qrcode/scan', new URLSearchParams({ qr: id, user: 'alice' }).toString());

    expect(records).toEqual([
      { method: 'POST', path: '/cgi-bin/stable_token', appid: MP, status: 200 },
      { method: 'POST', path: '/cgi-bin/qrcode/create', appid: MP, status: 200 },
      { method: 'GET', path: '/cgi-bin/showqrcode', appid: MP, status: 200 },
      { method: 'GET', path: '/q/{id}', appid: MP, status: 200 },
      { method: 'POST', path: '/sandbox/qrcode/scan', appid: MP, status: 200 },
    ]);
  });

  it('names no app it does not know, even when the appid parameter holds something else (a secret, by mistake)', async () => {
    await get('/sns/oauth2/access_token', {
      appid: APPS[1].secret!,
      secret: APPS[1].appid,
      code: 'x',
      grant_type: 'authorization_code',
    });
    await get('/sns/userinfo', { access_token: 'not-a-token', openid: 'o' });
    expect(records).toEqual([
      { method: 'GET', path: '/sns/oauth2/access_token', status: 200, errcode: 40013 },
      { method: 'GET', path: '/sns/userinfo', status: 200, errcode: 40001 },
    ]);
  });

  it('records faults, unknown paths and error pages with their outcome', async () => {
    wx.inject({ type: 'reset' }, { endpoint: 'access_token' });
    await get('/sns/oauth2/access_token', { appid: WEB }).catch(() => undefined);
    wx.inject({ type: 'errcode', errcode: 45011 }, { endpoint: 'stable_token' });
    await post('/cgi-bin/stable_token', '{}');
    await get('/no/such\u00e9path');
    await get('/connect/qrconnect', {
      appid: MP,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'snsapi_login',
    });
    expect(records).toEqual([
      { method: 'GET', path: '/sns/oauth2/access_token', appid: WEB, status: 'reset' },
      { method: 'POST', path: '/cgi-bin/stable_token', status: 200, errcode: 45011 },
      { method: 'GET', path: '/no/such%C3%A9path', status: 404 },
      { method: 'GET', path: '/connect/qrconnect', appid: MP, status: 400, errcode: 10005 },
    ]);
    expect(lines()[1]).toMatch(
      /POST \/cgi-bin\/stable_token -> 200 errcode=45011 \(api minute-quota reach limit\)$/,
    );
  });

  it('never held a secret, a code, a token, a state or a QR ticket in the tests above', () => {
    expect(logged.length).toBeGreaterThanOrEqual(15);
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const log = logged.join('\n');
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toContain('?');
  });
});

describe('requestLogLine', () => {
  it('prints the time, method, path, app and outcome', () => {
    const at = new Date(2024, 0, 2, 14, 3, 27);
    expect(
      requestLogLine({ method: 'GET', path: '/sns/userinfo', appid: 'wx0a', status: 200 }, at),
    ).toBe('14:03:27 GET /sns/userinfo appid=wx0a -> 200');
    expect(requestLogLine({ method: 'GET', path: '/x', status: 'reset' }, at)).toBe(
      '14:03:27 GET /x -> reset',
    );
    expect(requestLogLine({ method: 'POST', path: '/y', status: 200, errcode: 99999 }, at)).toBe(
      '14:03:27 POST /y -> 200 errcode=99999',
    );
  });
});
