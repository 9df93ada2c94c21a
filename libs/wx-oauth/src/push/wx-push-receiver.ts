import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { nodeRequest } from '../http/login-request.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { isProduction } from '../utils/node-env.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { WxPushCipher } from './wx-push-cipher.js';
import { buildPushXml, parsePushXml, type WxPushFields } from './wx-push-message.js';
import { isPushSignature, pushSignature } from './wx-push-signature.js';

/** WeChat's pushes are a few hundred bytes; anything past this is not WeChat. */
const MAX_BODY_BYTES = 64 * 1024;
/** A push whose timestamp is further than this from now is stale (WeChat retries within seconds). */
const MAX_SKEW_MS = 5 * 60_000;
/** How long a signature, and an event, are remembered: past the skew window both ways. */
const SEEN_TTL_MS = 2 * MAX_SKEW_MS;
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
  private readonly listeners: WxPushListener[] = [];

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
  ) {
    const aesKey = settings.messagePush?.encodingAesKey;
    const account = apps.get('officialAccount');
    if (aesKey && account) this.cipher = new WxPushCipher(aesKey, account.appid);
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
    const { signature, timestamp, nonce, echostr } = readQuery(query);
    if (!echostr) throw malformed('echostr is missing');
    this.verify(signature, [timestamp, nonce]);
    return echostr;
  }

  /** A POST from WeChat (Express's or Fastify's request), checked, decrypted and deduplicated. */
  async receive(req: object): Promise<WxPushMessage> {
    const query = readQuery((req as { query?: unknown }).query);
    const body = await readBody(req);
    this.verify(query.signature, [query.timestamp, query.nonce]);
    let fields = parsePushXml(body);
    const encrypted = query.encrypt_type === 'aes';
    if (encrypted) {
      if (!this.cipher) throw refused('is encrypted, but messagePush has no encodingAesKey');
      const sealed = typeof fields.Encrypt === 'string' ? fields.Encrypt : '';
      this.verify(query.msg_signature, [query.timestamp, query.nonce, sealed]);
      fields = parsePushXml(this.cipher.decrypt(sealed));
    } else if (this.cipher) {
      throw refused('is not encrypted, but messagePush is in safe mode');
    }
    this.assertFresh(query.timestamp);
    await this.assertUnseen(query.msg_signature ?? query.signature);
    const duplicate = await this.isDuplicate(fields);
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

  private verify(signature: string | undefined, parts: (string | undefined)[]): void {
    if (!signature || parts.some((part) => part === undefined))
      throw refused('is not signed (signature, timestamp and nonce)');
    if (!isPushSignature(signature, [this.token(), ...(parts as string[])]))
      throw refused('has a wrong signature');
  }

  private assertFresh(timestamp: string | undefined): void {
    const sentAt = Number(timestamp) * 1000;
    if (!Number.isFinite(sentAt) || Math.abs(this.clock.now() - sentAt) > MAX_SKEW_MS)
      throw refused('is stale: its timestamp is more than 5 minutes from now');
  }

  /** A signature is WeChat's for one request: the same again is a replay. */
  private async assertUnseen(signature: string | undefined): Promise<void> {
    if (await this.store.claim(`${this.prefix()}:sig:${signature}`, '1', SEEN_TTL_MS))
      throw refused('was replayed');
  }

  /** WeChat retries a push it had no answer to with a new signature and the same fields. */
  private async isDuplicate(fields: WxPushFields): Promise<boolean> {
    // A message has its MsgId; an event is its sender, time, kind and key (two scans can share a second).
    const id = [
      fields.FromUserName,
      fields.CreateTime,
      fields.MsgId ?? fields.Event,
      fields.EventKey,
    ]
      .map(String)
      .join(':');
    return (await this.store.claim(`${this.prefix()}:event:${id}`, '1', SEEN_TTL_MS)) !== undefined;
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

  private prefix(): string {
    return `push:${this.apps.get('officialAccount')?.appid ?? ''}`;
  }
}

/** A login listening for pushes: true when the push was its own. */
export type WxPushListener = (fields: WxPushFields) => Promise<boolean>;

interface PushQuery {
  signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
  encrypt_type?: string;
  msg_signature?: string;
}

/** WeChat's query parameters, each a string of bounded length or left out. */
function readQuery(query: unknown): PushQuery {
  const out: Record<string, string> = {};
  if (query === null || typeof query !== 'object') return out;
  for (const name of [
    'signature',
    'timestamp',
    'nonce',
    'echostr',
    'encrypt_type',
    'msg_signature',
  ]) {
    const value = (query as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > 256) throw malformed(`${name} is malformed`);
    out[name] = value;
  }
  return out;
}

/**
 * The raw body: the text a body parser left (Fastify's content type parser,
 * Express's `text()`), else read from the request stream, which Nest's JSON
 * and form parsers leave unread for `text/xml`. At most 64 KB.
 */
async function readBody(req: object): Promise<string> {
  const { body } = req as { body?: unknown };
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (body.length > MAX_BODY_BYTES) throw malformed('the body is too large');
    return body.toString();
  }
  const stream: IncomingMessage = nodeRequest(req);
  if (stream.readableEnded)
    throw malformed('the body was consumed by another parser: let text/xml reach the route');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw malformed('the body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function refused(reason: string): WxOAuthError {
  return new WxOAuthError('invalid_push', `The push ${reason}`);
}

function malformed(reason: string): WxOAuthError {
  return new WxOAuthError('invalid_request', `The push is malformed: ${reason}`);
}
