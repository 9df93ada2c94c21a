import { Agent, get as httpGet } from 'node:http';
import { WxSandbox } from './wx-sandbox.js';

/** node:http, for control over connection reuse that fetch does not give. */
const request = (url: string, agent: Agent | false): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    httpGet(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

describe('WxSandbox', () => {
  describe('start', () => {
    it('has working defaults', async () => {
      const [one, two] = await Promise.all([WxSandbox.start(), WxSandbox.start()]);
      try {
        expect(one.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(one.url).not.toBe(two.url);
        expect(one.appid).toBe('wx0sandbox0appid');
        expect(one.secret).toMatch(/^[0-9a-f]{32}$/);
        expect(one.secret).not.toBe(two.secret);
        expect(one.users.map((user) => user.key)).toEqual(['alice', 'bob', 'carol', 'snap']);
        expect(one.users.find((user) => user.key === 'bob')?.nickname).toMatch(
          /\p{Extended_Pictographic}/u,
        );
        expect(one.users.find((user) => user.key === 'carol')?.headimgurl).toBe('');
        expect(one.users[0].headimgurl).toBe(`${one.url}/sandbox/avatar/alice.svg`);
        expect(one.users.find((user) => user.key === 'snap')?.snapshot).toBe(true);
        expect(one.users.filter((user) => user.snapshot)).toHaveLength(1);
        // Same app and user, same ids: tests can rely on them across runs (avatars differ only by port).
        const portless = (wx: WxSandbox) =>
          wx.users.map((user) => ({ ...user, headimgurl: user.headimgurl.replace(wx.url, '') }));
        expect(portless(one)).toEqual(portless(two));
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    });

    it('derives openid per app and unionid per user, unless the seed gives them', async () => {
      const other = await WxSandbox.start({
        appid: 'wx0other0app',
        users: [
          { key: 'alice', nickname: 'A' },
          { key: 'dave', nickname: 'D', openid: 'oDave', unionid: 'uDave' },
        ],
      });
      const main = await WxSandbox.start();
      try {
        const [alice, dave] = other.users;
        expect(alice.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
        expect(alice.openid).not.toBe(main.users[0].openid);
        expect(alice.unionid).toBe(main.users[0].unionid);
        expect(alice.unionid).not.toBe(alice.openid);
        expect(dave).toMatchObject({ openid: 'oDave', unionid: 'uDave' });
        expect(dave.headimgurl).toBe(`${other.url}/sandbox/avatar/dave.svg`);
      } finally {
        await Promise.all([other.close(), main.close()]);
      }
    });

    it('refuses duplicate users and an unknown autoApprove user', async () => {
      await expect(
        WxSandbox.start({
          users: [
            { key: 'a', nickname: 'A' },
            { key: 'a', nickname: 'B' },
          ],
        }),
      ).rejects.toThrow(/duplicate/);
      await expect(WxSandbox.start({ autoApprove: 'nobody' })).rejects.toThrow(/nobody/);
    });
  });

  describe('running', () => {
    let wx: WxSandbox;

    beforeAll(async () => {
      wx = await WxSandbox.start();
    });
    afterAll(() => wx.close());
    afterEach(() => wx.clearFaults());

    const sns = (
      path: string,
      params: Record<string, string>,
      init?: RequestInit,
    ): Promise<Response> => fetch(`${wx.url}${path}?${new URLSearchParams(params)}`, init);
    const exchange = (code: string, init?: RequestInit): Promise<Response> =>
      sns(
        '/sns/oauth2/access_token',
        { appid: wx.appid, secret: wx.secret, code, grant_type: 'authorization_code' },
        init,
      );
    const authCheck = (): Promise<Response> => sns('/sns/auth', { access_token: 'x', openid: 'y' });

    it('moves its clock only forward, on top of real time', () => {
      const before = wx.now();
      expect(Math.abs(before - Date.now())).toBeLessThan(1000);
      wx.advance(60_000);
      expect(wx.now() - before).toBeGreaterThanOrEqual(60_000);
      expect(() => wx.advance(-1)).toThrow();
    });

    it('refuses unknown users and scopes in issueCode and setAutoApprove', () => {
      expect(() => wx.issueCode('nobody', 'snsapi_base')).toThrow(/nobody/);
      expect(() => wx.issueCode('alice', 'snsapi_privateinfo' as 'snsapi_base')).toThrow(/scope/);
      expect(() => wx.setAutoApprove('nobody')).toThrow(/nobody/);
    });

    describe('faults', () => {
      it('http500: HTTP 500 with a short text body, once', async () => {
        wx.inject({ type: 'http500' });
        const res = await authCheck();
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect((await res.text()).length).toBeLessThan(100);
        expect((await authCheck()).status).toBe(200);
      });

      it('nonJson: HTTP 200 with an HTML body', async () => {
        wx.inject({ type: 'nonJson' }, { endpoint: 'auth' });
        const res = await authCheck();
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        const text = await res.text();
        expect(() => JSON.parse(text)).toThrow();
      });

      it('reset: the connection drops without an answer', async () => {
        wx.inject({ type: 'reset' }, { endpoint: 'userinfo' });
        await expect(sns('/sns/userinfo', { access_token: 'x', openid: 'y' })).rejects.toThrow();
        expect((await sns('/sns/userinfo', { access_token: 'x', openid: 'y' })).status).toBe(200);
      });

      it('errcode: WeChat-style error body, with the default or a given errmsg', async () => {
        wx.inject({ type: 'errcode', errcode: -1 });
        wx.inject({ type: 'errcode', errcode: 45011, errmsg: 'quota, slow down' });
        const code = wx.issueCode('alice', 'snsapi_base');
        const busy = await exchange(code);
        expect(busy.headers.get('content-type')).toBe('text/plain');
        expect(await busy.json()).toEqual({
          errcode: -1,
          errmsg: expect.stringMatching(/^system error, rid: [0-9a-f-]{26}$/),
        });
        expect(await (await exchange(code)).json()).toMatchObject({
          errcode: 45011,
          errmsg: expect.stringMatching(/^quota, slow down, rid: /),
        });
        // The faulted requests were never handled, so the code is still good.
        expect(await (await exchange(code)).json()).toHaveProperty('access_token');
      });

      it('delay: a hang past the client timeout, after which the code is used up', async () => {
        wx.inject({ type: 'delay', ms: 400 }, { endpoint: 'access_token' });
        const code = wx.issueCode('alice', 'snsapi_base');
        await expect(exchange(code, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
        expect(await (await exchange(code)).json()).toMatchObject({ errcode: 40163 });
      });

      it('delay: shorter than the timeout, the answer is normal and late', async () => {
        wx.inject({ type: 'delay', ms: 120 });
        let body: unknown;
        const ms = await elapsed(async () => (body = await (await authCheck()).json()));
        expect(ms).toBeGreaterThanOrEqual(110);
        expect(body).toMatchObject({ errcode: 40001 });
      });

      it('targets one endpoint, counts times, and clears', async () => {
        wx.inject({ type: 'http500' }, { endpoint: 'userinfo', times: 2 });
        expect((await authCheck()).status).toBe(200);
        const userinfo = (): Promise<Response> =>
          sns('/sns/userinfo', { access_token: 'x', openid: 'y' });
        expect((await userinfo()).status).toBe(500);
        expect((await userinfo()).status).toBe(500);
        expect((await userinfo()).status).toBe(200);
        wx.inject({ type: 'http500' }, { times: 5 });
        wx.clearFaults();
        expect((await authCheck()).status).toBe(200);
      });

      it('leaves the authorize pages alone', async () => {
        wx.inject({ type: 'http500' });
        const page = await fetch(
          `${wx.url}/connect/oauth2/authorize?appid=${wx.appid}&redirect_uri=https%3A%2F%2Fa.test%2F&response_type=code&scope=snsapi_base`,
        );
        expect(page.status).toBe(200);
        expect((await authCheck()).status).toBe(500);
      });

      it('refuses nonsense', () => {
        expect(() => wx.inject({ type: 'reset' }, { times: 0 })).toThrow();
        expect(() => wx.inject({ type: 'delay', ms: -5 })).toThrow();
        expect(() => wx.inject({ type: 'reset' }, { endpoint: 'authorize' as 'auth' })).toThrow();
      });
    });

    describe('stats', () => {
      it('counts requests per endpoint, pages included', async () => {
        wx.resetStats();
        await exchange('nope');
        await exchange('nope');
        await authCheck();
        await fetch(`${wx.url}/connect/qrconnect`);
        await fetch(`${wx.url}/nowhere`);
        const { requests } = wx.stats;
        expect(requests).toMatchObject({
          access_token: 2,
          auth: 1,
          userinfo: 0,
          refresh_token: 0,
          qrconnect: 1,
          authorize: 0,
          not_found: 1,
        });
        wx.resetStats();
        expect(wx.stats.requests.access_token).toBe(0);
      });

      it('counts TCP connections, not requests', async () => {
        const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          wx.resetStats();
          for (let i = 0; i < 3; i++)
            expect((await request(`${wx.url}/sns/auth`, keepAlive)).status).toBe(200);
          expect(wx.stats).toMatchObject({ connections: 1, requests: { auth: 3 } });
          await request(`${wx.url}/sns/auth`, false);
          await request(`${wx.url}/sns/auth`, false);
          expect(wx.stats.connections).toBe(3);
        } finally {
          keepAlive.destroy();
        }
      });
    });
  });

  describe('latency', () => {
    it('delays every /sns answer by latencyMs, not the pages', async () => {
      const wx = await WxSandbox.start({ latencyMs: 150 });
      try {
        expect(
          await elapsed(() => fetch(`${wx.url}/sns/auth`).then((res) => res.text())),
        ).toBeGreaterThanOrEqual(140);
        expect(
          await elapsed(() => fetch(`${wx.url}/connect/qrconnect`).then((res) => res.text())),
        ).toBeLessThan(140);
      } finally {
        await wx.close();
      }
    });

    it('delays the first request of each connection by connectionLatencyMs', async () => {
      const wx = await WxSandbox.start({ connectionLatencyMs: 150 });
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(
          await elapsed(() => request(`${wx.url}/sns/auth`, keepAlive)),
        ).toBeGreaterThanOrEqual(140);
        expect(await elapsed(() => request(`${wx.url}/sns/auth`, keepAlive))).toBeLessThan(140);
        expect(await elapsed(() => request(`${wx.url}/sns/auth`, false))).toBeGreaterThanOrEqual(
          140,
        );
      } finally {
        keepAlive.destroy();
        await wx.close();
      }
    });
  });

  describe('close', () => {
    it('closes promptly with keep-alive sockets and requests in flight', async () => {
      const wx = await WxSandbox.start();
      const keepAlive = new Agent({ keepAlive: true });
      try {
        await request(`${wx.url}/sns/auth`, keepAlive);
        wx.inject({ type: 'delay', ms: 10_000 });
        const hanging = fetch(`${wx.url}/sns/auth`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await elapsed(() => wx.close())).toBeLessThan(500);
        await expect(hanging).rejects.toThrow();
        await expect(fetch(`${wx.url}/sns/auth`)).rejects.toThrow();
        await wx.close();
      } finally {
        keepAlive.destroy();
      }
    });
  });
});
