import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { WxComponentClient } from '../client/wx-component.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { LeasedTokens, type FetchedToken } from '../store/leased-tokens.js';
import { readDated, saveNewest } from '../store/newest-wins.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { errorClassText } from '../utils/error-class.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';

/** A ticket lives 12 hours from its push. */
const TICKET_LIFE_MS = 12 * 60 * 60_000;
/** How often, at most, WeChat is asked to push a ticket (api_start_push_ticket), across instances. */
const ASK_INTERVAL_MS = 60_000;

/**
 * The third-party platform's own state, shared by every instance through the
 * store: the newest `component_verify_ticket` WeChat pushed (by its
 * CreateTime: a late retry of an older push never overwrites it), and the
 * platform's token (`api_component_token` with that ticket), fetched once
 * across instances and again once when WeChat refuses it. With no ticket yet,
 * WeChat is asked to push one (`api_start_push_ticket`, at most once a minute)
 * and the caller gets `component_unavailable` (503), saying what to check.
 *
 * @internal
 */
@Injectable()
export class WxComponentPlatform implements OnApplicationShutdown {
  /** The platform's client; undefined without the `component` option. */
  private readonly client?: WxComponentClient;
  private readonly tokens: LeasedTokens;
  private readonly logger = new Logger('WxOAuthModule');

  constructor(
    @Inject(WX_OAUTH_OPTIONS) settings: WxOAuthSettings,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
  ) {
    const { component, apiBaseUrl, mpBaseUrl, timeout, retry, axios } = settings;
    if (component)
      this.client = new WxComponentClient({
        appid: component.appid,
        secret: component.secret,
        apiBaseUrl,
        mpBaseUrl,
        timeout,
        retry,
        axios,
      });
    this.tokens = new LeasedTokens(store, clock, {
      // The lease outlives the WeChat call and its one retry.
      leaseMs: timeout * 2 + 1000,
      refreshMargin: settings.tokenRefreshMargin,
    });
  }

  /** The platform's appid, when the module has one. */
  get appid(): string | undefined {
    return this.client?.appid;
  }

  /** The platform's client; `flow_unavailable` without the `component` option. */
  registered(): WxComponentClient {
    if (!this.client)
      throw new WxOAuthError(
        'flow_unavailable',
        'This site has no third-party platform registered (component, or WX_COMPONENT_APPID / WX_COMPONENT_SECRET / WX_COMPONENT_TOKEN / WX_COMPONENT_AES_KEY)',
      );
    return this.client;
  }

  /** Keeps `ticket` unless a ticket pushed later is kept already; answers whether it did. */
  async saveTicket(ticket: string, createTime: number): Promise<boolean> {
    const ttlMs = createTime * 1000 + TICKET_LIFE_MS - this.clock.now();
    if (ttlMs <= 0) return false;
    const key = this.key('ticket');
    return saveNewest(this.store, this.clock, key, { value: ticket, at: createTime }, ttlMs);
  }

  /** Runs `call` with the platform's token, once more with a new one when WeChat refuses it. */
  withToken<T>(call: (componentToken: string) => Promise<T>): Promise<T> {
    const client = this.registered();
    return this.tokens.withToken(
      this.key('token'),
      () => this.fetchToken(client),
      "the platform's component_access_token",
      call,
    );
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  private async fetchToken(client: WxComponentClient): Promise<FetchedToken> {
    const ticket = await readDated(this.store, this.key('ticket'));
    if (!ticket) {
      await this.askForTicket(client);
      throw this.unavailable('has no component_verify_ticket yet');
    }
    try {
      const answer = await client.getComponentToken(ticket.value);
      return { token: answer.component_access_token, expiresIn: answer.expires_in };
    } catch (error) {
      if (!(error instanceof WxOAuthError) || error.kind !== 'component_unavailable') throw error;
      // WeChat calls the ticket expired or not its newest: ask for a new one now.
      await this.askForTicket(client);
      throw this.unavailable(`had its component_verify_ticket refused (${error.errcode})`);
    }
  }

  /** Asks WeChat to push a ticket, once a minute at most across instances; a failure is logged, not thrown. */
  private async askForTicket(client: WxComponentClient): Promise<void> {
    if (await this.store.claim(this.key('ticket-asked'), '1', ASK_INTERVAL_MS)) return;
    await client.startPushTicket().catch((error: unknown) => {
      const why =
        error instanceof WxOAuthError
          ? `${error.kind} ${error.errcode ?? ''}`
          : errorClassText(error);
      this.logger.warn(
        `The third-party platform ${client.appid}: api_start_push_ticket failed (${why.trim()})`,
      );
    });
  }

  private unavailable(what: string): WxOAuthError {
    const appid = this.appid!;
    return new WxOAuthError(
      'component_unavailable',
      `The third-party platform ${appid} ${what}: WeChat pushes one every 10 minutes to its authorisation-event URL ` +
        '(授权事件接收URL) and has been asked to push one now (api_start_push_ticket); try again in a minute. If none arrives, ' +
        "check that URL in the platform's console reaches WxComponentReceiver, and that its message Token and " +
        'EncodingAESKey are component.token and component.encodingAesKey (WX_COMPONENT_TOKEN, WX_COMPONENT_AES_KEY)',
    );
  }

  private key(what: string): string {
    return `component:${this.appid}:${what}`;
  }
}
