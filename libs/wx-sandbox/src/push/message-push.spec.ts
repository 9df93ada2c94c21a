import { createDecipheriv, createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WxSandbox } from '../wx-sandbox.js';

/** What the app under test received: one request from WeChat. */
interface Received {
  method: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
  /** Whether `signature` checked out against the token. */
  signed: boolean;
}

type Answer = { status?: number; body?: string; delayMs?: number };

const TOKEN = 'push-token-0123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

// The test's own WeChat crypto, written from the protocol rather than shared with the sandbox.
const sha1 = (parts: string[]): string =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
const keyOf = (encodingAesKey: string): Buffer => Buffer.from(`${encodingAesKey}=`, 'base64');
const decrypt = (encrypt: string): { xml: string; appid: string } => {
  const key = keyOf(AES_KEY);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(encrypt, 'base64'), decipher.final()]);
  expect(plain.length % 32).toBe(0);
  const pad = plain[plain.length - 1];
  expect(pad).toBeGreaterThanOrEqual(1);
  expect(pad).toBeLessThanOrEqual(32);
  expect([...plain.subarray(plain.length - pad)].every((byte) => byte === pad)).toBe(true);
  const content = plain.subarray(16, plain.length - pad);
  const length = content.readUInt32BE(0);
  return {
    xml: content.subarray(4, 4 + length).toString('utf8'),
    appid: content.subarray(4 + length).toString('utf8'),
  };
};
const encrypt = (xml: string, appid: string): string => {
  const key = keyOf(AES_KEY);
  const body = Buffer.from(xml);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appid)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
};
const field = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`)
    .exec(xml)
    ?.slice(1)
    .find((value) => value !== undefined);

/** A small app: records every request, checks its signature, answers as told (else `success`). */
class TestApp {
  readonly received: Received[] = [];
  readonly answers: Array<Answer | ((received: Received) => Answer)> = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TestApp> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const app = new TestApp(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx`,
    );
    server.on('request', (req, res) => void app.handle(req, res));
    return app;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const query = new URL(req.url ?? '/', 'http://app.test').searchParams;
    const received: Received = {
      method: req.method ?? '',
      query,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
      signed:
        query.get('signature') ===
        sha1([TOKEN, query.get('timestamp') ?? '', query.get('nonce') ?? '']),
    };
    this.received.push(received);
    const next = this.answers.shift() ?? {};
    const answer = typeof next === 'function' ? next(received) : next;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain' });
    res.end(answer.body ?? 'success');
  }
}

