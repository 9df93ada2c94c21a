import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import type { WxRegistration } from '../../apps/wx-registration.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import { clientAddressOf, type LoginRequest } from '../../http/login-request.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import { SingleUseCodes } from '../../state/single-use-codes.js';
import type { WxOAuthStore } from '../../store/wx-oauth-store.interface.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../../wx-oauth.constants.js';

/**
 * A state for a native app's login: the app puts it in the OpenSDK's
 * `SendAuthReq.state` and posts it back with WeChat's code.
 *
 * @publicApi
 */
export interface WxAppState {
  state: string;
  /** Seconds it can be spent in. */
  expiresIn: number;
}

/** What the store keeps of an issued state: its tenant, and the client slot it holds. */
interface IssuedState {
  tenant?: string;
  slot: string;
}

/**
 * The native apps' login states: one-time nonces the server issues
 * (`POST /auth/wechat/app/state` → `issue`) and the `'wechat-app'` strategy
 * spends before WeChat is called. WeChat hands the app its code through the
 * app's URL scheme, which any other app or web page can open too: without a
 * state the server issued, a code of the attacker's, injected that way, logs
 * the victim's app in as the attacker. The store keeps a digest of each state
 * for `appState.ttl`, so that any instance can spend it once; one client (IP
 * address) holds at most `appState.maxPerClient` unspent states, so that no
 * client can fill the store.
 *
 * @publicApi
 */
@Injectable()
export class WxAppStates {
  private readonly codes: SingleUseCodes;
  private readonly logger = new Logger('WxOAuthModule');
  private warnedFull = false;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    private readonly apps: WxOAuthApps,
  ) {
    this.codes = new SingleUseCodes(store, 'app-state');
  }

  /**
   * A new state for the native app asking in `req` (Express's or Fastify's
   * request), of its tenant with `tenants`. `flow_unavailable` (400) when the
   * site has no mobile or multi-end app; `rate_limited` (429) when the client
   * holds too many unspent states.
   */
  async issue(req: object): Promise<WxAppState> {
    const request = req as LoginRequest;
    const registration = await this.apps.forRequest(request);
    if (!registration.get('mobileApp') && !registration.get('multiEndApp'))
      throw new WxOAuthError(
        'flow_unavailable',
        `${registration.tenant === undefined ? 'This site' : `Tenant ${registration.tenant}`} has no WeChat mobile app or multi-end app registered (mobileApp / multiEndApp, or WX_MOBILE_APPID / WX_MULTIEND_APPID)`,
      );
    const { ttl } = this.settings.appState;
    const slot = await this.takeSlot(clientAddressOf(request));
    const state = this.codes.mint();
    const issued: IssuedState = { tenant: registration.tenant, slot };
    await this.codes.keep(state, JSON.stringify(issued), ttl);
    return { state, expiresIn: Math.floor(ttl / 1000) };
  }

  /**
   * Spends `state` for a login of `registration`, whatever the login's outcome:
   * `invalid_state` (401) for one that is missing, malformed, unknown, expired,
   * used, or another tenant's.
   *
   * @internal
   */
  async spend(state: string | undefined, registration: WxRegistration): Promise<void> {
    const refuse = (why: string) =>
      new WxOAuthError(
        'invalid_state',
        `The app's login state ${why}; get a new one and log in again`,
      );
    if (state === undefined) throw refuse('is missing');
    if (!this.codes.isCode(state)) throw refuse('is malformed');
    const { value, used } = await this.codes.redeem(state, this.settings.appState.ttl);
    if (used) throw refuse('was already used');
    if (value === undefined) throw refuse('is unknown, has expired or was not issued by this site');
    const issued = JSON.parse(value) as IssuedState;
    await this.store.delete(issued.slot);
    if (issued.tenant !== registration.tenant) throw refuse('was issued for another site');
  }

  /** The key of a free slot of the client's, taken until the state is spent or expires. */
  private async takeSlot(address: string): Promise<string> {
    const { ttl, maxPerClient } = this.settings.appState;
    const client = createHash('sha256').update(address).digest('base64url').slice(0, 22);
    for (let slot = 0; slot < maxPerClient; slot += 1) {
      const key = `app-state-client:${client}:${slot}`;
      if ((await this.store.claim(key, '1', ttl)) === undefined) return key;
    }
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        `A client holds appState.maxPerClient (${maxPerClient}) unspent app login states. Behind a proxy, every ` +
          "client has the proxy's address unless the app trusts it (Express's trust proxy, Fastify's trustProxy).",
      );
    }
    throw new WxOAuthError(
      'rate_limited',
      'Too many unfinished app logins from this address; finish one, or try again in a few minutes',
    );
  }
}
