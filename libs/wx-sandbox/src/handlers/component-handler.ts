import { isMiniProgram, isOfficialAccount, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxAuthorization } from '../model/sandbox-component-grants.js';
import type { SandboxComponentToken } from '../model/sandbox-component-tokens.js';
import type { WxSandboxComponentInfo } from '../model/sandbox-components.js';
import { APP_TOKEN_TTL_SECONDS } from '../model/sandbox-app-tokens.js';
import { wxErrorBody, type WxErrcode, type WxErrorBody } from '../model/wx-errors.js';
import type { SandboxComponents } from '../wx-sandbox.components.js';
import { jsonObject } from './request-body.js';

/** The third-party platform's API under `/cgi-bin/component`. */
export type ComponentEndpoint =
  | 'api_start_push_ticket'
  | 'api_component_token'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_info';

export interface ComponentRequest {
  method: string;
  query: URLSearchParams;
  /** The raw JSON body. */
  body: string;
}

export interface ComponentContext {
  components: SandboxComponents;
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  /** Pushes the platform a new ticket, after the answer is on its way. */
  pushTicketSoon(componentAppid: string): void;
  /** A fresh request id for an errmsg suffix. */
  rid(): string;
}

/**
 * The platform's API: POSTs with a JSON body, the platform's token in the query
 * (`component_access_token`, or `access_token` as WeChat's newer documents name it). Errors
 * never echo a parameter, so secrets, tickets and tokens cannot leak through them.
 */
export function handleComponent(
  endpoint: ComponentEndpoint,
  request: ComponentRequest,
  context: ComponentContext,
): object {
  const fail = (errcode: WxErrcode): WxErrorBody => wxErrorBody(errcode, context.rid());
  if (request.method !== 'POST') return fail(43002);
  const body = jsonObject(request.body);
  if (!body) return fail(47001);
  const text = (name: string): string => (typeof body[name] === 'string' ? body[name] : '');
  if (!text('component_appid')) return fail(41002);
  const component = context.components.get(text('component_appid'));
  if (!component) return fail(61011);

  switch (endpoint) {
    case 'api_start_push_ticket': {
      const secret = checkSecret(component, text('component_secret'));
      if (secret !== true) return fail(secret);
      context.pushTicketSoon(component.appid);
      return { errcode: 0, errmsg: 'ok' };
    }
    case 'api_component_token': {
      const secret = checkSecret(component, text('component_appsecret'));
      if (secret !== true) return fail(secret);
      const ticket = context.components.tickets.check(
        component.appid,
        text('component_verify_ticket'),
      );
      if (ticket !== true) return fail(ticket);
      const token = context.components.tokens.issue(component.appid);
      return { component_access_token: token.token, expires_in: APP_TOKEN_TTL_SECONDS };
    }
  }

  const token = componentToken(request.query, component, context);
  if (typeof token === 'number') return fail(token);
  const { grants } = context.components;
  switch (endpoint) {
    case 'api_create_preauthcode': {
      const { code, expiresIn } = grants.createPreAuthCode(component.appid);
      return { pre_auth_code: code, expires_in: expiresIn };
    }
    case 'api_query_auth': {
      if (!text('authorization_code')) return fail(61009);
      const authorization = grants.queryAuth(component.appid, text('authorization_code'));
      if (typeof authorization === 'number') return fail(authorization);
      return {
        authorization_info: {
          authorizer_appid: authorization.authorizerAppid,
          authorizer_access_token: authorization.accessToken,
          expires_in: APP_TOKEN_TTL_SECONDS,
          authorizer_refresh_token: authorization.refreshToken,
          func_info: funcInfoOf(authorization),
        },
      };
    }
    case 'api_authorizer_token': {
      if (!text('authorizer_appid')) return fail(41002);
      if (!text('authorizer_refresh_token')) return fail(61023);
      const authorization = grants.refresh(
        component.appid,
        text('authorizer_appid'),
        text('authorizer_refresh_token'),
      );
      if (typeof authorization === 'number') return fail(authorization);
      return {
        authorizer_access_token: authorization.accessToken,
        expires_in: APP_TOKEN_TTL_SECONDS,
        authorizer_refresh_token: authorization.refreshToken,
      };
    }
    case 'api_get_authorizer_info': {
      if (!text('authorizer_appid')) return fail(41002);
      const authorization = grants.authorization(component.appid, text('authorizer_appid'));
      const app = context.app(text('authorizer_appid'));
      if (!authorization || !app) return fail(61003);
      return {
        authorizer_info: {
          nick_name: app.name,
          user_name: app.originalId,
          // 2: a service account (服务号); 0: a verified WeChat account (微信认证).
          service_type_info: { id: isOfficialAccount(app) ? 2 : 0 },
          verify_type_info: { id: 0 },
          ...(isMiniProgram(app) ? { MiniProgramInfo: {} } : {}),
        },
        authorization_info: {
          authorizer_appid: app.appid,
          func_info: funcInfoOf(authorization),
        },
      };
    }
  }
}

/** 41004 for a missing secret, 40125 for a wrong one. */
function checkSecret(component: WxSandboxComponentInfo, secret: string): true | 41004 | 40125 {
  if (!secret) return 41004;
  return secret === component.secret ? true : 40125;
}

/**
 * The platform's live token from the query: 41001 without one, 40001 for anything but a
 * platform token (the message Token, an app token) or another platform's, 42001 once expired.
 * The `/cgi-bin/component` API also takes it as `access_token`; `/sns` does not.
 */
export function componentToken(
  query: URLSearchParams,
  component: WxSandboxComponentInfo,
  context: Pick<ComponentContext, 'components'>,
  orAccessToken = true,
): SandboxComponentToken | 40001 | 41001 | 42001 {
  const value =
    query.get('component_access_token') ?? (orAccessToken ? query.get('access_token') : null);
  if (!value) return 41001;
  const token = context.components.tokens.find(value);
  if (typeof token === 'number') return token;
  return token.componentAppid === component.appid ? token : 40001;
}

function funcInfoOf(authorization: SandboxAuthorization): object[] {
  return authorization.funcInfo.map((id) => ({ funcscope_category: { id } }));
}
