import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WxSandbox } from '../wx-sandbox.js';

const MP = 'wx0console0mp';
const OTHER_MP = 'wx0console0mp2';
const WEB = 'wx0console0web';
const TOKEN = 'consoleToken42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const PATH = '/sandbox/console/message-push';

/** The app's message endpoint, as nest-wx-oauth's `checkUrl` answers the URL check. */
class AppEndpoint {
  checks = 0;
  private server?: Server;

  constructor(private readonly token: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.checks += 1;
      const query = new URL(req.url ?? '/', 'http://app').searchParams;
      const parts = [this.token, query.get('timestamp') ?? '', query.get('nonce') ?? ''];
      const signed =
        createHash('sha1').update(parts.sort().join('')).digest('hex') === query.get('signature');
      res.writeHead(signed ? 200 : 401).end(signed ? (query.get('echostr') ?? '') : 'unsigned');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wechat/events`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A request with the headers a browser sends (fetch would drop `Host`). */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the message push console page', () => {
  let wx: WxSandbox;
  let app: AppEndpoint;
  let appUrl: string;
  let host: string;

  beforeAll(async () => {
    wx = await WxSandbox.start({
      pushTimeoutMs: 2000,
      apps: [
        { appid: MP, kind: 'officialAccount', name: 'Acme 服务号' },
        { appid: OTHER_MP, kind: 'officialAccount', name: 'Other 服务号' },
        { appid: WEB, kind: 'website' },
      ],
    });
    host = new URL(wx.url).host;
    app = new AppEndpoint(TOKEN);
    appUrl = await app.start();
  });
  afterAll(async () => {
    await app.close();
    await wx.close();
  });
  beforeEach(() => {
    wx.setMessagePush(MP, undefined);
    app.checks = 0;
  });

  /** The page's form posted from the page, as a browser posts it. */
  const submit = (
    fields: Record<string, string>,
    headers: Record<string, string> = { origin: `http://${host}` },
  ) =>
    send(
      `${wx.url}${PATH}`,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', host, ...headers },
      new URLSearchParams({ appid: MP, ...fields }).toString(),
    );
  const save = (fields: Record<string, string>) =>
    submit({ action: 'save', url: appUrl, token: TOKEN, mode: 'safe', ...fields });

