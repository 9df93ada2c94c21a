import { consoleMessagePushProblem } from '../model/message-push-settings.js';
import {
  DEFAULT_SANDBOX_COMPONENT_APPID,
  DEFAULT_TICKET_INTERVAL_MS,
  type WxSandboxComponent,
} from '../model/sandbox-components.js';
import {
  DEFAULT_OPEN_PLATFORM,
  type WxSandboxApp,
  type WxSandboxAppKind,
} from '../model/sandbox-apps.js';
import {
  DEFAULT_SANDBOX_AGENTID,
  DEFAULT_SANDBOX_CORPID,
  type WxSandboxCorp,
} from '../model/wecom-corps.js';
import { DEFAULT_SANDBOX_APPID, type WxSandboxOptions } from '../wx-sandbox.options.js';
import type { WxSandboxMessagePush } from '../wx-sandbox.types.js';
import {
  readCommandInput,
  type CommandInput,
  type CommandOption,
  type GivenOption,
} from './sandbox-command-options.js';
import {
  DEFAULT_SANDBOX_SEED,
  RANDOM_SEED,
  seededSecrets,
  type SeededSecrets,
} from './seeded-secrets.js';

/** The apps a site has by default, bound to one Open Platform account, as on WeChat. */
export const DEFAULT_SANDBOX_APPS = {
  officialAccount: 'wx0sandbox0official',
  website: 'wx0sandbox0website',
  miniProgram: 'wx0sandbox0miniprog',
  mobileApp: 'wx0sandbox0mobile',
  multiEndApp: 'wx0sandbox0multiend',
} as const;

export const DEFAULT_CALLBACK_URL = 'http://localhost:3000/auth/wechat/callback';
/** The WeCom login's route, its own callback. */
export const DEFAULT_WECOM_CALLBACK_URL = 'http://localhost:3000/auth/wecom';

/** Each kind of app, in the order the command runs them, and its two options. */
const KINDS: readonly (readonly [WxSandboxAppKind, CommandOption, CommandOption])[] = [
  ['officialAccount', 'mpAppid', 'mpSecret'],
  ['website', 'webAppid', 'webSecret'],
  ['miniProgram', 'miniAppid', 'miniSecret'],
  ['mobileApp', 'mobileAppid', 'mobileSecret'],
  ['multiEndApp', 'multiEndAppid', 'multiEndSecret'],
];

/** Where the secrets the command makes up come from. */
export type SandboxSeedSource =
  { kind: 'default' } | { kind: 'given'; from: string } | { kind: 'random' };

/** What the command was asked for: the sandbox's options, and what to print. */
export interface SandboxCommandConfig {
  options: WxSandboxOptions;
  callbackUrl: string;
  weComCallbackUrl: string;
  /** Each secret (app secret, push Token or key) that was given rather than made up, and what to print in its place. */
  givenSecrets: ReadonlyMap<string, string>;
  /** The official account's message push, set once the sandbox listens. */
  messagePush?: { appid: string; push: WxSandboxMessagePush };
  /** Merchants' official accounts (`--merchant-accounts`): in the sandbox, not the site's own apps. */
  merchantAppids: readonly string[];
  seed: SandboxSeedSource;
  /** Whether the request log is off. */
  quiet: boolean;
  help: boolean;
}

/**
 * The command's flags over its environment. One form or the other: `--appid` (one app for
 * every flow), or an app per kind, each with its default appid unless given; naming any
 * (its appid or its secret) runs only the ones named. A multi-end app needs the mobile app
 * its login gives the openid of. Secrets not given come from the seed.
 */
