import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** WeChat pads to 32-byte blocks, not AES's 16: Node's own padding is turned off. */
const BLOCK = 32;

/** The 32-byte AES key an EncodingAESKey stands for; its first 16 bytes are the IV. */
function aesKey(encodingAesKey: string): Buffer {
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/**
 * Safe mode's `Encrypt`: AES-256-CBC over 16 random bytes, the XML's length (4 bytes,
 * big-endian), the XML and the appid, PKCS#7-padded to 32 bytes, in base64.
 */
export function encryptMessage(xml: string, appid: string, encodingAesKey: string): string {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appid, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const key = aesKey(encodingAesKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

/** The XML and appid inside an `Encrypt`, or `undefined` when it does not decrypt to that shape. */
export function decryptMessage(
  encrypt: string,
  encodingAesKey: string,
): { xml: string; appid: string } | undefined {
  try {
    const key = aesKey(encodingAesKey);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(
      false,
    );
    const plain = Buffer.concat([
      decipher.update(Buffer.from(encrypt, 'base64')),
      decipher.final(),
    ]);
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) return undefined;
    const content = plain.subarray(0, plain.length - pad);
    const length = content.readUInt32BE(16);
    if (20 + length > content.length) return undefined;
    return {
      xml: content.subarray(20, 20 + length).toString('utf8'),
      appid: content.subarray(20 + length).toString('utf8'),
    };
  } catch {
    return undefined;
  }
}
