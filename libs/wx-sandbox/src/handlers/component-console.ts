import type { IncomingHttpHeaders } from 'node:http';
import type { WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { WxSandboxComponentInfo } from '../model/sandbox-components.js';
import {
  componentConsolePage,
  type ComponentConsoleNotice,
} from '../pages/component-console-page.js';
import { errorPage } from '../pages/error-page.js';
import type { SandboxComponents } from '../wx-sandbox.components.js';
import type { WxSandboxComponentEvent } from '../wx-sandbox.types.js';
import { isSameOrigin, requestHost } from './same-origin.js';
import { htmlPage, type SandboxResponse } from './sandbox-response.js';

/** The third-party platform's console, on the sandbox: not a path of WeChat's. */
export const COMPONENT_CONSOLE_PATH = '/sandbox/console/component';

/** How many of a platform's latest pushes the page lists. */
const EVENTS_SHOWN = 20;

export interface ComponentConsole {
  components: SandboxComponents;
  app(appid: string): WxSandboxAppInfo | undefined;
  /** The hosts (`host:port`, lower case) the sandbox is reached at. */
  hosts: ReadonlySet<string>;
}

export interface ComponentConsoleRequest {
  method: string;
  query: URLSearchParams;
  body: string;
  headers: IncomingHttpHeaders;
}

/**
 * `GET` shows a platform (`?component_appid=`, else the first); `POST` (a form of this page
 * only) pushes it a ticket now or revokes a merchant's authorisation, and shows how the
 * platform answered. Answered only as the sandbox's own hosts.
 */
export async function handleComponentConsole(
  request: ComponentConsoleRequest,
  context: ComponentConsole,
): Promise<SandboxResponse> {
  if (!context.hosts.has(requestHost(request.headers)))
    return refusal(403, "此地址不可用 · This host is not the sandbox's: open it at its own URL");
  if (request.method === 'GET') {
    const component = componentOf(context, request.query.get('component_appid'));
    return component
      ? page(context, component)
      : refusal(404, '第三方平台不存在 · No such platform');
  }
  if (request.method !== 'POST') {
    const response = htmlPage(405, errorPage({ message: '请求方法错误 · Use GET or POST' }));
    return { ...response, headers: { ...response.headers, allow: 'GET, POST' } };
  }
  if (!isSameOrigin(request.headers))
    return refusal(
      403,
      '请从本页提交 · Submit the form of this page: posts from other sites are refused',
    );
  const form = new URLSearchParams(request.body);
  const component = componentOf(context, form.get('component_appid'));
  if (!component) return refusal(404, '第三方平台不存在 · No such platform');
  switch (form.get('action')) {
    case 'push-ticket': {
      const event = await context.components.pushTicket(component.appid);
      return page(context, component, outcome('ticket 已推送 · Ticket pushed', event));
    }
    case 'revoke': {
      const authorizer = form.get('authorizer') ?? '';
      const revoked = context.components.revoke(component.appid, authorizer);
      if (!revoked)
        return page(context, component, { ok: false, text: '该帐号未授权 · Not authorised' }, 400);
      return page(context, component, outcome('已取消授权 · Revoked', await revoked));
    }
    default:
      return refusal(400, '未知操作 · Unknown action');
  }
}

function outcome(done: string, event: WxSandboxComponentEvent): ComponentConsoleNotice {
  if (event.attempts.length === 0)
    return { ok: false, text: `${done}; no event URL is set, so nothing was pushed` };
  return event.replyValid
    ? { ok: true, text: `${done}; the platform answered success` }
    : {
        ok: false,
        text: `${done}; the platform did not answer success (${event.attempts.map((a) => a.status).join(', ')})`,
      };
}

function componentOf(
  context: ComponentConsole,
  appid: string | null,
): WxSandboxComponentInfo | undefined {
  const components = context.components.list();
  return appid === null ? components[0] : context.components.get(appid);
}

function page(
  context: ComponentConsole,
  component: WxSandboxComponentInfo,
  notice?: ComponentConsoleNotice,
  status = 200,
): SandboxResponse {
  return htmlPage(
    status,
    componentConsolePage({
      components: context.components.list(),
      component,
      authorizers: context.components.grants
        .authorizationsOf(component.appid)
        .map(({ authorizerAppid, funcInfo }) => ({
          appid: authorizerAppid,
          name: context.app(authorizerAppid)?.name ?? authorizerAppid,
          funcInfo,
        })),
      events: context.components.eventsOf(component.appid).slice(-EVENTS_SHOWN).reverse(),
      notice,
      path: COMPONENT_CONSOLE_PATH,
    }),
  );
}

function refusal(status: number, message: string): SandboxResponse {
  return htmlPage(status, errorPage({ message }));
}
