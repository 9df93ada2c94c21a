import type { IncomingMessage } from 'node:http';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { nodeRequest } from '../http/login-request.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import type { WxPushCipher } from './wx-push-cipher.js';
import { parsePushXml, type WxPushFields } from './wx-push-message.js';
import { isPushSignature } from './wx-push-signature.js';

/** WeChat's pushes are a few hundred bytes; anything past this is not WeChat. */
const MAX_BODY_BYTES = 64 * 1024;
/** A push whose timestamp is further than this from now is stale (WeChat retries within seconds). */
const MAX_SKEW_MS = 5 * 60_000;
/** How long a signature, and an event, are remembered: past the skew window both ways. */
const SEEN_TTL_MS = 2 * MAX_SKEW_MS;

export interface WxPushVerifierOptions {
  /** The console's Token; read at each push, so that a missing one fails the push, not the start-up. */
  token: () => string;
  /** Safe mode's cipher (the EncodingAESKey and the appid at the plaintext's end); none in plain mode. */
  cipher?: WxPushCipher;
  /** What the missing key is, for a push that came encrypted with no cipher: "messagePush has no encodingAesKey". */
  noKey: string;
  /** Why a plain push is refused where a cipher is set: "messagePush is in safe mode". */
  safeMode: string;
  /** Where the replay and retry records go, under the store: `push:<appid>`. */
  prefix: string;
  store: WxOAuthStore;
  clock: WxClock;
}

/** A push that passed every check, its fields decrypted. */
export interface WxVerifiedPush {
  fields: WxPushFields;
  /** Whether it came encrypted (safe mode). */
  encrypted: boolean;
}

/**
 * What every WeChat push to an app is checked by, before anything reads it:
 * its size (64 KB), its signature with the console's Token (in constant time;
 * in safe mode also `msg_signature` over the ciphertext), decryption (the
 * appid at the plaintext's end must be the receiver's), its XML (a DOCTYPE
 * refused unread), its timestamp within 5 minutes, and its signature never
 * seen before across instances. A push that fails is `invalid_push` (401), or
 * `invalid_request` (400) when malformed, and changes nothing. The official
 * account's push (`WxPushReceiver`) and the third-party platform's
 * (`WxComponentReceiver`) each have one.
 */
export class WxPushVerifier {
  constructor(private readonly options: WxPushVerifierOptions) {}

  /** The console's URL check (GET): the `echostr` to answer when the signature is WeChat's. */
  checkUrl(query: unknown): string {
    const { signature, timestamp, nonce, echostr } = readQuery(query);
    if (!echostr) throw malformed('echostr is missing');
    this.verify(signature, [timestamp, nonce]);
    return echostr;
  }

  /** A POST from WeChat (Express's or Fastify's request), checked and decrypted. */
  async open(req: object): Promise<WxVerifiedPush> {
    const query = readQuery((req as { query?: unknown }).query);
    const body = await readBody(req);
    this.verify(query.signature, [query.timestamp, query.nonce]);
    let fields = parsePushXml(body);
    const encrypted = query.encrypt_type === 'aes';
    const { cipher } = this.options;
    if (encrypted) {
      if (!cipher) throw refused(`is encrypted, but ${this.options.noKey}`);
      const sealed = typeof fields.Encrypt === 'string' ? fields.Encrypt : '';
      this.verify(query.msg_signature, [query.timestamp, query.nonce, sealed]);
      fields = parsePushXml(cipher.decrypt(sealed));
    } else if (cipher) {
      throw refused(`is not encrypted, but ${this.options.safeMode}`);
    }
    this.assertFresh(query.timestamp);
    await this.assertUnseen(query.msg_signature ?? query.signature);
    return { fields, encrypted };
  }

  /**
   * Whether WeChat sent the event `id` already: it retries a push it had no
   * answer to with a new signature and the same fields.
   */
  async isRetry(id: string): Promise<boolean> {
    const key = `${this.options.prefix}:event:${id}`;
    return (await this.options.store.claim(key, '1', SEEN_TTL_MS)) !== undefined;
  }

  private verify(signature: string | undefined, parts: (string | undefined)[]): void {
    if (!signature || parts.some((part) => part === undefined))
      throw refused('is not signed (signature, timestamp and nonce)');
    if (!isPushSignature(signature, [this.options.token(), ...(parts as string[])]))
      throw refused('has a wrong signature');
  }

  private assertFresh(timestamp: string | undefined): void {
    const sentAt = Number(timestamp) * 1000;
    if (!Number.isFinite(sentAt) || Math.abs(this.options.clock.now() - sentAt) > MAX_SKEW_MS)
      throw refused('is stale: its timestamp is more than 5 minutes from now');
  }

  /** A signature is WeChat's for one request: the same again is a replay. */
  private async assertUnseen(signature: string | undefined): Promise<void> {
    const key = `${this.options.prefix}:sig:${signature}`;
    if (await this.options.store.claim(key, '1', SEEN_TTL_MS)) throw refused('was replayed');
  }
}

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
