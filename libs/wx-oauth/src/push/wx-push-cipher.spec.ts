import { createCipheriv } from 'node:crypto';
import { WxPushCipher } from './wx-push-cipher.js';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wx0123456789abcdef';

/** Encrypts as WeChat's own sample code does, with a 16-byte random part of zeros. */
function wechatEncrypt(xml: string, appid: string): string {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const body = Buffer.from(xml);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const content = Buffer.concat([Buffer.alloc(16), length, body, Buffer.from(appid)]);
  const pad = 32 - (content.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([content, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

describe('WxPushCipher', () => {
  const cipher = new WxPushCipher(AES_KEY, APPID);

  it("decrypts WeChat's safe-mode body, and encrypts what WeChat decrypts the same way", () => {
    const xml = '<xml><Content><![CDATA[登录]]></Content></xml>';
    expect(cipher.decrypt(wechatEncrypt(xml, APPID))).toBe(xml);
    expect(cipher.decrypt(cipher.encrypt(xml))).toBe(xml);
  });

  it('pads to 32-byte blocks, a whole block when the content fills one', () => {
    // 16 + 4 + 12 + 18 (appid) = 50 → 64; 16 + 4 + 26 + 18 = 64 → 96.
    expect(Buffer.from(cipher.encrypt('x'.repeat(12)), 'base64')).toHaveLength(64);
    expect(Buffer.from(cipher.encrypt('x'.repeat(26)), 'base64')).toHaveLength(96);
  });

  it("refuses another app's message, a tampered one and one that is not base64 AES", () => {
    const refused = { kind: 'invalid_push', message: 'The push is not encrypted for this app' };
    expect(() => cipher.decrypt(wechatEncrypt('<xml/>', 'wx_other_app_id_00'))).toThrow(
      expect.objectContaining(refused),
    );
    const sealed = Buffer.from(wechatEncrypt('<xml/>', APPID), 'base64');
    sealed[sealed.length - 1] ^= 1;
    expect(() => cipher.decrypt(sealed.toString('base64'))).toThrow(
      expect.objectContaining(refused),
    );
    expect(() => cipher.decrypt('not encrypted')).toThrow(expect.objectContaining(refused));
    expect(() => cipher.decrypt('')).toThrow(expect.objectContaining(refused));
  });
});
