import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WxOAuthError } from '../client/wx-oauth.error.js';

/** WeChat pads to 32-byte blocks (PKCS#7 with a 32-byte block), which Node's AES padding (16) does not do. */
const BLOCK = 32;

/**
 * Safe mode (安全模式) of an official account's message push: AES-256-CBC
 * with the console's EncodingAESKey (43 base64 characters, the key; its first
 * 16 bytes the IV). The plaintext is 16 random bytes, the message's length (4
 * bytes, big-endian), the message, and the appid, which must be this app's.
 */
export class WxPushCipher {
  private readonly key: Buffer;

  constructor(
    encodingAesKey: string,
    private readonly appid: string,
  ) {
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
  }

  /** The message inside `encrypted`; `invalid_push` for anything that is not this app's. */
  decrypt(encrypted: string): string {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(encrypted, 'base64'), decipher.final()]);
    } catch {
      throw refused();
    }
    const pad = plain.at(-1) ?? 0;
    if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) throw refused();
    const content = plain.subarray(16, plain.length - pad);
    const length = content.readUInt32BE(0);
    if (length > content.length - 4) throw refused();
    const appid = content.subarray(4 + length).toString('utf8');
    if (appid !== this.appid) throw refused();
    return content.subarray(4, 4 + length).toString('utf8');
  }

  /** `message` encrypted for WeChat, in base64. */
  encrypt(message: string): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const content = Buffer.concat([randomBytes(16), length, body, Buffer.from(this.appid)]);
    const pad = BLOCK - (content.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([
      cipher.update(Buffer.concat([content, Buffer.alloc(pad, pad)])),
      cipher.final(),
    ]).toString('base64');
  }
}

function refused(): WxOAuthError {
  return new WxOAuthError('invalid_push', 'The push is not encrypted for this app');
}