export function sandboxCommandConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): SandboxCommandConfig {
  const input = readCommandInput(argv, env);
  const { given } = input;
  const seedOption = given('seed');
  const seed: SandboxSeedSource =
    seedOption === undefined
      ? { kind: 'default' }
      : seedOption.value === RANDOM_SEED
        ? { kind: 'random' }
        : { kind: 'given', from: seedOption.from };
  const secrets = seededSecrets(seedOption?.value ?? DEFAULT_SANDBOX_SEED);

  const options: WxSandboxOptions = {
    port: parsePort(given('port') ?? { value: '3001', from: '--port' }),
    host: given('host')?.value ?? '127.0.0.1',
    autoApprove: given('autoApprove')?.value ?? false,
    weComAutoApprove: given('weComAutoApprove')?.value ?? false,
    publicUrl: given('publicUrl')?.value,
  };
  const givenSecrets = new Map<string, string>();
  /** A given secret is printed as where it came from: `$VARIABLE`, or the flag. */
  const keep = (secret: GivenOption): string => {
    const shown = secret.from.startsWith('$') ? secret.from : `<the ${secret.from} you gave>`;
    givenSecrets.set(secret.value, shown);
    return secret.value;
  };

  const single = given('appid') ?? given('secret');
  const merchants = given('merchantAccounts');
  if (single && merchants)
    throw new Error(
      `${single.from} (one app) and ${merchants.from} (apps of their own) do not go together`,
    );
  let officialAccount: string | undefined;
  let merchantAppids: string[] = [];
  if (single) {
    const clash = KINDS.flatMap(([, appid, secret]) => [given(appid), given(secret)]).find(Boolean);
    if (clash) {
      throw new Error(
        `${single.from} (one app) and ${clash.from} (an app per kind) do not go together`,
      );
    }
    const appid = given('appid')?.value ?? DEFAULT_SANDBOX_APPID;
    const secret = given('secret');
    Object.assign(options, { appid, secret: secret ? keep(secret) : secrets.secret(appid) });
    officialAccount = appid;
  } else {
    const own = perKindApps(input, secrets, keep);
    const merchantApps = merchantAccountsOf(input, secrets);
    options.apps = [...own, ...merchantApps];
    merchantAppids = merchantApps.map((app) => app.appid);
    officialAccount = own.find((app) => app.kind === 'officialAccount')?.appid;
  }
  options.corps = [weComCorpOf(input, secrets, keep)];
  options.components = [componentOf(input, secrets, keep)];
  return {
    options,
    callbackUrl: given('callbackUrl')?.value ?? DEFAULT_CALLBACK_URL,
    weComCallbackUrl: given('weComCallbackUrl')?.value ?? DEFAULT_WECOM_CALLBACK_URL,
    givenSecrets,
    messagePush: messagePushOf(input, officialAccount, secrets, keep),
    merchantAppids,
    seed,
    quiet: input.quiet,
    help: input.help,
  };
}

/** The apps of the per-kind form: every kind by default, else the ones named. */
function perKindApps(
  { given, nameLike }: CommandInput,
  secrets: SeededSecrets,
  keep: (secret: GivenOption) => string,
): WxSandboxApp[] {
  const openPlatform = given('openPlatform')?.value ?? DEFAULT_OPEN_PLATFORM;
  const named = KINDS.some(([, appid, secret]) => given(appid) ?? given(secret));
  const apps: WxSandboxApp[] = [];
  for (const [kind, appidOption, secretOption] of KINDS) {
    const appidGiven = given(appidOption);
    const secretGiven = given(secretOption);
    if (named && !appidGiven && !secretGiven) continue;
    const appid = appidGiven?.value ?? DEFAULT_SANDBOX_APPS[kind];
    const app: WxSandboxApp = {
      appid,
      secret: secretGiven ? keep(secretGiven) : secrets.secret(appid),
      kind,
      openPlatform,
    };
    if (kind === 'multiEndApp') {
      // Its WeChat login gives the openid of the mobile app registered before it.
      const mobileApp = apps.find((other) => other.kind === 'mobileApp');
      if (!mobileApp) {
        const like = (appidGiven ?? secretGiven)!;
        throw new Error(
          `${like.from} runs a multi-end app, which logs in as a mobile app: ` +
            `give ${nameLike('mobileAppid', like)} (or ${nameLike('mobileSecret', like)}) too`,
        );
      }
      app.mobileAppid = mobileApp.appid;
    }
    apps.push(app);
  }
  return apps;
}

/**
 * The WeCom corp, always there beside the WeChat apps: its corpid and one app's agentid as
 * given or the defaults, the app's secret given or made up from the seed over
 * `<corpid>:<agentid>`, and the default members and non-members.
 */
function weComCorpOf(
  { given }: CommandInput,
  secrets: SeededSecrets,
  keep: (secret: GivenOption) => string,
): WxSandboxCorp {
  const corpid = given('weComCorpid')?.value ?? DEFAULT_SANDBOX_CORPID;
  const agentidGiven = given('weComAgentid');
  if (agentidGiven && !/^\d{1,10}$/.test(agentidGiven.value))
    throw new Error(
      `${agentidGiven.from} must be digits, e.g. 1000002, got '${agentidGiven.value}'`,
    );
  const agentid = agentidGiven?.value ?? DEFAULT_SANDBOX_AGENTID;
  const secret = given('weComSecret');
  return {
    corpid,
    apps: [{ agentid, secret: secret ? keep(secret) : secrets.secret(`${corpid}:${agentid}`) }],
  };
}

