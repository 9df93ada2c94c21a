import { WxSandbox } from '../wx-sandbox.js';

describe('WxSandbox avatars', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({
      users: [
        { key: 'alice', nickname: 'alice' },
        { key: 'bob', nickname: '小明 🐼' },
        { key: 'carol', nickname: 'Carol', headimgurl: '' },
        { key: 'panda', nickname: '🐼🐼 panda' },
        { key: 'x&y z', nickname: '<b>bold</b>' },
        { key: 'own', nickname: 'Own', headimgurl: 'https://cdn.test/own.png' },
      ],
    });
  });
  afterAll(() => wx.close());

  const user = (key: string) => wx.users.find((candidate) => candidate.key === key)!;

  const svg = async (url: string): Promise<string> => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    return res.text();
  };

  it('points default avatars at the sandbox, and keeps given or empty ones', () => {
    expect(wx.publicUrl).toBe(wx.url);
    expect(user('alice').headimgurl).toBe(`${wx.url}/sandbox/avatar/alice.svg`);
    expect(user('x&y z').headimgurl).toBe(`${wx.url}/sandbox/avatar/x%26y%20z.svg`);
    expect(user('carol').headimgurl).toBe('');
    expect(user('own').headimgurl).toBe('https://cdn.test/own.png');
  });

  it("serves an SVG of the nickname's first character", async () => {
    const alice = await svg(user('alice').headimgurl);
    expect(alice).toMatch(/^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(alice).toContain('>A</text>');
    expect(await svg(user('bob').headimgurl)).toContain('>小</text>');
    // A whole emoji, not half a surrogate pair.
    expect(await svg(user('panda').headimgurl)).toContain('>🐼</text>');
  });

  it('escapes the character', async () => {
    const body = await svg(user('x&y z').headimgurl);
    expect(body).toContain('>&lt;</text>');
    expect(body).not.toContain('<b');
  });

  it('colours by key: stable across sandboxes, varied across users', async () => {
    const fill = (body: string): string | undefined =>
      /<rect [^>]*fill="(#[0-9A-F]{6})"/.exec(body)?.[1];
    const other = await WxSandbox.start();
    try {
      expect(fill(await svg(other.users[0].headimgurl))).toBe(
        fill(await svg(user('alice').headimgurl)),
      );
    } finally {
      await other.close();
    }
    const fills = await Promise.all(
      ['alice', 'bob', 'panda', 'x&y z'].map(async (key) => fill(await svg(avatarOf(key)))),
    );
    expect(new Set(fills).size).toBeGreaterThan(1);
  });

  /** Any user's avatar route, even one whose headimgurl is set elsewhere. */
  const avatarOf = (key: string): string =>
    `${wx.url}/sandbox/avatar/${encodeURIComponent(key)}.svg`;

  it('serves every known user, 404 for anyone else, and counts as avatar', async () => {
    wx.resetStats();
    expect(await svg(avatarOf('own'))).toContain('>O</text>');
    expect(await svg(avatarOf('carol'))).toContain('>C</text>');
    expect((await fetch(avatarOf('nobody'))).status).toBe(404);
    expect((await fetch(`${wx.url}/sandbox/avatar/.svg`)).status).toBe(404);
    expect((await fetch(`${wx.url}/sandbox/avatar/%E0%A4%A.svg`)).status).toBe(404);
    expect(wx.stats.requests).toMatchObject({ avatar: 3, not_found: 2 });
  });

  it('userinfo gives the same headimgurl as sandbox.users', async () => {
    for (const key of ['alice', 'carol']) {
      const code = wx.issueCode(key, 'snsapi_userinfo');
      const token = (await (
        await fetch(
          `${wx.url}/sns/oauth2/access_token?${new URLSearchParams({ appid: wx.appid, secret: wx.secret, code, grant_type: 'authorization_code' })}`,
        )
      ).json()) as Record<string, string>;
      const info = (await (
        await fetch(
          `${wx.url}/sns/userinfo?${new URLSearchParams({ access_token: token.access_token, openid: token.openid })}`,
        )
      ).json()) as Record<string, string>;
      expect(info.headimgurl).toBe(user(key).headimgurl);
    }
  });

  describe('publicUrl', () => {
    it('builds avatar URLs from the URL browsers use, not the listening one', async () => {
      const mapped = await WxSandbox.start({ publicUrl: 'http://localhost:8080/' });
      try {
        expect(mapped.publicUrl).toBe('http://localhost:8080');
        expect(mapped.url).not.toBe(mapped.publicUrl);
        expect(mapped.users[0].headimgurl).toBe('http://localhost:8080/sandbox/avatar/alice.svg');
        expect(mapped.users.find((candidate) => candidate.key === 'carol')?.headimgurl).toBe('');
        const page = await (
          await fetch(
            `${mapped.url}/connect/oauth2/authorize?appid=${mapped.appid}&redirect_uri=https%3A%2F%2Fa.test%2F&response_type=code&scope=snsapi_userinfo`,
          )
        ).text();
        expect(page).toContain('src="http://localhost:8080/sandbox/avatar/alice.svg"');
        // The avatar is still served under its path on the real address.
        expect(await svg(`${mapped.url}/sandbox/avatar/alice.svg`)).toContain('>A</text>');
      } finally {
        await mapped.close();
      }
    });

    it('keeps a path prefix, for a proxy that strips it', async () => {
      const proxied = await WxSandbox.start({ publicUrl: 'https://dev.test/wx/' });
      try {
        expect(proxied.users[0].headimgurl).toBe('https://dev.test/wx/sandbox/avatar/alice.svg');
      } finally {
        await proxied.close();
      }
    });

    it.each(['localhost:8080', 'ftp://files.test', '/relative', 'http://a.test/?x=1', ''])(
      'refuses %j',
      async (publicUrl) => {
        await expect(WxSandbox.start({ publicUrl })).rejects.toThrow(/publicUrl/);
      },
    );
  });
});
