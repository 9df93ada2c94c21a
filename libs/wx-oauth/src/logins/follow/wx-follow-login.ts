import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { WxAppTokenService } from '../../tokens/wx-app-token.service.js';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import type { WXOAuth } from '../../client/wx-oauth.client.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import { nodeRequest, nodeResponse } from '../../http/login-request.js';
import { followProfile, type WxFollowProfile } from '../../profile/wx-profile.js';
import type { WxPushFields } from '../../push/wx-push-message.js';
import { WxPushReceiver } from '../../push/wx-push-receiver.js';
import { appendCookie, readCookie } from '../../http/cookies.js';
import { SingleUseCodes } from '../../state/single-use-codes.js';
import { WxStateStore } from '../../state/wx-state.store.js';
import type { WxOAuthStore } from '../../store/wx-oauth-store.interface.js';
import type { WxClock } from '../../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';

/** The QR code a follow login shows. */
export interface WxFollowQrCode {
  /** WeChat's image of the code (`showqrcode?ticket=`), for an `<img>`. */
  imageUrl: string;
  /** The text the code encodes, for a page that renders the code itself. */
  url: string;
  /** Seconds until the code, and the login, expire. */
  expiresIn: number;
}

/** Where a follow login stands, for the page that shows its code. */
export type WxFollowStatus = 'pending' | 'scanned' | 'expired';

const COOKIE = 'wx_follow';
/** Scenes of login codes start with this, so that the account's other parametric codes are left to the app. */
const SCENE_PREFIX = 'wxlogin_';
/** What WeChat puts before the scene in a new follower's `subscribe` event. */
const NEW_FOLLOWER_PREFIX = 'qrscene_';

interface FollowRecord {
  appid: string;
  ticket: string;
  expiresAt: number;
}

/**
 * The follow-to-log-in QR login (扫码关注公众号登录), for a site with a
 * verified service account and no website app: `start` shows the account's
 * temporary QR code, bound to this browser by a signed `HttpOnly` cookie; the
 * scan reaches the app as a message push (`WxPushReceiver` hands it to
 * `recordScan`, on any instance sharing the store); the page polls `status`
 * and then opens the route guarded by `WxAuthGuard` with `@WxFollowLoginRoute()`,
 * where the strategy `complete`s the login once. The scene is random and
 * single-use, and only the browser holding the cookie can complete it: a
 * ticket or image URL seen by someone else logs nobody in.
 *
 * @publicApi
 */