/**
 * Merchants' official accounts, which they authorise to the platform: `appid` or
 * `appid:Name`, comma-separated; each bound to no Open Platform account, its secret from the
 * seed (the platform never needs it).
 */
function merchantAccountsOf({ given }: CommandInput, secrets: SeededSecrets): WxSandboxApp[] {
  const list = given('merchantAccounts');
  if (!list) return [];
  return list.value.split(',').map((item) => {
    const [appid = '', ...name] = item.trim().split(':');
    if (!/^[A-Za-z0-9_-]+$/.test(appid))
      throw new Error(
        `${list.from} must be appid or appid:Name, comma-separated, got '${item.trim()}'`,
      );
    const app: WxSandboxApp = { appid, secret: secrets.secret(appid), kind: 'officialAccount' };
    return name.length > 0 ? { ...app, name: name.join(':').trim() } : app;
  });
}

/**
 * The official account's message push: the URL given, its Token and EncodingAESKey given or
 * made up from the seed (`plain` as the key: plain mode, no key), checked as WeChat's console
 * checks them, each refusal naming the option as the user gave it.
 */
function messagePushOf(
  { given, nameLike }: CommandInput,
  appid: string | undefined,
  secrets: SeededSecrets,
  keep: (secret: GivenOption) => string,
): SandboxCommandConfig['messagePush'] {
  const url = given('mpPushUrl');
  const token = given('mpPushToken');
  const aesKey = given('mpPushAesKey');
  if (!url) {
    const orphan = token ?? aesKey;
    if (orphan)
      throw new Error(`${orphan.from} is set but ${nameLike('mpPushUrl', orphan)} is not`);
    return undefined;
  }
  if (appid === undefined) {
    throw new Error(
      `${url.from} sets the official account's message push, but no official account runs: ` +
        `give ${nameLike('mpAppid', url)} (or ${nameLike('mpSecret', url)}) too`,
    );
  }
  const push: WxSandboxMessagePush = {
    url: url.value,
    token: token?.value ?? secrets.pushToken(appid),
  };
  if (aesKey?.value !== 'plain') push.encodingAesKey = aesKey?.value ?? secrets.aesKey(appid);
  const problem = consoleMessagePushProblem(push);
  if (problem) {
    const option = { url, token, encodingAesKey: aesKey }[problem.field];
    throw new Error(`${option?.from ?? 'the message push'} ${problem.message}`);
  }
  if (token) keep(token);
  if (aesKey && push.encodingAesKey !== undefined) keep(aesKey);
  return { appid, push };
}

/**
 * The third-party platform: its appid, secret, Token and EncodingAESKey given or made up from
 * the seed, the event URL its tickets and authorisation events are pushed to, and the ticket
 * interval in seconds (0: only on demand), checked as WeChat's console checks them.
 */
function componentOf(
  { given }: CommandInput,
  secrets: SeededSecrets,
  keep: (secret: GivenOption) => string,
): WxSandboxComponent {
  const appid = given('componentAppid')?.value ?? DEFAULT_SANDBOX_COMPONENT_APPID;
  const secret = given('componentSecret');
  const token = given('componentToken');
  const aesKey = given('componentAesKey');
  const url = given('componentEventUrl');
  const component: WxSandboxComponent = {
    appid,
    secret: secret ? keep(secret) : secrets.secret(appid),
    token: token?.value ?? secrets.pushToken(appid),
    encodingAesKey: aesKey?.value ?? secrets.aesKey(appid),
    ...(url === undefined ? {} : { eventUrl: url.value }),
    ticketIntervalMs: parseInterval(given('componentTicketInterval')),
  };
  const problem = consoleMessagePushProblem({
    url: url?.value ?? 'http://localhost/',
    token: component.token!,
    encodingAesKey: component.encodingAesKey,
  });
  if (problem) {
    const option = { url, token, encodingAesKey: aesKey }[problem.field];
    throw new Error(`${option?.from ?? 'the platform'} ${problem.message}`);
  }
  if (token) keep(token);
  if (aesKey) keep(aesKey);
  return component;
}

/** Seconds between two tickets, 0 for only on demand; in ms. */
function parseInterval(given: GivenOption | undefined): number {
  if (given === undefined) return DEFAULT_TICKET_INTERVAL_MS;
  if (!/^\d+$/.test(given.value))
    throw new Error(
      `${given.from} must be a whole number of seconds (0: only on demand), got '${given.value}'`,
    );
  return Number(given.value) * 1000;
}

function parsePort({ value, from }: GivenOption): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535)
    throw new Error(`${from} must be 0 to 65535, got '${value}'`);
  return port;
}
