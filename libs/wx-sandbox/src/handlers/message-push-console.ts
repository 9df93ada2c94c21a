import type { IncomingHttpHeaders } from 'node:http';
import {
  consoleMessagePushProblem,
  type MessagePushField,
} from '../model/message-push-settings.js';
import type { WxSandboxAppInfo } from '../model/sandbox-apps.js';
import { errorPage } from '../pages/error-page.js';
import {
  messagePushPage,
  type MessagePushForm,
  type MessagePushNotice,
} from '../pages/message-push-page.js';
import type { PushUrlCheck } from '../push/message-pusher.js';
import type { WxSandboxMessagePush } from '../wx-sandbox.types.js';
import { isSameOrigin, requestHost } from './same-origin.js';
import { htmlPage, type SandboxResponse } from './sandbox-response.js';

/** The official account console's 服务器配置, on the sandbox: not a path of WeChat's. */
export const MESSAGE_PUSH_CONSOLE_PATH = '/sandbox/console/message-push';

/** What the console page reads and changes of the running sandbox. */
export interface MessagePushConsole {
  /** The official accounts, whose message push the page sets. */
  accounts(): readonly WxSandboxAppInfo[];
  settingsOf(appid: string): WxSandboxMessagePush | undefined;
  /** Sets the account's message push, or removes it with `undefined`. */
  save(appid: string, push: WxSandboxMessagePush | undefined): void;
  /** WeChat's URL check of these settings, before they are saved. */
  check(appid: string, push: WxSandboxMessagePush): Promise<PushUrlCheck>;
  /** The hosts (`host:port`, lower case) the sandbox is reached at. */
  hosts: ReadonlySet<string>;
  /** A new EncodingAESKey, as the console's 随机生成 makes one. */
  newAesKey(): string;
}

/** The request as the page reads it: its form in the body, its origin in the headers. */
export interface MessagePushConsoleRequest {
  method: string;
  query: URLSearchParams;
  body: string;
  headers: IncomingHttpHeaders;
}

const FIELD_LABELS: Record<MessagePushField, string> = {
  url: '服务器地址(URL)',
  token: '令牌(Token)',
  encodingAesKey: '消息加解密密钥(EncodingAESKey)',
};

/**
 * `GET` shows an official account's message push (`?appid=`, else the first account);
 * `POST` (a form of this page only) saves it once WeChat's URL check passes, checks it
 * again, or disables it. Answered only as the sandbox's own hosts.
 */
export async function handleMessagePushConsole(
  request: MessagePushConsoleRequest,
  context: MessagePushConsole,
): Promise<SandboxResponse> {
  if (!context.hosts.has(requestHost(request.headers))) {
    return refusal(
      403,
      "此地址不可用 · This host is not the sandbox's: open it at its own URL, or set --public-url",
    );
  }
  if (request.method === 'GET') {
    const account = accountOf(context, request.query.get('appid'));
    return account ? page(context, account) : noAccount(context);
  }
  if (request.method !== 'POST') {
    const response = htmlPage(405, errorPage({ message: '请求方法错误 · Use GET or POST' }));
    return { ...response, headers: { ...response.headers, allow: 'GET, POST' } };
  }
  if (!isSameOrigin(request.headers)) {
    return refusal(
      403,
      '请从本页提交 · Submit the form of this page: posts from other sites are refused',
    );
  }
  const form = new URLSearchParams(request.body);
  const account = accountOf(context, form.get('appid'));
  if (!account) return noAccount(context);
  switch (form.get('action')) {
    case 'save':
      return save(context, account, form);
    case 'check':
      return check(context, account);
    case 'disable':
      context.save(account.appid, undefined);
      return page(context, account, {
        ok: true,
        text: '已停用 · Disabled: a scan pushes nothing now',
      });
    default:
      return refusal(400, '未知操作 · Unknown action');
  }
}