describe('WxSandbox message push', () => {
  let wx: WxSandbox;
  let app: TestApp;

  beforeAll(async () => {
    [wx, app] = await Promise.all([WxSandbox.start({ pushTimeoutMs: 400 }), TestApp.start()]);
  });
  afterAll(() => Promise.all([wx.close(), app.close()]));
  beforeEach(() => {
    app.received.length = 0;
    app.answers.length = 0;
    wx.setMessagePush(wx.appid, { url: app.url, token: TOKEN });
    for (const user of wx.users) wx.setFollowing(user.key, wx.appid, false);
  });

  const createQr = async (
    scene: string,
    expireSeconds = 60,
  ): Promise<{ ticket: string; url: string }> => {
    const { access_token } = await fetch(`${wx.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: wx.appid, secret: wx.secret }),
    }).then((res) => res.json() as Promise<{ access_token: string }>);
    return fetch(`${wx.url}/cgi-bin/qrcode/create?access_token=${access_token}`, {
      method: 'POST',
      body: JSON.stringify({
        expire_seconds: expireSeconds,
        action_name: 'QR_STR_SCENE',
        action_info: { scene: { scene_str: scene } },
      }),
    }).then((res) => res.json() as Promise<{ ticket: string; url: string }>);
  };

  it('pushes subscribe with qrscene_ for a new follower, then SCAN once they follow', async () => {
    const qr = await createQr('login:42');
    const openid = wx.openidOf('alice');
    const first = await wx.scan(qr.ticket, 'alice');
    expect(first).toEqual({
      event: 'subscribe',
      openid,
      eventKey: 'qrscene_login:42',
      createTime: expect.any(Number),
      attempts: [{ status: 200, ms: expect.any(Number) }],
      answered: true,
      replyBody: 'success',
      replyValid: true,
    });
    expect(wx.isFollowing('alice')).toBe(true);

    const [push] = app.received;
    expect(push.method).toBe('POST');
    expect(push.contentType).toBe('text/xml');
    expect(push.signed).toBe(true);
    expect(push.query.get('openid')).toBe(openid);
    expect(push.query.get('encrypt_type')).toBeNull();
    expect(Math.abs(Number(push.query.get('timestamp')) - wx.now() / 1000)).toBeLessThan(5);
    expect(push.body).toBe(
      `<xml><ToUserName><![CDATA[${wx.app(wx.appid).originalId}]]></ToUserName>` +
        `<FromUserName><![CDATA[${openid}]]></FromUserName>` +
        `<CreateTime>${first.createTime}</CreateTime>` +
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>' +
        `<EventKey><![CDATA[qrscene_login:42]]></EventKey><Ticket><![CDATA[${qr.ticket}]]></Ticket></xml>`,
    );

    const second = await wx.scan(qr.ticket, 'alice');
    expect(second).toMatchObject({ event: 'SCAN', eventKey: 'login:42', answered: true });
    expect(field(app.received[1].body, 'Event')).toBe('SCAN');
    expect(field(app.received[1].body, 'EventKey')).toBe('login:42');
  });

  it('pushes SCAN to a user a test made a follower', async () => {
    wx.setFollowing('bob', wx.appid, true);
    const qr = await createQr('s2');
    expect(await wx.scan(qr.ticket, 'bob')).toMatchObject({ event: 'SCAN', eventKey: 's2' });
  });

  it('reports a reply message', async () => {
    const qr = await createQr('reply');
    app.answers.push((received) => ({
      body:
        `<xml><ToUserName><![CDATA[${received.query.get('openid')}]]></ToUserName>` +
        `<FromUserName><![CDATA[${wx.app(wx.appid).originalId}]]></FromUserName>` +
        `<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
        '<Content><![CDATA[登录成功]]></Content></xml>',
    }));
    const result = await wx.scan(qr.ticket, 'alice');
    expect(result).toMatchObject({
      answered: true,
      reply: { msgType: 'text', content: '登录成功' },
      replyValid: true,
    });
  });

  it('pushes nothing for an unknown or expired ticket, nor for an unknown user', async () => {
    const qr = await createQr('short', 10);
    await expect(wx.scan('unknown', 'alice')).rejects.toThrow(/ticket/);
    await expect(wx.scan(qr.ticket, 'nobody')).rejects.toThrow(/nobody/);
    wx.advance(11_000);
    await expect(wx.scan(qr.ticket, 'alice')).rejects.toThrow(/expired/);
    expect(app.received).toHaveLength(0);
    expect(wx.isFollowing('alice')).toBe(false);
  });

  it('retries on no answer in time, with the same event signed afresh', async () => {
    const qr = await createQr('retry');
    app.answers.push({ delayMs: 1000 });
    const result = await wx.scan(qr.ticket, 'carol');
    expect(result.attempts.map((attempt) => attempt.status)).toEqual(['timeout', 200]);
    expect(result.attempts[0].ms).toBeGreaterThanOrEqual(390);
    expect(result.answered).toBe(true);
    const [one, two] = app.received;
    expect(two.signed).toBe(true);
    expect(field(two.body, 'CreateTime')).toBe(field(one.body, 'CreateTime'));
    expect(field(two.body, 'FromUserName')).toBe(field(one.body, 'FromUserName'));
    expect(two.query.get('nonce')).not.toBe(one.query.get('nonce'));
  });

  it('gives up after three attempts on errors', async () => {
    const qr = await createQr('fail');
    app.answers.push({ status: 500 }, { status: 502 }, { status: 404 });
    const result = await wx.scan(qr.ticket, 'alice');
    expect(result.attempts.map((attempt) => attempt.status)).toEqual([500, 502, 404]);
    expect(result).toMatchObject({ answered: false });
    expect(result).not.toHaveProperty('replyBody');
    // The scan still made alice a follower, as on WeChat.
    expect(wx.isFollowing('alice')).toBe(true);
  });

  it('reports a network error as such', async () => {
    const qr = await createQr('down');
    wx.setMessagePush(wx.appid, { url: 'http://127.0.0.1:1/wx', token: TOKEN });
    const result = await wx.scan(qr.ticket, 'alice');
    expect(result.attempts.map((attempt) => attempt.status)).toEqual(['error', 'error', 'error']);
  });

  it('pushes nothing without push settings, but the scan still follows', async () => {
    wx.setMessagePush(wx.appid, undefined);
    const qr = await createQr('none');
    expect(await wx.scan(qr.ticket, 'alice')).toMatchObject({
      event: 'subscribe',
      attempts: [],
      answered: false,
    });
    expect(app.received).toHaveLength(0);
    await expect(wx.checkPushUrl(wx.appid)).rejects.toThrow(/setMessagePush/);
  });

  describe('safe mode', () => {
    beforeEach(() =>
      wx.setMessagePush(wx.appid, { url: app.url, token: TOKEN, encodingAesKey: AES_KEY }),
    );

    it('encrypts the event for the appid and signs the ciphertext', async () => {
      const qr = await createQr('safe');
      await wx.scan(qr.ticket, 'alice');
      const [push] = app.received;
      expect(push.signed).toBe(true);
      expect(push.query.get('encrypt_type')).toBe('aes');
      const cipherText = field(push.body, 'Encrypt')!;
      expect(push.body).toBe(
        `<xml><ToUserName><![CDATA[${wx.app(wx.appid).originalId}]]></ToUserName>` +
          `<Encrypt><![CDATA[${cipherText}]]></Encrypt></xml>`,
      );
      expect(push.query.get('msg_signature')).toBe(
        sha1([TOKEN, push.query.get('timestamp')!, push.query.get('nonce')!, cipherText]),
      );
      const inner = decrypt(cipherText);
      expect(inner.appid).toBe(wx.appid);
      expect(field(inner.xml, 'Event')).toBe('subscribe');
      expect(field(inner.xml, 'EventKey')).toBe('qrscene_safe');
      expect(field(inner.xml, 'FromUserName')).toBe(wx.openidOf('alice'));
    });

    const encryptedReply = (openid: string, signature?: string): string => {
      const xml =
        `<xml><ToUserName><![CDATA[${openid}]]></ToUserName>` +
        `<FromUserName><![CDATA[${wx.app(wx.appid).originalId}]]></FromUserName>` +
        '<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
        '<Content><![CDATA[登录成功]]></Content></xml>';
      const cipherText = encrypt(xml, wx.appid);
      const timestamp = '1700000000';
      const nonce = '12345';
      return (
        `<xml><Encrypt><![CDATA[${cipherText}]]></Encrypt>` +
        `<MsgSignature><![CDATA[${signature ?? sha1([TOKEN, timestamp, nonce, cipherText])}]]></MsgSignature>` +
        `<TimeStamp>${timestamp}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`
      );
    };

    it('decrypts an encrypted reply and checks its signature', async () => {
      const qr = await createQr('safe-reply');
      app.answers.push((received) => ({ body: encryptedReply(received.query.get('openid')!) }));
      const good = await wx.scan(qr.ticket, 'alice');
      expect(good).toMatchObject({
        reply: { msgType: 'text', content: '登录成功' },
        replyValid: true,
      });
      expect(good.replyBody).toMatch(/^<xml><ToUserName>/);

      app.answers.push((received) => ({
        body: encryptedReply(received.query.get('openid')!, 'f'.repeat(40)),
      }));
      expect(await wx.scan(qr.ticket, 'alice')).toMatchObject({ replyValid: false });
    });

    it('accepts a plain success, refuses a plain reply message', async () => {
      const qr = await createQr('safe-plain');
      expect(await wx.scan(qr.ticket, 'alice')).toMatchObject({ replyValid: true });
      app.answers.push({ body: '<xml><MsgType>text</MsgType><Content>hi</Content></xml>' });
      expect(await wx.scan(qr.ticket, 'alice')).toMatchObject({ replyValid: false });
    });

    it('keeps the token and key out of the result', async () => {
      const qr = await createQr('leak');
      const result = JSON.stringify(await wx.scan(qr.ticket, 'alice'));
      expect(result).not.toContain(TOKEN);
      expect(result).not.toContain(AES_KEY);
    });
  });

  describe('checkPushUrl', () => {
    it('is true when the app echoes echostr verbatim after checking the signature', async () => {
      app.answers.push((received) => ({
        body: received.signed ? (received.query.get('echostr') ?? '') : 'bad signature',
      }));
      expect(await wx.checkPushUrl(wx.appid)).toBe(true);
      const [check] = app.received;
      expect(check.method).toBe('GET');
      expect(check.query.get('echostr')).toMatch(/^\d+$/);
    });

    it('is false for any other answer, a slow one, or an error status', async () => {
      app.answers.push({ body: 'success' });
      expect(await wx.checkPushUrl(wx.appid)).toBe(false);
      app.answers.push((received) => ({ status: 500, body: received.query.get('echostr')! }));
      expect(await wx.checkPushUrl(wx.appid)).toBe(false);
      app.answers.push({ delayMs: 1000 });
      expect(await wx.checkPushUrl(wx.appid)).toBe(false);
    });
  });

  describe('the scan page', () => {
    it('scans as the chosen user and shows whether the app answered', async () => {
      const qr = await createQr('page');
      const scan = (user: string): Promise<Response> =>
        fetch(`${wx.url}/sandbox/qrcode/scan`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ qr: qr.url.split('/q/')[1], user }),
        });
      const page = await fetch(qr.url).then((res) => res.text());
      expect(page).toContain('action="/sandbox/qrcode/scan"');

      const first = await scan('bob');
      expect(first.status).toBe(200);
      const html = await first.text();
      expect(html).toMatch(/data-event="subscribe" data-answered="true"/);
      expect(html).toContain('The app answered');
      expect(field(app.received[0].body, 'FromUserName')).toBe(wx.openidOf('bob'));

      app.answers.push({ status: 500 }, { status: 500 }, { status: 500 });
      const second = await scan('bob').then((res) => res.text());
      expect(second).toMatch(/data-event="SCAN" data-answered="false"/);
      expect(second).toContain('did not answer');

      expect((await scan('nobody')).status).toBe(400);
      expect((await fetch(`${wx.url}/sandbox/qrcode/scan`)).status).toBe(405);
    });
  });
});
