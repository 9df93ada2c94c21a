import { randomDigits } from '../model/random-strings.js';
import type {
  WxSandboxMessagePush,
  WxSandboxPushAttempt,
  WxSandboxPushResult,
} from '../wx-sandbox.types.js';
import { decryptMessage, encryptMessage } from './push-crypto.js';
import { sendPush, type PushAnswer } from './push-request.js';
import { pushSignature } from './push-signature.js';
import { componentEnvelopeXml, encryptedXml, xmlField } from './push-xml.js';

/** WeChat tries an event this many times in all before it gives up. */
export const PUSH_ATTEMPTS = 3;

/** Where and how an official account receives its pushes. */
export interface PushTarget {
  appid: string;
  originalId: string;
  settings: WxSandboxMessagePush;
}

export interface PushContext {
  timeoutMs: number;
  /** The sandbox clock, for `timestamp`. */
  now(): number;
  signal: AbortSignal;
}

/** How the app took a push: the part of `WxSandboxPushResult` the delivery decides. */
export type PushOutcome = Pick<
  WxSandboxPushResult,
  'attempts' | 'answered' | 'replyBody' | 'reply' | 'replyValid'
>;

/**
 * Pushes one message as WeChat does: signed in the query, encrypted in safe mode, and
 * tried again (with a new timestamp, nonce and signature, the same XML) while the app
 * does not answer 2xx in time, up to three attempts in all.
 */
export async function pushMessage(
  target: PushTarget,
  openid: string,
  xml: string,
  context: PushContext,
): Promise<PushOutcome> {
  return deliver(
    (nowMs) => signedMessage(target, openid, xml, nowMs),
    (body) => readReply(target, openid, body),
    context,
  );
}

/**
 * Where and how a third-party platform receives its authorisation events: always in safe
 * mode, with the platform's Token and key, and its appid at the end of the plaintext.
 */
export interface ComponentPushTarget {
  componentAppid: string;
  url: string;
  token: string;
  encodingAesKey: string;
}

/**
 * Pushes one authorisation event (a ticket, `authorized`, ...) to the platform as WeChat
 * does: `<xml><AppId/><Encrypt/></xml>` signed in the query, tried again as a message push
 * is. WeChat wants `success` back, in the clear.
 */
export async function pushComponentEvent(
  target: ComponentPushTarget,
  xml: string,
  context: PushContext,
): Promise<PushOutcome> {
  return deliver(
    (nowMs) => {
      const { timestamp, nonce } = stamp(nowMs);
      const encrypt = encryptMessage(xml, target.componentAppid, target.encodingAesKey);
      const query: Array<[string, string]> = [
        ['signature', pushSignature([target.token, timestamp, nonce])],
        ['timestamp', timestamp],
        ['nonce', nonce],
        ['encrypt_type', 'aes'],
        ['msg_signature', pushSignature([target.token, timestamp, nonce, encrypt])],
      ];
      return {
        url: withQuery(target.url, query),
        body: componentEnvelopeXml(target.componentAppid, encrypt),
      };
    },
    (body) => ({ replyBody: body, replyValid: body.trim() === 'success' }),
    context,
  );
}

/**
 * Sends a push until the app answers 2xx in time, up to three attempts in all, each one
 * signed afresh by `attempt`; `read` judges the answer's body.
 */
async function deliver(
  attempt: (nowMs: number) => { url: string; body: string },
  read: (body: string) => Pick<PushOutcome, 'replyBody' | 'reply' | 'replyValid'>,
  context: PushContext,
): Promise<PushOutcome> {
  const attempts: WxSandboxPushAttempt[] = [];
  while (attempts.length < PUSH_ATTEMPTS && !context.signal.aborted) {
    const started = performance.now();
    const answer = await sendPush({
      method: 'POST',
      ...attempt(context.now()),
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });
    attempts.push({
      status: typeof answer === 'string' ? answer : answer.status,
      ms: Math.round(performance.now() - started),
    });
    if (isAnswered(answer)) return { attempts, answered: true, ...read(answer.body) };
  }
  return { attempts, answered: false };
}

/**
 * How the console's URL check went: passed, or why not (no answer in time, no connection,
 * an HTTP status other than 2xx, or a 2xx that was not the `echostr`).
 */
export type PushUrlCheck =
  | { passed: true }
  | { passed: false; reason: 'timeout' | 'error' | 'echostr' }
  | { passed: false; reason: 'status'; status: number };

