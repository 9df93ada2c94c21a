import type { SandboxClock } from './sandbox-clock.js';
import { randomAlnum, randomToken } from './random-strings.js';
import { APP_TOKEN_TTL_SECONDS } from './sandbox-app-tokens.js';

/** A merchant's account authorised to a platform, with the tokens the platform holds for it. */
export interface SandboxAuthorization {
  readonly componentAppid: string;
  readonly authorizerAppid: string;
  /** The permission sets granted (func_info ids), e.g. 4 for web pages (网页服务). */
  readonly funcInfo: readonly number[];
  accessToken: string;
  accessExpiresAt: number;
  /** The only way back to an access token; new at each authorisation. */
  readonly refreshToken: string;
}

interface PreAuthCode {
  readonly componentAppid: string;
  readonly expiresAt: number;
  used: boolean;
}

interface AuthCode {
  readonly componentAppid: string;
  readonly authorizerAppid: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

/** What an authorisation gives the merchant's browser (and the `authorized` event). */
export interface SandboxAuthorizationCode {
  authorization: SandboxAuthorization;
  authCode: string;
  /** Seconds. */
  expiresIn: number;
  /** Unix seconds, the event's `AuthorizationCodeExpiredTime`. */
  expiresAtSeconds: number;
  /** Whether the account was already authorised to the platform (`updateauthorized`). */
  update: boolean;
}

/** WeChat's `pre_auth_code` lives 1800 s. */
export const PRE_AUTH_CODE_TTL_MS = 1800 * 1000;
/** The `auth_code` a merchant's browser brings back lives an hour. */
export const AUTH_CODE_TTL_SECONDS = 3600;

/** Bounds memory: past this many codes the oldest are forgotten. */
const MAX_CODES = 10_000;

const key = (componentAppid: string, authorizerAppid: string): string =>
  `${componentAppid}\n${authorizerAppid}`;

/**
 * The platforms' onboarding: pre-auth codes (single use), authorisation codes, and the
 * authorisation of each (platform, merchant account) with its authorizer tokens.
 */
export class SandboxComponentGrants {
  private readonly preAuthCodes = new Map<string, PreAuthCode>();
  private readonly authCodes = new Map<string, AuthCode>();
  private readonly authorizations = new Map<string, SandboxAuthorization>();
  private readonly byAccessToken = new Map<string, SandboxAuthorization>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly preAuthCodeTtlMs: number,
  ) {}

  createPreAuthCode(componentAppid: string): { code: string; expiresIn: number } {
    const code = `preauthcode@@@${randomAlnum(48)}`;
    this.preAuthCodes.set(code, {
      componentAppid,
      expiresAt: this.clock.now() + this.preAuthCodeTtlMs,
      used: false,
    });
    trim(this.preAuthCodes);
    return { code, expiresIn: Math.round(this.preAuthCodeTtlMs / 1000) };
  }

  /** Whether the platform's pre-auth code can still be used; `use` spends it. */
  preAuthCode(
    code: string,
    componentAppid: string,
    use: boolean,
  ): 'ok' | 'invalid' | 'expired' | 'used' {
    const entry = this.preAuthCodes.get(code);
    if (!entry || entry.componentAppid !== componentAppid) return 'invalid';
    if (entry.used) return 'used';
    if (this.clock.now() >= entry.expiresAt) return 'expired';
    if (use) entry.used = true;
    return 'ok';
  }

  /**
   * The merchant authorises the account to the platform (again: an update), with new tokens
   * that replace any before; answers the code its browser brings back.
   */
  authorize(
    componentAppid: string,
    authorizerAppid: string,
    funcInfo: readonly number[],
  ): SandboxAuthorizationCode {
    const previous = this.authorizations.get(key(componentAppid, authorizerAppid));
    if (previous) this.byAccessToken.delete(previous.accessToken);
    const now = this.clock.now();
    const authorization: SandboxAuthorization = {
      componentAppid,
      authorizerAppid,
      funcInfo: Object.freeze([...funcInfo]),
      accessToken: randomToken(),
      accessExpiresAt: now + APP_TOKEN_TTL_SECONDS * 1000,
      refreshToken: `refreshtoken@@@${randomToken()}`,
    };
    this.authorizations.set(key(componentAppid, authorizerAppid), authorization);
    this.byAccessToken.set(authorization.accessToken, authorization);
    const authCode = `queryauthcode@@@${randomToken()}`;
    const expiresAt = now + AUTH_CODE_TTL_SECONDS * 1000;
    this.authCodes.set(authCode, {
      componentAppid,
      authorizerAppid,
      refreshToken: authorization.refreshToken,
      expiresAt,
    });
    trim(this.authCodes);
    return {
      authorization,
      authCode,
      expiresIn: AUTH_CODE_TTL_SECONDS,
      expiresAtSeconds: Math.floor(expiresAt / 1000),
      update: previous !== undefined,
    };
  }

