import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WxSandbox } from './wx-sandbox.js';

/** A throw-away self-signed certificate for 127.0.0.1, made with the openssl CLI. */
function makeCertificate(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'wx-sandbox-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined; // no openssl CLI here
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pem = makeCertificate();
const withOpenssl = pem ? describe : describe.skip;

const request = (
  url: string,
  agent: Agent | false,
  ca?: string,
): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    httpsGet(url, { agent, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

describe('WxSandbox over TLS', () => {
  it('refuses a tls option without a key or a cert', async () => {
    await expect(WxSandbox.start({ tls: { key: '', cert: 'x' } })).rejects.toThrow(/tls/);
    await expect(WxSandbox.start({ tls: { key: 'x' } as never })).rejects.toThrow(/tls/);
  });

  withOpenssl('with a certificate', () => {
    const { key, cert } = pem ?? { key: '', cert: '' };

    it('serves https with the given certificate, which clients must trust', async () => {
      const wx = await WxSandbox.start({ tls: { key: Buffer.from(key), cert } });
      try {
        expect(wx.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(wx.users[0].headimgurl).toBe(`${wx.url}/sandbox/avatar/alice.svg`);
        await expect(request(`${wx.url}/sns/auth`, false)).rejects.toThrow(
          /self-signed|certificate/i,
        );
        const code = wx.issueCode('alice', 'snsapi_userinfo');
        const query = new URLSearchParams({
          appid: wx.appid,
          secret: wx.secret,
          code,
          grant_type: 'authorization_code',
        });
        const res = await request(`${wx.url}/sns/oauth2/access_token?${query}`, false, cert);
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({
          openid: wx.users[0].openid,
          scope: 'snsapi_userinfo',
        });
      } finally {
        await wx.close();
      }
    });

    it('counts TLS connections, and charges connectionLatencyMs once per connection', async () => {
      const wx = await WxSandbox.start({ tls: { key, cert }, connectionLatencyMs: 150 });
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: cert });
      const timed = async (agent: Agent | false): Promise<number> => {
        const start = performance.now();
        expect((await request(`${wx.url}/sns/auth`, agent, cert)).status).toBe(200);
        return performance.now() - start;
      };
      try {
        expect(await timed(keepAlive)).toBeGreaterThanOrEqual(140);
        expect(await timed(keepAlive)).toBeLessThan(140);
        expect(await timed(false)).toBeGreaterThanOrEqual(140);
        expect(wx.stats).toMatchObject({ connections: 2, requests: { auth: 3 } });
      } finally {
        keepAlive.destroy();
        await wx.close();
      }
    });

    it('closes promptly with keep-alive TLS sockets open', async () => {
      const wx = await WxSandbox.start({ tls: { key, cert } });
      const keepAlive = new Agent({ keepAlive: true, ca: cert });
      try {
        await request(`${wx.url}/sns/auth`, keepAlive, cert);
        const start = performance.now();
        await wx.close();
        expect(performance.now() - start).toBeLessThan(500);
      } finally {
        keepAlive.destroy();
      }
    });
  });
});
