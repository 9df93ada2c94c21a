import { Inject, Injectable } from '@nestjs/common';
import { WxAuthorizers } from '../component/wx-authorizers.js';
import { WxComponentPlatform } from '../component/wx-component-platform.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import { WxPushCipher } from './wx-push-cipher.js';
import type { WxPushFields } from './wx-push-message.js';
import { WxPushVerifier } from './wx-push-verifier.js';

/**
 * WeChat's `InfoType`s the module acts on: `component_verify_ticket` (kept by
 * the module), `authorized`, `updateauthorized` (a merchant authorised the
 * platform, or changed what it granted), `unauthorized` (a merchant revoked
 * it: the module refuses it from then on).
 *
 * @publicApi
 */
export type WxComponentInfoType =
  'component_verify_ticket' | 'authorized' | 'updateauthorized' | 'unauthorized';

/**
 * What the third-party platform's authorisation-event URL received, once
 * verified; the module has done its part before the app sees it. It holds no
 * ticket or code to log: `authorizationCode` is read by name only (kept out
 * of `JSON.stringify` and `console.log`).
 *
 * @publicApi
 */
export interface WxComponentEvent {
  /** WeChat's `InfoType`: one the module knows, or another WeChat added (its other pushes), as it came. */
  infoType: WxComponentInfoType | (string & {});
  /** When WeChat sent it, in seconds. */
  createTime: number;
  /** The merchant's account (`AuthorizerAppid`): always there for `authorized`, `updateauthorized` and `unauthorized`; none for a ticket. */
  authorizerAppid?: string;
  /** `authorized` / `updateauthorized`: the code `WxComponent.completeAuthorization` takes, as the return route's `auth_code`. */
  authorizationCode?: string;
  /** WeChat's retry of an event already handed over (it had no answer in time): handled the first time. */
  duplicate: boolean;
  /** WeChat's fields as it named them, the ticket and the codes (`AuthorizationCode`, `PreAuthCode`) left out. */
  fields: WxPushFields;
}

/** The events that say a merchant's account is authorised again. */
const AUTHORIZED = ['authorized', 'updateauthorized'];
/** The events about one merchant's authorisation: WeChat always names its account. */
const MERCHANT_EVENTS = [...AUTHORIZED, 'unauthorized'];

/**
 * The third-party platform's authorisation-event URL (授权事件接收URL), for
 * the app's own controller: `receive` checks a POST as `WxPushReceiver` does
 * (signature in constant time, freshness, replay, size, no DOCTYPE), always
 * encrypted with the platform's key and its appid at the plaintext's end;
 * keeps a `component_verify_ticket` in the store, newest wins (no other event
 * touches it); records `unauthorized` so that every instance refuses the
 * merchant (`authorized` and `updateauthorized` lift that); and hands the event
 * to the app. Answer `success`. A push that fails a check is a 401 (400 when
 * malformed), and changes nothing.
 *
 * @publicApi
 */
@Injectable()
export class WxComponentReceiver {
  private readonly verifier?: WxPushVerifier;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) settings: WxOAuthSettings,
    private readonly platform: WxComponentPlatform,
    private readonly authorizers: WxAuthorizers,
    @Inject(WX_OAUTH_STORE) store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) clock: WxClock,
  ) {
    const { component } = settings;
    if (component)
      this.verifier = new WxPushVerifier({
        token: () => component.token,
        // The platform's pushes are always encrypted: a plain one is refused.
        cipher: new WxPushCipher(component.encodingAesKey, component.appid),
        noKey: 'the platform has no encodingAesKey',
        safeMode: "the platform's pushes are always encrypted",
        prefix: `component:${component.appid}:push`,
        store,
        clock,
      });
  }

  /** A POST from WeChat (Express's or Fastify's request, its XML body unread or as text): checked, decrypted, acted on. */
  async receive(req: object): Promise<WxComponentEvent> {
    this.platform.registered();
    const { fields } = await this.verifier!.open(req);
    const {
      ComponentVerifyTicket: ticket,
      AuthorizationCode: authorizationCode,
      PreAuthCode: _preAuthCode,
      ...rest
    } = fields;
    const infoType = text(fields.InfoType);
    const createTime = Number(fields.CreateTime);
    if (infoType === undefined || !Number.isSafeInteger(createTime))
      throw new WxOAuthError('invalid_request', 'The push has no InfoType or CreateTime');
    const authorizerAppid = text(fields.AuthorizerAppid);
    if (authorizerAppid === undefined && MERCHANT_EVENTS.includes(infoType))
      throw new WxOAuthError('invalid_request', `The ${infoType} push has no AuthorizerAppid`);
    const duplicate = await this.verifier!.isRetry(
      [infoType, authorizerAppid, createTime].map(String).join(':'),
    );
    if (infoType === 'component_verify_ticket') {
      const value = text(ticket);
      if (value === undefined)
        throw new WxOAuthError('invalid_request', 'The push has no ComponentVerifyTicket');
      await this.platform.saveTicket(value, createTime);
    } else if (authorizerAppid !== undefined) {
      if (infoType === 'unauthorized') await this.authorizers.revoke(authorizerAppid, createTime);
      else if (AUTHORIZED.includes(infoType))
        await this.authorizers.restore(authorizerAppid, createTime);
    }
    const event: WxComponentEvent = {
      infoType,
      createTime,
      authorizerAppid,
      duplicate,
      fields: rest,
    };
    // The code is the app's to read, not to log with the event.
    Object.defineProperty(event, 'authorizationCode', {
      value: text(authorizationCode),
      enumerable: false,
    });
    return event;
  }
}

/** A field's text, if it has one. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