  it('shows the first official account, its push not set, a form and the other accounts', async () => {
    const page = await send(`${wx.url}${PATH}`, 'GET', { host });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-appid="${MP}"`);
    expect(page.text).toContain('未启用 · Not set');
    expect(page.text).toContain(`<form method="post" action="${PATH}"`);
    expect(page.text).toContain(`href="${PATH}?appid=${OTHER_MP}"`);
    expect(page.text).not.toContain(WEB);
    const other = await send(`${wx.url}${PATH}?appid=${OTHER_MP}`, 'GET', { host });
    expect(other.text).toContain(`data-appid="${OTHER_MP}"`);
    expect((await send(`${wx.url}${PATH}?appid=${WEB}`, 'GET', { host })).status).toBe(404);
  });

  it('saves the settings once the URL check passes, then shows them as the console does', async () => {
    const saved = await save({ encodingAesKey: AES_KEY });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('提交成功');
    expect(app.checks).toBe(1);
    expect(wx.messagePushOf(MP)).toEqual({ url: appUrl, token: TOKEN, encodingAesKey: AES_KEY });

    const page = await send(`${wx.url}${PATH}`, 'GET', { host });
    expect(page.text).toContain(`已启用 · Pushing to ${appUrl}, 安全模式 · safe mode`);
    expect(page.text).toContain(`value="${TOKEN}"`);
    expect(page.text).toContain(`value="${AES_KEY}"`);
    expect(await wx.checkPushUrl(MP)).toBe(true);
  });

  it("makes up the EncodingAESKey when safe mode's is left blank, and keeps none in plain mode", async () => {
    expect((await save({ encodingAesKey: '' })).status).toBe(200);
    expect(wx.messagePushOf(MP)?.encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    expect((await save({ mode: 'plain', encodingAesKey: AES_KEY })).status).toBe(200);
    expect(wx.messagePushOf(MP)).toEqual({ url: appUrl, token: TOKEN });
  });

  it.each([
    [{ token: 'otherToken99' }, 'token验证失败'],
    [{ url: 'http://127.0.0.1:1/wechat/events' }, '系统发生错误'],
  ])('saves nothing when the URL check fails (%j): %s', async (fields, says) => {
    wx.setMessagePush(MP, { url: appUrl, token: TOKEN });
    const refused = await save(fields);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(says);
    expect(refused.text).toContain('not saved');
    expect(wx.messagePushOf(MP)).toEqual({ url: appUrl, token: TOKEN });
  });

  it.each([
    [{ token: 'a!' }, '令牌(Token) must be 3 to 32 letters and digits'],
    [{ encodingAesKey: 'short' }, '消息加解密密钥(EncodingAESKey) must be 43 letters and digits'],
    [{ url: 'ftp://app.test/' }, '服务器地址(URL) must be an absolute http(s) URL'],
  ])('refuses %j as the console does, before any check', async (fields, says) => {
    const refused = await save(fields);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(says);
    expect(app.checks).toBe(0);
    expect(wx.messagePushOf(MP)).toBeUndefined();
  });

  it('checks the settings in place again, and disables them', async () => {
    wx.setMessagePush(MP, { url: appUrl, token: 'staleToken1' });
    const failed = await submit({ action: 'check' });
    expect(failed.text).toContain('token验证失败');
    wx.setMessagePush(MP, { url: appUrl, token: TOKEN });
    expect((await submit({ action: 'check' })).text).toContain('URL 验证通过');
    const disabled = await submit({ action: 'disable' });
    expect(disabled.text).toContain('已停用');
    expect(wx.messagePushOf(MP)).toBeUndefined();
  });

  it('takes a post from its own page by Origin or Referer, on any loopback name', async () => {
    const port = new URL(wx.url).port;
    const byReferer = await submit({ action: 'disable' }, { referer: `http://${host}${PATH}` });
    expect(byReferer.status).toBe(200);
    const localhost = await send(
      `${wx.url}${PATH}`,
      'POST',
      {
        host: `localhost:${port}`,
        origin: `http://localhost:${port}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/x-www-form-urlencoded',
      },
      new URLSearchParams({ appid: MP, action: 'disable' }).toString(),
    );
    expect(localhost.status).toBe(200);
  });

  it.each([
    ['no Origin nor Referer', {}],
    ['another Origin', { origin: 'http://evil.test' }],
    ['another Referer', { referer: 'http://evil.test/page' }],
    ['a cross-site fetch', { origin: 'http://127.0.0.1', 'sec-fetch-site': 'cross-site' }],
  ])('refuses a post with %s (403), changing nothing', async (_case, headers) => {
    wx.setMessagePush(MP, { url: appUrl, token: TOKEN });
    const refused = await submit({ action: 'disable' }, headers);
    expect(refused.status).toBe(403);
    expect(wx.messagePushOf(MP)).toEqual({ url: appUrl, token: TOKEN });
  });

  it('answers no other host, as a DNS rebinding would name (403), and no other method (405)', async () => {
    wx.setMessagePush(MP, { url: appUrl, token: TOKEN });
    const port = new URL(wx.url).port;
    const rebound = { host: `evil.test:${port}`, origin: `http://evil.test:${port}` };
    const shown = await send(`${wx.url}${PATH}`, 'GET', rebound);
    expect(shown.status).toBe(403);
    expect(shown.text).not.toContain(TOKEN);
    expect((await submit({ action: 'disable' }, rebound)).status).toBe(403);
    expect(wx.messagePushOf(MP)).toBeDefined();
    expect((await send(`${wx.url}${PATH}`, 'PUT', { host })).status).toBe(405);
  });

  it('is linked from the scan result when the account has no message push', async () => {
    const token = (await (
      await fetch(`${wx.url}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({
          grant_type: 'client_credential',
          appid: MP,
          secret: wx.app(MP).secret,
        }),
      })
    ).json()) as { access_token: string };
    const qr = (await (
      await fetch(`${wx.url}/cgi-bin/qrcode/create?access_token=${token.access_token}`, {
        method: 'POST',
        body: JSON.stringify({
          action_name: 'QR_STR_SCENE',
          action_info: { scene: { scene_str: 's' } },
        }),
      })
    ).json()) as { url: string };
    const scanned = await fetch(`${wx.url}/sandbox/qrcode/scan`, {
      method: 'POST',
      body: new URLSearchParams({ qr: new URL(qr.url).pathname.split('/').pop()!, user: 'alice' }),
    });
    const page = await scanned.text();
    expect(page).toContain('公众号未配置服务器地址');
    expect(page).toContain(`href="${PATH}?appid=${MP}"`);
  });
});

describe('the message push console of a sandbox without an official account', () => {
  it('says so (404)', async () => {
    const wx = await WxSandbox.start({ apps: [{ appid: WEB, kind: 'website' }] });
    try {
      const page = await send(`${wx.url}${PATH}`, 'GET', { host: new URL(wx.url).host });
      expect(page.status).toBe(404);
      expect(page.text).toContain('This sandbox runs no official account');
    } finally {
      await wx.close();
    }
  });
});