  /**
   * `api_query_auth`: the authorisation the code was issued for, with its current tokens,
   * through the code's life. 61009 for an unknown code or another platform's, 61010 once
   * expired, 61003 when the merchant has revoked (or re-authorised) since.
   */
  queryAuth(
    componentAppid: string,
    authCode: string,
  ): SandboxAuthorization | 61003 | 61009 | 61010 {
    const entry = this.authCodes.get(authCode);
    if (!entry || entry.componentAppid !== componentAppid) return 61009;
    if (this.clock.now() >= entry.expiresAt) return 61010;
    const authorization = this.authorizations.get(key(componentAppid, entry.authorizerAppid));
    if (!authorization || authorization.refreshToken !== entry.refreshToken) return 61003;
    return this.live(authorization);
  }

  /**
   * `api_authorizer_token`: a new access token for the account (the one before stops working),
   * the refresh token unchanged. 61003 when the account is not authorised to the platform,
   * 61023 for a refresh token that is not its current one.
   */
  refresh(
    componentAppid: string,
    authorizerAppid: string,
    refreshToken: string,
  ): SandboxAuthorization | 61003 | 61023 {
    const authorization = this.authorizations.get(key(componentAppid, authorizerAppid));
    if (!authorization) return 61003;
    if (authorization.refreshToken !== refreshToken) return 61023;
    this.byAccessToken.delete(authorization.accessToken);
    authorization.accessToken = randomToken();
    authorization.accessExpiresAt = this.clock.now() + APP_TOKEN_TTL_SECONDS * 1000;
    this.byAccessToken.set(authorization.accessToken, authorization);
    return authorization;
  }

  /** The account's authorisation to the platform, if it holds one. */
  authorization(componentAppid: string, authorizerAppid: string): SandboxAuthorization | undefined {
    return this.authorizations.get(key(componentAppid, authorizerAppid));
  }

  /** Every authorisation to the platform, in the order given. */
  authorizationsOf(componentAppid: string): SandboxAuthorization[] {
    return [...this.authorizations.values()].filter(
      (authorization) => authorization.componentAppid === componentAppid,
    );
  }

  /** The merchant cancels: its tokens and codes stop working. Whether there was one. */
  revoke(componentAppid: string, authorizerAppid: string): boolean {
    const authorization = this.authorizations.get(key(componentAppid, authorizerAppid));
    if (!authorization) return false;
    this.authorizations.delete(key(componentAppid, authorizerAppid));
    this.byAccessToken.delete(authorization.accessToken);
    return true;
  }

  /** The authorisation behind an `authorizer_access_token`; 40001 unknown, 42001 expired. */
  findByAccessToken(token: string): SandboxAuthorization | 40001 | 42001 {
    const authorization = this.byAccessToken.get(token);
    if (!authorization) return 40001;
    return this.clock.now() >= authorization.accessExpiresAt ? 42001 : authorization;
  }

  /** An app that is gone is authorised nowhere. */
  forgetApp(appid: string): void {
    for (const authorization of [...this.authorizations.values()])
      if (authorization.authorizerAppid === appid)
        this.revoke(authorization.componentAppid, authorization.authorizerAppid);
  }

  /** An expired access token is replaced when `api_query_auth` answers it. */
  private live(authorization: SandboxAuthorization): SandboxAuthorization {
    if (this.clock.now() < authorization.accessExpiresAt) return authorization;
    return this.refresh(
      authorization.componentAppid,
      authorization.authorizerAppid,
      authorization.refreshToken,
    ) as SandboxAuthorization;
  }
}

function trim(codes: Map<string, unknown>): void {
  if (codes.size > MAX_CODES) codes.delete(codes.keys().next().value as string);
}
