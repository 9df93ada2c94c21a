import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { isProduction } from '../utils/node-env.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { WxPushCipher } from './wx-push-cipher.js';
import { buildPushXml, type WxPushFields } from './wx-push-message.js';
import { pushSignature } from './wx-push-signature.js';
import { WxPushVerifier } from './wx-push-verifier.js';

/** Said at start-up in production when the push is not encrypted; names no secret. */
const PLAIN_MODE_WARNING =
  "The official account's message push is in plain mode (明文模式: messagePush has no encodingAesKey), " +
  "where WeChat's signature does not cover the message: a push could be altered on its way. Switch the account's " +
  'console to safe mode (安全模式) and set its EncodingAESKey as messagePush.encodingAesKey (WX_MP_AES_KEY).';

/**
 * A push that passed every check: this account's, signed, fresh, not
 * replayed, decrypted in safe mode.
 *
 * @publicApi
 */
export interface WxPushMessage {
  /** WeChat's fields: `MsgType`, `Event`, `EventKey`, `FromUserName` (the openid), `Content`, ... */
  fields: WxPushFields;
  /** WeChat sent this event again (it had no answer in time): it was handled the first time. */
  duplicate: boolean;
  /** A login took it as its own (the scan of a follow login's QR code); the app need not answer it. */
  handled: boolean;
  /** Whether it came encrypted (safe mode); the reply is then encrypted too. */
  encrypted: boolean;
}

/**
 * The official account's message push endpoint (the URL in its console's
 * 服务器配置), for the app's own controller: `checkUrl` answers the console's
 * GET check; `receive` verifies a POST (its signature in constant time, its
 * timestamp within 5 minutes, its signature never seen before, its size),
 * decrypts it in safe mode, absorbs WeChat's retries of the same event, and
 * hands it to the logins listening for pushes (the follow login records its
 * scans); the app handles the rest and answers with
 * `reply`. A push that fails a check is a 401 (400 when malformed), and
 * changes nothing.
 *
 * @publicApi
 */
@Injectable()
export class WxPushReceiver {
  private readonly cipher?: WxPushCipher;
  private readonly verifier: WxPushVerifier;
  private readonly listeners: WxPushListener[] = [];

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    apps: WxOAuthApps,
    @Inject(WX_OAUTH_STORE) store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
  ) {
    const aesKey = settings.messagePush?.encodingAesKey;
    const account = apps.get('officialAccount');
    if (aesKey && account) this.cipher = new WxPushCipher(aesKey, account.appid);
    this.verifier = new WxPushVerifier({
      token: () => this.token(),
      cipher: this.cipher,
      noKey: 'messagePush has no encodingAesKey',
      safeMode: 'messagePush is in safe mode',
      prefix: `push:${account?.appid ?? ''}`,
      store,
      clock,
    });
    // Plain mode is fine on a developer's machine and in tests, not where real users log in.
    if (settings.messagePush && !aesKey && isProduction())
      new Logger('WxOAuthModule').warn(PLAIN_MODE_WARNING);
  }

  /** @internal A login's interest in pushes: it answers whether the push was its own. */
  listen(listener: WxPushListener): void {
    this.listeners.push(listener);
  }

  /** The console's URL check (GET): the `echostr` to answer when the signature is WeChat's. */
  checkUrl(query: unknown): string {
    return this.verifier.checkUrl(query);
  }

  /** A POST from WeChat (Express's or Fastify's request), checked, decrypted and deduplicated. */
  async receive(req: object): Promise<WxPushMessage> {
    const { fields, encrypted } = await this.verifier.open(req);
    // A message has its MsgId; an event is its sender, time, kind and key (two scans can share a second).
    const id = [
      fields.FromUserName,
      fields.CreateTime,
      fields.MsgId ?? fields.Event,
      fields.EventKey,
    ]
      .map(String)
      .join(':');
    const duplicate = await this.verifier.isRetry(id);
    const handled = !duplicate && (await this.handled(fields));
    return { fields, duplicate, handled, encrypted };
  }

  private async handled(fields: WxPushFields): Promise<boolean> {
    for (const listener of this.listeners) if (await listener(fields)) return true;
    return false;
  }

  /**
   * What to answer a push: `success`, or a text message to the user who sent
   * it (a passive reply, e.g. "登录成功" to a follow login's scan), encrypted
   * when the push was. Answer within WeChat's 5 seconds.
   */
  reply(message: WxPushMessage, text?: string): string {
    if (text === undefined || message.duplicate) return 'success';
    const now = Math.floor(this.clock.now() / 1000);
    const xml = buildPushXml({
      ToUserName: String(message.fields.FromUserName ?? ''),
      FromUserName: String(message.fields.ToUserName ?? ''),
      CreateTime: now,
      MsgType: 'text',
      Content: text,
    });
    if (!message.encrypted || !this.cipher) return xml;
    const sealed = this.cipher.encrypt(xml);
    const nonce = randomBytes(8).toString('hex');
    const timestamp = String(now);
    return buildPushXml({
      Encrypt: sealed,
      MsgSignature: pushSignature([this.token(), timestamp, nonce, sealed]),
      TimeStamp: now,
      Nonce: nonce,
    });
  }

  private token(): string {
    const token = this.settings.messagePush?.token;
    if (!token)
      throw new WxOAuthError(
        'flow_unavailable',
        'WxPushReceiver needs the messagePush option (WX_MP_TOKEN): the Token of the account console',
      );
    return token;
  }
}

/** A login listening for pushes: true when the push was its own. */
export type WxPushListener = (fields: WxPushFields) => Promise<boolean>;