/** The console's URL check: a signed GET whose `echostr` the app must echo verbatim. */
export async function checkPushUrl(
  target: PushTarget,
  context: PushContext,
): Promise<PushUrlCheck> {
  const { timestamp, nonce } = stamp(context.now());
  const echostr = randomDigits(19);
  const url = withQuery(target.settings.url, [
    ['signature', pushSignature([target.settings.token, timestamp, nonce])],
    ['echostr', echostr],
    ['timestamp', timestamp],
    ['nonce', nonce],
  ]);
  const answer = await sendPush({
    method: 'GET',
    url,
    timeoutMs: context.timeoutMs,
    signal: context.signal,
  });
  if (typeof answer === 'string') return { passed: false, reason: answer };
  if (answer.status < 200 || answer.status >= 300) {
    return { passed: false, reason: 'status', status: answer.status };
  }
  return answer.body === echostr ? { passed: true } : { passed: false, reason: 'echostr' };
}

function isAnswered(answer: PushAnswer): answer is { status: number; body: string } {
  return typeof answer !== 'string' && answer.status >= 200 && answer.status < 300;
}

function stamp(nowMs: number): { timestamp: string; nonce: string } {
  return { timestamp: String(Math.floor(nowMs / 1000)), nonce: randomDigits(10) };
}

/** The URL and body of one attempt, signed afresh. */
function signedMessage(
  { appid, originalId, settings }: PushTarget,
  openid: string,
  xml: string,
  nowMs: number,
): { url: string; body: string } {
  const { timestamp, nonce } = stamp(nowMs);
  const query: Array<[string, string]> = [
    ['signature', pushSignature([settings.token, timestamp, nonce])],
    ['timestamp', timestamp],
    ['nonce', nonce],
    ['openid', openid],
  ];
  if (settings.encodingAesKey === undefined) {
    return { url: withQuery(settings.url, query), body: xml };
  }
  const encrypt = encryptMessage(xml, appid, settings.encodingAesKey);
  query.push(
    ['encrypt_type', 'aes'],
    ['msg_signature', pushSignature([settings.token, timestamp, nonce, encrypt])],
  );
  return { url: withQuery(settings.url, query), body: encryptedXml(originalId, encrypt) };
}

/**
 * What WeChat makes of a 2xx body: `success` or nothing is an acknowledgement; anything
 * else must be a reply message to this user from this account, which in safe mode comes
 * encrypted with a valid `MsgSignature` and this appid inside.
 */
function readReply(
  { appid, originalId, settings }: PushTarget,
  openid: string,
  body: string,
): Pick<PushOutcome, 'replyBody' | 'reply' | 'replyValid'> {
  const text = body.trim();
  if (text === '' || text === 'success') return { replyBody: body, replyValid: true };
  let xml = body;
  const key = settings.encodingAesKey;
  if (key !== undefined) {
    const encrypt = xmlField(body, 'Encrypt');
    if (encrypt === undefined) return { replyBody: body, ...messageOf(body), replyValid: false };
    const parts = [
      settings.token,
      xmlField(body, 'TimeStamp') ?? '',
      xmlField(body, 'Nonce') ?? '',
    ];
    const signed = xmlField(body, 'MsgSignature') === pushSignature([...parts, encrypt]);
    const inner = decryptMessage(encrypt, key);
    if (!inner) return { replyBody: body, replyValid: false };
    xml = inner.xml;
    if (!signed || inner.appid !== appid) {
      return { replyBody: xml, ...messageOf(xml), replyValid: false };
    }
  }
  const message = messageOf(xml);
  const addressed =
    xmlField(xml, 'ToUserName') === openid && xmlField(xml, 'FromUserName') === originalId;
  return { replyBody: xml, ...message, replyValid: message.reply !== undefined && addressed };
}

function messageOf(xml: string): { reply?: WxSandboxPushResult['reply'] } {
  const msgType = xmlField(xml, 'MsgType');
  if (msgType === undefined) return {};
  const content = xmlField(xml, 'Content');
  return { reply: content === undefined ? { msgType } : { msgType, content } };
}

/** `url` with the parameters appended, after any query of its own (settings have no fragment). */
function withQuery(url: string, params: Array<[string, string]>): string {
  const joiner = !url.includes('?') ? '?' : /[?&]$/.test(url) ? '' : '&';
  return `${url}${joiner}${new URLSearchParams(params)}`;
}