@Injectable()
export class WxFollowLogin implements OnModuleInit {
  private readonly scenes: SingleUseCodes;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly apps: WxOAuthApps,
    private readonly appTokens: WxAppTokenService,
    private readonly states: WxStateStore,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
    private readonly push: WxPushReceiver,
  ) {
    this.scenes = new SingleUseCodes(store, 'follow');
  }

  /** The scans of login codes reach this login through the account's message push. */
  onModuleInit(): void {
    this.push.listen((fields) => this.recordScan(fields));
  }

  /** Creates the QR code for this browser and sets its cookie on `res` (Express's or Fastify's). */
  async start(res: object): Promise<WxFollowQrCode> {
    const account = this.account();
    const scene = this.scenes.mint();
    const ttlMs = this.settings.followLoginTtl;
    const qr = await this.appTokens.withToken(account.appid, (token) =>
      account.createQrCode(token, SCENE_PREFIX + scene, Math.ceil(ttlMs / 1000)),
    );
    const expiresAt = this.clock.now() + ttlMs;
    const record: FollowRecord = { appid: account.appid, ticket: qr.ticket, expiresAt };
    await this.scenes.keep(scene, JSON.stringify(record), ttlMs);
    appendCookie(nodeResponse(res), COOKIE, this.states.seal(COOKIE, `${scene}.${expiresAt}`), {
      maxAgeSeconds: Math.ceil(ttlMs / 1000),
      secure: this.secure(),
    });
    return {
      imageUrl: `${this.settings.mpBaseUrl}/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`,
      url: qr.url,
      expiresIn: Math.ceil(ttlMs / 1000),
    };
  }

  /** Where this browser's follow login stands: `expired` without a valid cookie. */
  async status(req: object): Promise<WxFollowStatus> {
    const scene = this.sceneOf(req);
    if (!scene) return 'expired';
    const [record, scan] = await Promise.all([
      this.scenes.peek(scene),
      this.store.get(this.scanKey(scene)),
    ]);
    if (scan) return 'scanned';
    return record ? 'pending' : 'expired';
  }

  /**
   * Records the scan a push brings (`subscribe` with `qrscene_<scene>`, or
   * `SCAN` with `<scene>`), for a live login code of this account whose ticket
   * it carries. Answers whether it was a login scan; the first scan wins.
   */
  async recordScan(fields: WxPushFields): Promise<boolean> {
    const scene = loginSceneOf(fields);
    if (!scene || typeof fields.FromUserName !== 'string') return false;
    const json = await this.scenes.peek(scene);
    if (!json) return false;
    const record = JSON.parse(json) as FollowRecord;
    const ttlMs = record.expiresAt - this.clock.now();
    if (record.ticket !== fields.Ticket || ttlMs <= 0) return false;
    await this.store.claim(this.scanKey(scene), fields.FromUserName, ttlMs);
    return true;
  }

  /**
   * Completes this browser's scanned login, once: the follower's profile
   * (openid, and unionid when the account is bound to an Open Platform
   * account), its cookie expired. `invalid_state` (401) otherwise.
   */
  async complete(req: object, res: object): Promise<WxFollowProfile> {
    const fail = (reason: string) =>
      new WxOAuthError('invalid_state', `The follow login ${reason}; please scan a new code`);
    const scene = this.sceneOf(req);
    if (!scene) throw fail('is missing, expired or was started in another browser');
    const openid = await this.store.get(this.scanKey(scene));
    if (!openid) throw fail('has not been scanned, or has expired');
    const { value: recordJson, used } = await this.scenes.redeem(
      scene,
      this.settings.followLoginTtl,
    );
    if (used) throw fail('was already used');
    if (!recordJson) throw fail('has expired');
    appendCookie(nodeResponse(res), COOKIE, '', { maxAgeSeconds: 0, secure: this.secure() });
    const { appid } = JSON.parse(recordJson) as FollowRecord;
    const account = this.account();
    const follower = await this.appTokens.withToken(appid, (token) =>
      account.getFollower(token, openid),
    );
    return followProfile(follower, this.settings.idField, appid, openid);
  }

  /** The official account: the follow login's app. */
  private account(): WXOAuth {
    const account = this.apps.get('officialAccount');
    if (!account || !this.settings.messagePush)
      throw new WxOAuthError(
        'flow_unavailable',
        'The follow login needs the official account and its message push (officialAccount, messagePush)',
      );
    return account;
  }

  private secure(): boolean {
    return this.settings.callbackURL?.startsWith('https:') === true;
  }

  /** Where a scene's first scan keeps the follower's openid. */
  private scanKey(scene: string): string {
    return `${this.scenes.keyOf(scene)}:scan`;
  }

  /** This browser's live scene, from its signed cookie. */
  private sceneOf(req: object): string | undefined {
    const value = this.states.unseal(COOKIE, readCookie(nodeRequest(req), COOKIE));
    const [scene, expiresAt] = value?.split('.') ?? [];
    return scene && Number(expiresAt) > this.clock.now() ? scene : undefined;
  }
}

/** The scene of a login code's scan event, without WeChat's prefix for a new follower. */
function loginSceneOf(fields: WxPushFields): string | undefined {
  if (fields.MsgType !== 'event' || typeof fields.EventKey !== 'string') return undefined;
  const key =
    fields.Event === 'subscribe' && fields.EventKey.startsWith(NEW_FOLLOWER_PREFIX)
      ? fields.EventKey.slice(NEW_FOLLOWER_PREFIX.length)
      : fields.Event === 'SCAN'
        ? fields.EventKey
        : undefined;
  return key?.startsWith(SCENE_PREFIX) ? key.slice(SCENE_PREFIX.length) : undefined;
}
