import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../../store/wx-oauth-store.interface.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';

/** What the mini-program sends at most: `rawData`, `encryptedData` are a user's profile or a share's info. */
const MAX_DATA_LENGTH = 64 * 1024;

/**
 * The mini-program users' `session_key`s, kept in the store by the login
 * (`@WxMiniProgramLoginRoute()`) for `miniProgramSessionTtl`, and never handed
 * out: the app checks what the mini-program sends through this service. A
 * user with no key here (expired, never logged in, logged out) gets
 * `invalid_session` (401): the mini-program calls `wx.login()` and logs in
 * again. `appid` defaults to the registered mini-program (with tenants, name it).
 *
 * @publicApi
 */
@Injectable()
export class WxMiniProgramSessions {
  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
  ) {}

  /** Keeps the key of a login; the next login of the user replaces it, as `wx.login()` does at WeChat. */
  async save(openid: string, sessionKey: string, appid = this.appid()): Promise<void> {
    await this.store.set(
      sessionKeyOf(appid, openid),
      sessionKey,
      this.settings.miniProgramSessionTtl,
    );
  }

  /**
   * Whether `signature` is `sha1(rawData + session_key)`, as `wx.getUserInfo`
   * and the other APIs with `rawData` sign it: compared in constant time.
   */
  async verifySignature(
    openid: string,
    rawData: string,
    signature: string,
    appid = this.appid(),
  ): Promise<boolean> {
    assertData(rawData, 'rawData');
    assertData(signature, 'signature');
    const key = await this.keyOf(appid, openid);
    const expected = createHash('sha1')
      .update(rawData + key)
      .digest();
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The plaintext of the mini-program's `encryptedData` and `iv` (AES-128-CBC
   * under the user's `session_key`), checked to be this app's by its
   * watermark. Data that does not decrypt was made under another login's key:
   * `invalid_session`.
   */
  async decrypt<T extends object = Record<string, unknown>>(
    openid: string,
    encryptedData: string,
    iv: string,
    appid = this.appid(),
  ): Promise<T & { watermark: { appid: string; timestamp: number } }> {
    assertData(encryptedData, 'encryptedData');
    assertData(iv, 'iv');
    const key = Buffer.from(await this.keyOf(appid, openid), 'base64');
    const ivBytes = Buffer.from(iv, 'base64');
    if (ivBytes.length !== 16)
      throw new WxOAuthError('invalid_request', 'iv must be 16 bytes in base64');
    let data: T & { watermark?: { appid?: unknown; timestamp: number } };
    try {
      const decipher = createDecipheriv('aes-128-cbc', key, ivBytes);
      const plain = Buffer.concat([
        decipher.update(Buffer.from(encryptedData, 'base64')),
        decipher.final(),
      ]);
      data = JSON.parse(plain.toString('utf8')) as typeof data;
    } catch {
      throw new WxOAuthError(
        'invalid_session',
        "The mini-program's data does not decrypt with the user's session_key: call wx.login() and log in again",
      );
    }
    if (data?.watermark?.appid !== appid)
      throw new WxOAuthError('invalid_request', `The mini-program's data is not app ${appid}'s`);
    return data as T & { watermark: { appid: string; timestamp: number } };
  }

  /** Drops the user's key, e.g. on logout. */
  async forget(openid: string, appid = this.appid()): Promise<void> {
    await this.store.delete(sessionKeyOf(appid, openid));
  }

  private async keyOf(appid: string, openid: string): Promise<string> {
    const key = await this.store.get(sessionKeyOf(appid, openid));
    if (!key)
      throw new WxOAuthError(
        'invalid_session',
        'The server holds no session of this mini-program user: call wx.login() and log in again',
      );
    return key;
  }

  private appid(): string {
    if (!this.apps.fixed)
      throw new WxOAuthError('invalid_request', "With tenants, pass the mini-program's appid");
    return this.apps.fixed.miniProgram().client.appid;
  }
}

function sessionKeyOf(appid: string, openid: string): string {
  return `mini-session:${appid}:${openid}`;
}

function assertData(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_DATA_LENGTH)
    throw new WxOAuthError(
      'invalid_request',
      `${name} must be a string of at most ${MAX_DATA_LENGTH} characters`,
    );
}
