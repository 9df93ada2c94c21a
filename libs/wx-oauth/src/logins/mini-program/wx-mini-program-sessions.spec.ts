import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { compileWxOAuth } from '../../wx-oauth.spec-helper.js';
import { WxMiniProgramSessions } from './wx-mini-program-sessions.js';

const MINI = 'wx0mini0program01';
const SESSION_KEY = randomBytes(16).toString('base64');

/** Encrypts as WeChat does the mini-program's data: AES-128-CBC under the session_key, a watermark inside. */
function wechatEncrypt(data: object, appid = MINI, key = SESSION_KEY) {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(key, 'base64'), iv);
  const plain = JSON.stringify({ ...data, watermark: { appid, timestamp: 1_700_000_000 } });
  return {
    encryptedData: Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64'),
    iv: iv.toString('base64'),
  };
}

describe('WxMiniProgramSessions', () => {
  let sessions: WxMiniProgramSessions;

  beforeEach(async () => {
    const { moduleRef } = await compileWxOAuth({
      appid: 'wx0official0000001',
      secret: 's'.repeat(32),
      miniProgram: { appid: MINI, secret: 'm'.repeat(32) },
      callbackURL: 'https://app.test/auth/wechat/callback',
      miniProgramSessionTtl: 60_000,
    });
    sessions = moduleRef.get(WxMiniProgramSessions);
    await sessions.save('o-alice', SESSION_KEY);
  });

  it("checks rawData's signature with the user's key, in constant time", async () => {
    const rawData = JSON.stringify({ nickName: '爱丽丝' });
    const signature = createHash('sha1')
      .update(rawData + SESSION_KEY)
      .digest('hex');
    await expect(sessions.verifySignature('o-alice', rawData, signature)).resolves.toBe(true);
    await expect(sessions.verifySignature('o-alice', `${rawData} `, signature)).resolves.toBe(
      false,
    );
    await expect(sessions.verifySignature('o-alice', rawData, 'abc')).resolves.toBe(false);
  });

  it("decrypts the user's data and checks it is this app's", async () => {
    const { encryptedData, iv } = wechatEncrypt({ openGId: 'g1' });
    await expect(sessions.decrypt('o-alice', encryptedData, iv)).resolves.toMatchObject({
      openGId: 'g1',
      watermark: { appid: MINI },
    });
    const other = wechatEncrypt({ openGId: 'g1' }, 'wx0another0app0001');
    await expect(sessions.decrypt('o-alice', other.encryptedData, other.iv)).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it('answers invalid_session for data under another key and for a user with no key', async () => {
    const stale = wechatEncrypt({ a: 1 }, MINI, randomBytes(16).toString('base64'));
    await expect(sessions.decrypt('o-alice', stale.encryptedData, stale.iv)).rejects.toMatchObject({
      kind: 'invalid_session',
    });
    await sessions.forget('o-alice');
    await expect(sessions.verifySignature('o-alice', 'x', 'y')).rejects.toMatchObject({
      kind: 'invalid_session',
    });
  });

  it('refuses malformed or oversized input with invalid_request, never with its key in the message', async () => {
    const { encryptedData } = wechatEncrypt({ a: 1 });
    for (const call of [
      sessions.decrypt('o-alice', encryptedData, 'c2hvcnQ='),
      sessions.decrypt('o-alice', 'x'.repeat(65 * 1024), 'x'),
      sessions.verifySignature('o-alice', '', 'x'),
    ]) {
      const error = await call.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error).toMatchObject({ kind: 'invalid_request' });
      expect(error?.message).not.toContain(SESSION_KEY);
    }
  });
});
