import { MESSAGE_PUSH_CONSOLE_PATH } from '../handlers/message-push-console.js';
import { DEFAULT_SANDBOX_AGENTID, DEFAULT_SANDBOX_CORPID } from '../model/wecom-corps.js';
import {
  DEFAULT_CALLBACK_URL,
  DEFAULT_SANDBOX_APPS,
  DEFAULT_WECOM_CALLBACK_URL,
} from './sandbox-command-config.js';
import { DEFAULT_SANDBOX_SEED } from './seeded-secrets.js';

export const SANDBOX_COMMAND_USAGE = `Usage: nest-wx-oauth-sandbox [options]

Runs a local WeChat (authorize, consent and QR pages, wxLogin.js, the /sns and /cgi-bin API, the
official account's message push) and WeCom (企业微信: a corp with members and non-members, its
in-client authorize and consent pages, the web login page, gettoken and getuserinfo) for
development, prints the variables your app needs, then logs each request. Each option can also be set by the environment variable in brackets; a flag
wins.

By default: an official account, a website app, a mini-program, a mobile app and a multi-end
app (whose WeChat login gives the mobile app's openid) bound to one Open Platform account, as a
site that logs in inside WeChat, on a computer, in its mini-program and in its native app has
them. Naming any of them (its appid or its secret) runs only the ones named, each with its
default appid unless given; --appid alone runs one app that serves both browser flows.

Secrets not given are derived from a seed (HMAC-SHA256 of the appid keyed with the seed, 32 hex),
so they are the same at every start and your app's .env outlives a restart.

Options:
  --port <n>                  [PORT] port to listen on (default 3001; 0 picks a free one)
  --host <host>               [HOST] interface to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --mp-appid <appid>          [WX_SANDBOX_MP_APPID] the official account (default ${DEFAULT_SANDBOX_APPS.officialAccount})
  --mp-secret <secret>        [WX_SANDBOX_MP_SECRET] its secret (default: from the seed, printed)
  --web-appid <appid>         [WX_SANDBOX_WEB_APPID] the website app (default ${DEFAULT_SANDBOX_APPS.website})
  --web-secret <secret>       [WX_SANDBOX_WEB_SECRET] its secret (default: from the seed, printed)
  --mini-appid <appid>        [WX_SANDBOX_MINI_APPID] the mini-program (default ${DEFAULT_SANDBOX_APPS.miniProgram})
  --mini-secret <secret>      [WX_SANDBOX_MINI_SECRET] its secret (default: from the seed, printed)
  --mobile-appid <appid>      [WX_SANDBOX_MOBILE_APPID] the mobile app (default ${DEFAULT_SANDBOX_APPS.mobileApp})
  --mobile-secret <secret>    [WX_SANDBOX_MOBILE_SECRET] its secret (default: from the seed, printed)
  --multiend-appid <appid>    [WX_SANDBOX_MULTIEND_APPID] the multi-end app, logging in as the mobile app (default ${DEFAULT_SANDBOX_APPS.multiEndApp})
  --multiend-secret <secret>  [WX_SANDBOX_MULTIEND_SECRET] its secret (default: from the seed, printed)
  --open-platform <name>      [WX_SANDBOX_OPEN_PLATFORM] the Open Platform account they are bound to
  --wecom-corpid <corpid>     [WX_SANDBOX_WECOM_CORPID] the WeCom corp (default ${DEFAULT_SANDBOX_CORPID})
  --wecom-agentid <agentid>   [WX_SANDBOX_WECOM_AGENTID] its self-built app (default ${DEFAULT_SANDBOX_AGENTID})
  --wecom-secret <secret>     [WX_SANDBOX_WECOM_SECRET] the app's secret (default: from the seed over
                              <corpid>:<agentid>, printed)
  --appid <appid>             [WX_SANDBOX_APPID] one app for both browser flows instead of an app per kind
  --secret <secret>           [WX_SANDBOX_SECRET] its secret (default: from the seed, printed)
  --mp-push-url <url>         [WX_SANDBOX_MP_PUSH_URL] the official account's message push: your app's
                              message endpoint, e.g. http://localhost:3000/wechat/events (the follow
                              login needs it; also set at ${MESSAGE_PUSH_CONSOLE_PATH})
  --mp-push-token <token>     [WX_SANDBOX_MP_PUSH_TOKEN] its Token, 3 to 32 letters and digits (default: from the seed, printed)
  --mp-push-aes-key <key>     [WX_SANDBOX_MP_PUSH_AES_KEY] its EncodingAESKey, 43 letters and digits, for safe
                              mode (default: from the seed, printed); plain: plain mode, no key
  --component-appid <appid>   [WX_SANDBOX_COMPONENT_APPID] the third-party platform (default wx0sandbox0component),
                              which the official account and the mini-program can be authorised to
  --component-secret <secret> [WX_SANDBOX_COMPONENT_SECRET] its component_appsecret (default: from the seed, printed)
  --component-token <token>   [WX_SANDBOX_COMPONENT_TOKEN] its message Token, 3 to 32 letters and digits (default: from the seed, printed)
  --component-aes-key <key>   [WX_SANDBOX_COMPONENT_AES_KEY] its EncodingAESKey, 43 letters and digits (default: from the seed, printed)
  --component-event-url <url> [WX_SANDBOX_COMPONENT_EVENT_URL] its authorisation-event URL: your app's endpoint for
                              tickets and authorisation events (also pushed on demand at /sandbox/console/component)
  --merchant-accounts <list>  [WX_SANDBOX_MERCHANT_ACCOUNTS] merchants' official accounts besides the site's apps,
                              to authorise to the platform: appid or appid:Name, comma-separated
  --component-ticket-interval <s> [WX_SANDBOX_COMPONENT_TICKET_INTERVAL] seconds between two tickets (default 600;
                              0: only on demand)
  --seed <seed>               [WX_SANDBOX_SEED] the seed of the secrets not given (default '${DEFAULT_SANDBOX_SEED}');
                              random: new random secrets at every start
  --auto-approve <key>        [WX_SANDBOX_AUTO_APPROVE] approve at once as this test user (alice, bob, carol, snap)
  --wecom-auto-approve <key>  [WX_SANDBOX_WECOM_AUTO_APPROVE] sign WeCom in as this member or non-member, agreeing to
                              everything (zhangsan, lisi, wangwu, zhaoliu, guest, customer)
  --public-url <url>          [WX_SANDBOX_PUBLIC_URL] where browsers reach the sandbox, e.g. behind a port mapping
  --callback-url <url>        [WX_CALLBACK_URL] your app's callback, printed back (default ${DEFAULT_CALLBACK_URL})
  --wecom-callback-url <url>  [WX_WECOM_CALLBACK_URL] your app's WeCom login route, printed back
                              (default ${DEFAULT_WECOM_CALLBACK_URL})
  --quiet                     [WX_SANDBOX_QUIET=1] no request log (by default a line per request: method, path,
                              appid, HTTP status and WeChat errcode; never a query, a secret or a code)
  -h, --help                  show this help`;
