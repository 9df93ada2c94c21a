import { parseArgs } from 'node:util';
import {
  DEFAULT_OPEN_PLATFORM,
  describeKind,
  type WxSandboxApp,
  type WxSandboxAppKind,
} from '../model/sandbox-apps.js';
import { WxSandbox } from '../wx-sandbox.js';
import type { WxSandboxOptions } from '../wx-sandbox.options.js';

/** Each option of the command, its flag and the environment variable that also sets it. */
const OPTIONS = {
  port: { flag: 'port', env: 'PORT' },
  host: { flag: 'host', env: 'HOST' },
  appid: { flag: 'appid', env: 'WX_SANDBOX_APPID' },
  secret: { flag: 'secret', env: 'WX_SANDBOX_SECRET' },
  mpAppid: { flag: 'mp-appid', env: 'WX_SANDBOX_MP_APPID' },
  mpSecret: { flag: 'mp-secret', env: 'WX_SANDBOX_MP_SECRET' },
  webAppid: { flag: 'web-appid', env: 'WX_SANDBOX_WEB_APPID' },
  webSecret: { flag: 'web-secret', env: 'WX_SANDBOX_WEB_SECRET' },
  miniAppid: { flag: 'mini-appid', env: 'WX_SANDBOX_MINI_APPID' },
  miniSecret: { flag: 'mini-secret', env: 'WX_SANDBOX_MINI_SECRET' },
  mobileAppid: { flag: 'mobile-appid', env: 'WX_SANDBOX_MOBILE_APPID' },
  mobileSecret: { flag: 'mobile-secret', env: 'WX_SANDBOX_MOBILE_SECRET' },
  multiEndAppid: { flag: 'multiend-appid', env: 'WX_SANDBOX_MULTIEND_APPID' },
  multiEndSecret: { flag: 'multiend-secret', env: 'WX_SANDBOX_MULTIEND_SECRET' },
  openPlatform: { flag: 'open-platform', env: 'WX_SANDBOX_OPEN_PLATFORM' },
  autoApprove: { flag: 'auto-approve', env: 'WX_SANDBOX_AUTO_APPROVE' },
  publicUrl: { flag: 'public-url', env: 'WX_SANDBOX_PUBLIC_URL' },
  callbackUrl: { flag: 'callback-url', env: 'WX_CALLBACK_URL' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The apps a site has by default, bound to one Open Platform account, as on WeChat. */
export const DEFAULT_SANDBOX_APPS = {
  officialAccount: 'wx0sandbox0official',
  website: 'wx0sandbox0website',
  miniProgram: 'wx0sandbox0miniprog',
  mobileApp: 'wx0sandbox0mobile',
  multiEndApp: 'wx0sandbox0multiend',
} as const;

const DEFAULT_CALLBACK_URL = 'http://localhost:3000/auth/wechat/callback';

export const SANDBOX_COMMAND_USAGE = `Usage: nest-wx-oauth-sandbox [options]

Runs a local WeChat (authorize, consent and QR pages, wxLogin.js and the /sns API) for
development, and prints the variables your app needs. Each option can also be set by the
environment variable in brackets; a flag wins.

By default: an official account, a website app, a mini-program, a mobile app and a multi-end
app (whose WeChat login gives the mobile app's openid) bound to one Open Platform account, as a
site that logs in inside WeChat, on a computer, in its mini-program and in its native app has
them. Naming any of them runs only the ones named; --appid alone runs one app that serves both
browser flows.

Options:
  --port <n>                  [PORT] port to listen on (default 3001; 0 picks a free one)
  --host <host>               [HOST] interface to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --mp-appid <appid>          [WX_SANDBOX_MP_APPID] the official account (default ${DEFAULT_SANDBOX_APPS.officialAccount})
  --mp-secret <secret>        [WX_SANDBOX_MP_SECRET] its secret (default: random, printed)
  --web-appid <appid>         [WX_SANDBOX_WEB_APPID] the website app (default ${DEFAULT_SANDBOX_APPS.website})
  --web-secret <secret>       [WX_SANDBOX_WEB_SECRET] its secret (default: random, printed)
  --mini-appid <appid>        [WX_SANDBOX_MINI_APPID] the mini-program (default ${DEFAULT_SANDBOX_APPS.miniProgram})
  --mini-secret <secret>      [WX_SANDBOX_MINI_SECRET] its secret (default: random, printed)
  --mobile-appid <appid>      [WX_SANDBOX_MOBILE_APPID] the mobile app (default ${DEFAULT_SANDBOX_APPS.mobileApp})
  --mobile-secret <secret>    [WX_SANDBOX_MOBILE_SECRET] its secret (default: random, printed)
  --multiend-appid <appid>    [WX_SANDBOX_MULTIEND_APPID] the multi-end app, logging in as the mobile app (default ${DEFAULT_SANDBOX_APPS.multiEndApp})
  --multiend-secret <secret>  [WX_SANDBOX_MULTIEND_SECRET] its secret (default: random, printed)
  --open-platform <name>      [WX_SANDBOX_OPEN_PLATFORM] the Open Platform account they are bound to
  --appid <appid>             [WX_SANDBOX_APPID] one app for both browser flows instead of an app per kind
  --secret <secret>           [WX_SANDBOX_SECRET] its secret (default: random, printed)
  --auto-approve <key>        [WX_SANDBOX_AUTO_APPROVE] approve at once as this test user (alice, bob, carol, snap)
  --public-url <url>          [WX_SANDBOX_PUBLIC_URL] where browsers reach the sandbox, e.g. behind a port mapping
  --callback-url <url>        [WX_CALLBACK_URL] your app's callback, printed back (default ${DEFAULT_CALLBACK_URL})
  -h, --help                  show this help`;

/** What the command was asked for: the sandbox's options, and what to print. */
export interface SandboxCommandConfig {
  options: WxSandboxOptions;
  callbackUrl: string;
  /** Each secret that was given rather than made up, and what to print in its place. */
  givenSecrets: ReadonlyMap<string, string>;
  help: boolean;
}

/**
 * The command's flags over its environment. One form or the other: `--appid`
 * (one app for every flow), or an app per kind, each of which is left out when only
 * others are named. A multi-end app needs the mobile app its login gives the openid of.
 */
export function sandboxCommandConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): SandboxCommandConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(
        Object.values(OPTIONS).map(({ flag }) => [flag, { type: 'string' as const }]),
      ),
      help: { type: 'boolean', short: 'h' },
    },
  });
  /** An option's value, and the flag or variable it came from. */
  const given = (name: OptionName): { value: string; from: string } | undefined => {
    const { flag, env: variable } = OPTIONS[name];
    const flagValue = (values as Record<string, string | undefined>)[flag];
    if (flagValue) return { value: flagValue, from: `--${flag}` };
    return env[variable] ? { value: env[variable], from: `$${variable}` } : undefined;
  };
  const value = (name: OptionName) => given(name)?.value;

  const options: WxSandboxOptions = {
    port: parsePort(value('port') ?? '3001'),
    host: value('host') ?? '127.0.0.1',
    autoApprove: value('autoApprove') ?? false,
    publicUrl: value('publicUrl'),
  };
  const givenSecrets = new Map<string, string>();
  /** A given secret is printed as where it came from: `$VARIABLE`, or the flag. */
  const keep = (secret: { value: string; from: string } | undefined) => {
    if (secret) {
      const shown = secret.from.startsWith('$') ? secret.from : `<the ${secret.from} you gave>`;
      givenSecrets.set(secret.value, shown);
    }
    return secret?.value;
  };
  const single = given('appid') ?? given('secret');
  const perKind = [
    given('mpAppid'),
    given('mpSecret'),
    given('webAppid'),
    given('webSecret'),
    given('miniAppid'),
    given('miniSecret'),
    given('mobileAppid'),
    given('mobileSecret'),
    given('multiEndAppid'),
    given('multiEndSecret'),
  ];
  if (single) {
    const clash = perKind.find(Boolean);
    if (clash)
      throw new Error(
        `${single.from} (one app) and ${clash.from} (an app per kind) do not go together`,
      );
    Object.assign(options, { appid: value('appid'), secret: keep(given('secret')) });
  } else {
    const openPlatform = value('openPlatform') ?? DEFAULT_OPEN_PLATFORM;
    const named = perKind.some(Boolean);
    const apps: WxSandboxApp[] = [];
    for (const [kind, appidOption, secretOption, fallback] of [
      ['officialAccount', 'mpAppid', 'mpSecret', DEFAULT_SANDBOX_APPS.officialAccount],
      ['website', 'webAppid', 'webSecret', DEFAULT_SANDBOX_APPS.website],
      ['miniProgram', 'miniAppid', 'miniSecret', DEFAULT_SANDBOX_APPS.miniProgram],
      ['mobileApp', 'mobileAppid', 'mobileSecret', DEFAULT_SANDBOX_APPS.mobileApp],
      ['multiEndApp', 'multiEndAppid', 'multiEndSecret', DEFAULT_SANDBOX_APPS.multiEndApp],
    ] as const) {
      const secret = given(secretOption);
      const appid = value(appidOption) ?? (named ? undefined : fallback);
      if (!appid) {
        if (secret) throw new Error(`${secret.from} is set but ${OPTIONS[appidOption].env} is not`);
        continue;
      }
      apps.push({ appid, secret: keep(secret), kind, openPlatform, ...mobileAppOf(kind, apps) });
    }
    options.apps = apps;
  }
  return {
    options,
    callbackUrl: value('callbackUrl') ?? DEFAULT_CALLBACK_URL,
    givenSecrets,
    help: values.help === true,
  };
}

