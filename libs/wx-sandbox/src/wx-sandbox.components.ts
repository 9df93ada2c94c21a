import {
  SandboxComponentGrants,
  type SandboxAuthorizationCode,
} from './model/sandbox-component-grants.js';
import { SandboxComponentTickets } from './model/sandbox-component-tickets.js';
import { SandboxComponentTokens } from './model/sandbox-component-tokens.js';
import { withEventUrl, type WxSandboxComponentInfo } from './model/sandbox-components.js';
import type { SandboxClock } from './model/sandbox-clock.js';
import type { SandboxGrants } from './model/sandbox-grants.js';
import { pushComponentEvent, type PushContext } from './push/message-pusher.js';
import { componentEventXml, type ComponentEventFields } from './push/push-xml.js';
import type { WxSandboxComponentEvent } from './wx-sandbox.types.js';

/** The settings of the platforms' side of WeChat, from the options. */
export interface SandboxComponentsOptions {
  componentTicketTtlMs: number;
  preAuthCodeTtlMs: number;
}

/** Past this many, a platform's oldest events are forgotten (a timer pushes for ever). */
const MAX_EVENTS = 1000;

/**
 * WeChat's third-party platforms: their tickets (on a timer and on demand), tokens,
 * merchants' authorisations, and the pushes to each platform's authorisation-event URL.
 */
export class SandboxComponents {
  readonly tickets: SandboxComponentTickets;
  readonly tokens: SandboxComponentTokens;
  readonly grants: SandboxComponentGrants;
  private readonly platforms = new Map<string, WxSandboxComponentInfo>();
  private readonly events = new Map<string, WxSandboxComponentEvent[]>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    components: readonly WxSandboxComponentInfo[],
    private readonly clock: SandboxClock,
    options: SandboxComponentsOptions,
    /** The user grants, whose on-behalf logins a revocation ends. */
    private readonly userGrants: SandboxGrants,
    private readonly pushContext: () => PushContext,
  ) {
    this.tickets = new SandboxComponentTickets(clock, options.componentTicketTtlMs);
    this.tokens = new SandboxComponentTokens(clock);
    this.grants = new SandboxComponentGrants(clock, options.preAuthCodeTtlMs);
    for (const component of components) {
      this.platforms.set(component.appid, component);
      this.events.set(component.appid, []);
      if (component.ticketIntervalMs > 0) {
        const timer = setInterval(
          () => void this.pushTicket(component.appid),
          component.ticketIntervalMs,
        );
        // A platform's timer never keeps the process alive.
        timer.unref();
        this.timers.push(timer);
      }
    }
  }

  list(): WxSandboxComponentInfo[] {
    return [...this.platforms.values()];
  }

  get(componentAppid: string): WxSandboxComponentInfo | undefined {
    return this.platforms.get(componentAppid);
  }

  setEventUrl(componentAppid: string, eventUrl: string | undefined): void {
    const component = this.require(componentAppid);
    this.platforms.set(componentAppid, withEventUrl(component, eventUrl));
  }

  /** Mints the platform's next ticket and pushes it. */
  pushTicket(componentAppid: string): Promise<WxSandboxComponentEvent> {
    this.require(componentAppid);
    const ticket = this.tickets.mint(componentAppid);
    return this.push({
      componentAppid,
      createTime: this.seconds(),
      infoType: 'component_verify_ticket',
      ticket,
    });
  }

  /**
   * The merchant authorises the account (or authorises it again): answers the code for its
   * browser at once, and the `authorized` or `updateauthorized` push as it goes.
   */
  authorize(
    componentAppid: string,
    authorizerAppid: string,
    funcInfo: readonly number[],
    preAuthCode: string,
  ): { code: SandboxAuthorizationCode; event: Promise<WxSandboxComponentEvent> } {
    this.require(componentAppid);
    const code = this.grants.authorize(componentAppid, authorizerAppid, funcInfo);
    const event = this.push({
      componentAppid,
      createTime: this.seconds(),
      infoType: code.update ? 'updateauthorized' : 'authorized',
      authorizerAppid,
      authCode: code.authCode,
      authCodeExpiredTime: code.expiresAtSeconds,
      preAuthCode,
    });
    return { code, event };
  }

  /**
   * The merchant cancels the authorisation: the platform's authorizer tokens and the user
   * tokens of its on-behalf logins stop working, and it is told (`unauthorized`).
   * `undefined` when the account was not authorised to the platform.
   */
  revoke(
    componentAppid: string,
    authorizerAppid: string,
  ): Promise<WxSandboxComponentEvent> | undefined {
    this.require(componentAppid);
    if (!this.grants.revoke(componentAppid, authorizerAppid)) return undefined;
    this.userGrants.forgetComponentGrants(authorizerAppid, componentAppid);
    return this.push({
      componentAppid,
      createTime: this.seconds(),
      infoType: 'unauthorized',
      authorizerAppid,
    });
  }

  /** Every push to the platform so far, in order. */
  eventsOf(componentAppid: string): readonly WxSandboxComponentEvent[] {
    this.require(componentAppid);
    return [...(this.events.get(componentAppid) ?? [])];
  }

  /** An app that is gone is authorised to no platform (and nobody is told, as on WeChat). */
  forgetApp(appid: string): void {
    this.grants.forgetApp(appid);
    for (const componentAppid of this.platforms.keys())
      this.userGrants.forgetComponentGrants(appid, componentAppid);
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /** The platform; throws for an unknown appid. */
  require(componentAppid: string): WxSandboxComponentInfo {
    const component = this.platforms.get(componentAppid);
    if (!component) throw new Error(`WxSandbox: no component with appid '${componentAppid}'`);
    return component;
  }

  private seconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private async push(fields: ComponentEventFields): Promise<WxSandboxComponentEvent> {
    const component = this.require(fields.componentAppid);
    const base: WxSandboxComponentEvent = {
      infoType: fields.infoType,
      createTime: fields.createTime,
      ...('authorizerAppid' in fields ? { authorizerAppid: fields.authorizerAppid } : {}),
      attempts: [],
      answered: false,
    };
    const event =
      component.eventUrl === undefined
        ? base
        : {
            ...base,
            ...(await pushComponentEvent(
              {
                componentAppid: component.appid,
                url: component.eventUrl,
                token: component.token,
                encodingAesKey: component.encodingAesKey,
              },
              componentEventXml(fields),
              this.pushContext(),
            )),
          };
    const log = this.events.get(component.appid)!;
    log.push(event);
    if (log.length > MAX_EVENTS) log.shift();
    return event;
  }
}
