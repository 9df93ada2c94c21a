import type { WxSandboxMessagePush } from '../wx-sandbox.types.js';

/**
 * Validates `setMessagePush` as the console would, without echoing the token or key:
 * an absolute http(s) URL, a Token, and an EncodingAESKey of 43 base64 chars (32 bytes).
 */
export function checkMessagePush(push: WxSandboxMessagePush): WxSandboxMessagePush {
  if (!push || typeof push !== 'object') throw new Error('WxSandbox: message push needs settings');
  const url = typeof push.url === 'string' && URL.canParse(push.url) ? new URL(push.url) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hash) {
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