/**
 * A multi-end app's `mobileAppid`: the mobile app registered before it, without which its
 * WeChat login has no openid to give.
 */
function mobileAppOf(kind: WxSandboxAppKind, apps: readonly WxSandboxApp[]): Partial<WxSandboxApp> {
  if (kind !== 'multiEndApp') return {};
  const mobileApp = apps.find((app) => app.kind === 'mobileApp');
  if (!mobileApp) {
    throw new Error(
      `the multi-end app needs a mobile app: set ${OPTIONS.mobileAppid.env} (--${OPTIONS.mobileAppid.flag}) too`,
    );
  }
  return { mobileAppid: mobileApp.appid };
}

/** The `nest-wx-oauth/config` keys of each kind of app. */
const KEY_PREFIXES: Record<string, string> = {
  officialAccount: 'WX_MP',
  website: 'WX_WEB',
  miniProgram: 'WX_MINI',
  mobileApp: 'WX_MOBILE',
  multiEndApp: 'WX_MULTIEND',
};

/**
 * What the command prints once listening: every variable the app needs, in the
 * keys `nest-wx-oauth/config` reads. A secret the sandbox made up is printed (it
 * is good for this sandbox only); one that was given is named, never shown.
 */
export function describeSandboxCommand(sandbox: WxSandbox, config: SandboxCommandConfig): string {
  const secretOf = (secret: string) => config.givenSecrets.get(secret) ?? secret;
  const apps = config.options.apps;
  const variables: [string, string][] = apps
    ? sandbox.apps.flatMap((app) => {
        const prefix = KEY_PREFIXES[app.kind];
        return [
          [`${prefix}_APPID`, app.appid],
          [`${prefix}_SECRET`, secretOf(app.secret)],
        ] as [string, string][];
      })
    : [
        ['WX_APPID', sandbox.appid],
        ['WX_SECRET', secretOf(sandbox.secret)],
      ];
  variables.push(
    ['WX_CALLBACK_URL', config.callbackUrl],
    ['WX_API_BASE_URL', sandbox.url],
    ['WX_OPEN_BASE_URL', sandbox.publicUrl],
  );
  const kinds = sandbox.apps.map(
    (app) =>
      `${describeKind(app.kind)} ${app.appid}` +
      (app.mobileAppid === undefined ? '' : ` (logging in as ${app.mobileAppid})`),
  );
  const binding = sandbox.apps[0].openPlatform
    ? `, bound to Open Platform account '${sandbox.apps[0].openPlatform}'`
    : '';
  const autoApprove = config.options.autoApprove;
  return [
    `WeChat sandbox listening on ${sandbox.url}` +
      (sandbox.publicUrl === sandbox.url ? '' : ` (browsers use ${sandbox.publicUrl})`),
    apps
      ? `Apps: ${kinds.join(', ')}${binding}.`
      : 'One app for every flow (a convenience of the sandbox: WeChat has an app per flow).',
    '',
    'Configure your app with:',
    ...variables.map(([name, value]) => `  ${name}=${value}`),
    '',
    `wxLogin.js: ${sandbox.wxLoginJsUrl}`,
    `Test users: ${sandbox.users.map((user) => user.key).join(', ')}` +
      (autoApprove ? ` (approving as ${autoApprove})` : ' (chosen on the consent page)'),
    'Press Ctrl+C to stop.',
  ].join('\n');
}

/**
 * `nest-wx-oauth-sandbox`: starts the sandbox from flags and environment,
 * prints what to configure, and closes it on SIGINT/SIGTERM. Answers undefined
 * for `--help`.
 *
 * @publicApi
 */
export async function runSandboxCommand(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<WxSandbox | undefined> {
  const config = sandboxCommandConfig(argv, env);
  if (config.help) {
    console.log(SANDBOX_COMMAND_USAGE);
    return undefined;
  }
  const sandbox = await WxSandbox.start(config.options);
  console.log(describeSandboxCommand(sandbox, config));
  const shutdown = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return sandbox;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0 to 65535, got '${value}'`);
  return port;
}
