import { parseArgs } from 'node:util';

/** Each string option of the command, its flag and the environment variable that also sets it. */
export const COMMAND_OPTIONS = {
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
  weComCorpid: { flag: 'wecom-corpid', env: 'WX_SANDBOX_WECOM_CORPID' },
  weComAgentid: { flag: 'wecom-agentid', env: 'WX_SANDBOX_WECOM_AGENTID' },
  weComSecret: { flag: 'wecom-secret', env: 'WX_SANDBOX_WECOM_SECRET' },
  weComAutoApprove: { flag: 'wecom-auto-approve', env: 'WX_SANDBOX_WECOM_AUTO_APPROVE' },
  mpPushUrl: { flag: 'mp-push-url', env: 'WX_SANDBOX_MP_PUSH_URL' },
  mpPushToken: { flag: 'mp-push-token', env: 'WX_SANDBOX_MP_PUSH_TOKEN' },
  mpPushAesKey: { flag: 'mp-push-aes-key', env: 'WX_SANDBOX_MP_PUSH_AES_KEY' },
  componentAppid: { flag: 'component-appid', env: 'WX_SANDBOX_COMPONENT_APPID' },
  componentSecret: { flag: 'component-secret', env: 'WX_SANDBOX_COMPONENT_SECRET' },
  componentToken: { flag: 'component-token', env: 'WX_SANDBOX_COMPONENT_TOKEN' },
  componentAesKey: { flag: 'component-aes-key', env: 'WX_SANDBOX_COMPONENT_AES_KEY' },
  componentEventUrl: { flag: 'component-event-url', env: 'WX_SANDBOX_COMPONENT_EVENT_URL' },
  merchantAccounts: { flag: 'merchant-accounts', env: 'WX_SANDBOX_MERCHANT_ACCOUNTS' },
  componentTicketInterval: {
    flag: 'component-ticket-interval',
    env: 'WX_SANDBOX_COMPONENT_TICKET_INTERVAL',
  },
  seed: { flag: 'seed', env: 'WX_SANDBOX_SEED' },
  autoApprove: { flag: 'auto-approve', env: 'WX_SANDBOX_AUTO_APPROVE' },
  publicUrl: { flag: 'public-url', env: 'WX_SANDBOX_PUBLIC_URL' },
  callbackUrl: { flag: 'callback-url', env: 'WX_CALLBACK_URL' },
  weComCallbackUrl: { flag: 'wecom-callback-url', env: 'WX_WECOM_CALLBACK_URL' },
} as const;

export type CommandOption = keyof typeof COMMAND_OPTIONS;

/** The switch that turns the request log off, and its variable. */
const QUIET = { flag: 'quiet', env: 'WX_SANDBOX_QUIET' } as const;

/** An option's value, and how the user gave it: `--flag`, or `$VARIABLE`. */
export interface GivenOption {
  value: string;
  from: string;
}

/** The command line and environment, read: each option as given, the flag first. */
export interface CommandInput {
  given(option: CommandOption): GivenOption | undefined;
  /**
   * How to name `option` to a user who gave `like`: its flag to one who used flags, its
   * variable to one who used the environment, so a message speaks as the user wrote.
   */
  nameLike(option: CommandOption, like: GivenOption): string;
  quiet: boolean;
  help: boolean;
}

/** Reads the flags over the environment; an empty variable counts as unset. */
export function readCommandInput(argv: readonly string[], env: NodeJS.ProcessEnv): CommandInput {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(
        Object.values(COMMAND_OPTIONS).map(({ flag }) => [flag, { type: 'string' as const }]),
      ),
      [QUIET.flag]: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const flags = values as Record<string, string | boolean | undefined>;
  return {
    given: (option) => {
      const { flag, env: variable } = COMMAND_OPTIONS[option];
      const flagValue = flags[flag];
      if (typeof flagValue === 'string' && flagValue)
        return { value: flagValue, from: `--${flag}` };
      const envValue = env[variable];
      return envValue ? { value: envValue, from: `$${variable}` } : undefined;
    },
    nameLike: (option, like) =>
      like.from.startsWith('--')
        ? `--${COMMAND_OPTIONS[option].flag}`
        : `$${COMMAND_OPTIONS[option].env}`,
    quiet: flags[QUIET.flag] === true || isOn(env[QUIET.env]),
    help: flags.help === true,
  };
}

/** A switch's variable: `1`, `true` or `yes` is on; unset, empty, `0`, `false` or `no` off. */
function isOn(value: string | undefined): boolean {
  const normalized = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(normalized)) return false;
  if (['1', 'true', 'yes'].includes(normalized)) return true;
  throw new Error(`$${QUIET.env} must be 1 or 0`);
}