/** Saves the typed settings once the URL check passes with them, as the console's 提交 does. */
async function save(
  context: MessagePushConsole,
  account: WxSandboxAppInfo,
  form: URLSearchParams,
): Promise<SandboxResponse> {
  const typed: MessagePushForm = {
    url: (form.get('url') ?? '').trim(),
    token: (form.get('token') ?? '').trim(),
    encodingAesKey: (form.get('encodingAesKey') ?? '').trim(),
    mode: form.get('mode') === 'plain' ? 'plain' : 'safe',
  };
  if (typed.mode === 'safe' && !typed.encodingAesKey) typed.encodingAesKey = context.newAesKey();
  const push: WxSandboxMessagePush =
    typed.mode === 'safe'
      ? { url: typed.url, token: typed.token, encodingAesKey: typed.encodingAesKey }
      : { url: typed.url, token: typed.token };
  const problem = consoleMessagePushProblem(push);
  if (problem) {
    const text = `${FIELD_LABELS[problem.field]} ${problem.message} · not saved`;
    return page(context, account, { ok: false, text }, typed, 400);
  }
  const checked = await context.check(account.appid, push);
  if (!checked.passed) {
    return page(
      context,
      account,
      { ok: false, text: `${failure(checked)} · not saved` },
      typed,
      400,
    );
  }
  context.save(account.appid, push);
  return page(context, account, {
    ok: true,
    text: '提交成功 · Saved: the URL check passed, and scans are pushed there from now on',
  });
}

/** The URL check of the settings in place, as the console runs it again. */
async function check(
  context: MessagePushConsole,
  account: WxSandboxAppInfo,
): Promise<SandboxResponse> {
  const settings = context.settingsOf(account.appid);
  if (!settings)
    return page(
      context,
      account,
      { ok: false, text: '未启用 · Nothing to check: no message push is set' },
      undefined,
      400,
    );
  const checked = await context.check(account.appid, settings);
  return checked.passed
    ? page(context, account, { ok: true, text: 'URL 验证通过 · The URL check passed' })
    : page(context, account, { ok: false, text: failure(checked) });
}

/** What the console says of a failed URL check, and what to look at. */
function failure(check: Exclude<PushUrlCheck, { passed: true }>): string {
  switch (check.reason) {
    case 'timeout':
      return '请求URL超时 · Your app did not answer the URL check in time';
    case 'error':
      return '系统发生错误 · The URL cannot be reached: is your app running there?';
    case 'status':
      // nest-wx-oauth's checkUrl refuses a signature of another Token with a 401.
      return check.status === 401 || check.status === 403
        ? `token验证失败 · Your app refused the URL check's signature (HTTP ${check.status}): is its WX_MP_TOKEN this Token?`
        : `URL 验证失败 · Your app answered the URL check with HTTP ${check.status}: does a GET route serve this URL?`;
    case 'echostr':
      return 'token验证失败 · Your app did not answer the echostr: is its WX_MP_TOKEN this Token?';
  }
}

function accountOf(
  context: MessagePushConsole,
  appid: string | null,
): WxSandboxAppInfo | undefined {
  const accounts = context.accounts();
  return appid === null ? accounts[0] : accounts.find((account) => account.appid === appid);
}

function page(
  context: MessagePushConsole,
  account: WxSandboxAppInfo,
  notice?: MessagePushNotice,
  form?: MessagePushForm,
  status = 200,
): SandboxResponse {
  return htmlPage(
    status,
    messagePushPage({
      accounts: context.accounts().map(({ appid, name }) => ({ appid, name })),
      appid: account.appid,
      settings: context.settingsOf(account.appid),
      form,
      notice,
      path: MESSAGE_PUSH_CONSOLE_PATH,
    }),
  );
}

function noAccount(context: MessagePushConsole): SandboxResponse {
  return refusal(
    404,
    context.accounts().length === 0
      ? '没有公众号 · This sandbox runs no official account'
      : '公众号不存在 · No official account with this appid',
  );
}

function refusal(status: number, message: string): SandboxResponse {
  return htmlPage(status, errorPage({ message }));
}
