import type { WxSandboxMessagePush } from '../wx-sandbox.types.js';

/**
 * Validates `setMessagePush` as the console would, without echoing the token or key:
 * an absolute http(s) URL, a Token, and an EncodingAESKey of 43 base64 chars (32 bytes).
 */
export function checkMessagePush(push: WxSandboxMessagePush): WxSandboxMessagePush {
  if (!push || typeof push !== 'object') throw new Error('WxSandbox: message push needs settings');
  if (!isPushUrl(push.url)) {
    throw new Error('WxSandbox: message push url must be an absolute http(s) URL');
  }
  if (typeof push.token !== 'string' || !push.token) {
    throw new Error('WxSandbox: message push needs a token');
  }
  const key = push.encodingAesKey;
  if (key !== undefined && (typeof key !== 'string' || !/^[A-Za-z0-9+/]{43}$/.test(key))) {
    throw new Error('WxSandbox: encodingAesKey must be 43 characters of base64');
  }
  return Object.freeze({
    url: push.url,
    token: push.token,
    ...(key === undefined ? {} : { encodingAesKey: key }),
  });
}

/** A setting of the message push, as the console's form names it. */
export type MessagePushField = keyof WxSandboxMessagePush;

/** What the console refuses, and which field; the message never holds the value. */
export interface MessagePushProblem {
  field: MessagePushField;
  message: string;
}

/**
 * The console's own rules (服务器配置), stricter than `setMessagePush`'s, which the command
 * and the console page apply: the Token 3 to 32 letters and digits, the EncodingAESKey 43,
 * as WeChat's form and nest-wx-oauth's `messagePush` take them.
 */
export function consoleMessagePushProblem(
  push: WxSandboxMessagePush,
): MessagePushProblem | undefined {
  if (!isPushUrl(push.url)) {
    return { field: 'url', message: 'must be an absolute http(s) URL, without a fragment' };
  }
  if (!/^[A-Za-z0-9]{3,32}$/.test(push.token)) {
    return { field: 'token', message: 'must be 3 to 32 letters and digits' };
  }
  const key = push.encodingAesKey;
  if (key !== undefined && !/^[A-Za-z0-9]{43}$/.test(key)) {
    return { field: 'encodingAesKey', message: 'must be 43 letters and digits' };
  }
  return undefined;
}

function isPushUrl(value: unknown): boolean {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  return !!url && (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash;
}
