import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type { WxSandboxEncryptedData } from '../wx-sandbox.types.js';

/** A session_key as jscode2session answers it: base64 of 16 random bytes. */
export function newSessionKey(): string {
  return randomBytes(16).toString('base64');
}

/** The `signature` WeChat gives a mini-program with `rawData`: sha1(rawData + session_key), hex. */
export function signRawData(rawData: string, sessionKey: string): string {
  return createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest('hex');
}

/**
 * Open data sealed as WeChat seals it for the page: the JSON under AES-128-CBC with PKCS#7
 * padding, the key the decoded session_key, a fresh random iv.
 */
export function encryptOpenData(data: object, sessionKey: string): WxSandboxEncryptedData {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return { encryptedData: sealed.toString('base64'), iv: iv.toString('base64') };
}
