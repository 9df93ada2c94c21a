import { isMiniProgram, isOfficialAccount, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxGrants } from '../model/sandbox-grants.js';
import { wxErrorBody, type WxErrcode, type WxErrorBody } from '../model/wx-errors.js';
import type { SandboxComponents } from '../wx-sandbox.components.js';
import { componentToken } from './component-handler.js';
import { jsCodeSession, type JsCodeSessionContext } from './mini-program-handler.js';
import { codeExchangeBody, tokenBody } from './sns-handler.js';

/** A platform's user logins on a merchant's behalf: web authorisation and mini-programs. */
export type ComponentSnsEndpoint =
  'component_access_token' | 'component_refresh_token' | 'component_jscode2session';

export interface ComponentSnsContext extends JsCodeSessionContext {
  components: SandboxComponents;
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  accessTokenTtlSeconds: number;
  grants: SandboxGrants;
  /** A fresh request id for an errmsg suffix. */
  rid(): string;
}

/**
 * `/sns/oauth2/component/access_token`, `/sns/oauth2/component/refresh_token` and
 * `/sns/component/jscode2session`, from the query alone as the rest of `/sns`: the merchant's
 * `appid`, the platform's `component_appid` and `component_access_token` in place of a
 * secret, and the merchant's account authorised to that platform. A plain exchange's
 * parameters (a secret, no `component_appid`) are refused; so is a code or refresh token of
 * a plain login, or of another platform's (40029, 40030).
 */
export function handleComponentSns(
  endpoint: ComponentSnsEndpoint,
  query: URLSearchParams,
  context: ComponentSnsContext,
): object {
  const fail = (errcode: WxErrcode): WxErrorBody => wxErrorBody(errcode, context.rid());
  const param = (name: string): string => query.get(name) ?? '';

  if (!param('appid')) return fail(41002);
  const app = context.app(param('appid'));
  const mini = endpoint === 'component_jscode2session';
  if (!app || !(mini ? isMiniProgram(app) : isOfficialAccount(app))) return fail(40013);
  if (!param('component_appid')) return fail(41002);
  const component = context.components.get(param('component_appid'));
  if (!component) return fail(61011);
  const token = componentToken(query, component, context, false);
  if (typeof token === 'number') return fail(token);
  if (!context.components.grants.authorization(component.appid, app.appid)) return fail(61003);

  switch (endpoint) {
    case 'component_access_token': {
      if (!param('code')) return fail(41008);
      if (param('grant_type') !== 'authorization_code') return fail(40002);
      const grant = context.grants.redeemCode(param('code'), app.appid, undefined, component.appid);
      return typeof grant === 'number' ? fail(grant) : codeExchangeBody(grant, context);
    }
    case 'component_refresh_token': {
      if (param('grant_type') !== 'refresh_token') return fail(40002);
      if (!param('refresh_token')) return fail(41003);
      const grant = context.grants.refresh(param('refresh_token'), app.appid, component.appid);
      return typeof grant === 'number' ? fail(grant) : tokenBody(grant, context);
    }
    case 'component_jscode2session': {
      const session = jsCodeSession(app, param, context);
      return typeof session === 'number' ? fail(session) : session;
    }
  }
}
