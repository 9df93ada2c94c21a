/** A test user of the sandbox, as WeChat would describe them to one app. */
export interface WxSandboxUser {
  /** Short handle used by tests and the consent page, e.g. `'alice'`. */
  key: string;
  /** Per (app, user). */
  openid: string;
  /** Per (open platform, user). */
  unionid: string;
  /** May contain any Unicode, emoji included. */
  nickname: string;
  /** `''` for a user without an avatar. */
  headimgurl: string;
  /** A "snapshot page" virtual user: the token response carries `is_snapshotuser: 1`. */
  snapshot?: boolean;
}

/** A user to seed the sandbox with; `openid`, `unionid` and `headimgurl` are derived when left out. */
export type WxSandboxUserSeed = Partial<WxSandboxUser> & { key: string; nickname: string };

/** The back-channel endpoints a fault can target. */
export type WxSandboxEndpoint = 'access_token' | 'refresh_token' | 'auth' | 'userinfo';

/** A way for WeChat to misbehave, injected with `WxSandbox.inject`. */
export type WxSandboxFault =
  /** Answer normally, but only after `ms` (longer than the client's timeout = a hang). */
  | { type: 'delay'; ms: number }
  /** HTTP 500 with a short text body. */
  | { type: 'http500' }
  /** HTTP 200 with a `text/html` body that is not JSON. */
  | { type: 'nonJson' }
  /** Destroy the socket without answering. */
  | { type: 'reset' }
  /** HTTP 200 `{errcode, errmsg}`, e.g. -1 system error or 45011 quota. */
  | { type: 'errcode'; errcode: number; errmsg?: string };

/** Request counters per endpoint (authorize pages included) and TCP connections accepted. */
export interface WxSandboxStats {
  requests: Record<string, number>;
  connections: number;
}

export type WxSandboxScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';
