import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const appid = z.string().trim().min(1).optional();
const secret = z.string().trim().min(1).optional();
const url = z.url({ protocol: /^https?$/ }).optional();
/** A WeCom app's AgentId: digits. */
const agentid = z
  .string()
  .trim()
  .regex(/^\d{1,12}$/, "must be digits, the app's AgentId")
  .optional();

/** `host:port,host:port` (`[::1]:6379` for IPv6): a Redis Cluster's nodes, or sentinels. */
const redisNodes = z
  .string()
  .transform((list, context) => {
    const nodes = list.split(',').map((item) => {
      const [, host = '', port = ''] = /^\[?([^\s[\]]+?)\]?:(\d{1,5})$/.exec(item.trim()) ?? [];
      return { host, port: Number(port) };
    });
    if (nodes.every(({ host, port }) => host && port > 0 && port < 65536)) return nodes;
    context.addIssue({ code: 'custom', message: 'must be host:port, comma-separated' });
    return z.NEVER;
  })
  .optional();

/** Where `npm start` keeps its users with no DATABASE_URL: delete the file to start afresh. */
export const DEMO_DB_FILE_DEFAULT = 'data/demo.sqlite';

/** Pairs of variables that go together: an app's appid and secret; a WeCom app's corpid, AgentId and secret. */
const PAIRS = [
  ['WX_APPID', 'WX_SECRET'],
  ['WX_MP_APPID', 'WX_MP_SECRET'],
  ['WX_WEB_APPID', 'WX_WEB_SECRET'],
  ['WX_MINI_APPID', 'WX_MINI_SECRET'],
  ['WX_MOBILE_APPID', 'WX_MOBILE_SECRET'],
  ['WX_MULTIEND_APPID', 'WX_MULTIEND_SECRET'],
  ['WX_WECOM_CORPID', 'WX_WECOM_AGENTID'],
  ['WX_WECOM_CORPID', 'WX_WECOM_SECRET'],
  ['WX_SANDBOX_MP_APPID', 'WX_SANDBOX_MP_SECRET'],
  ['WX_SANDBOX_WEB_APPID', 'WX_SANDBOX_WEB_SECRET'],
  ['WX_SANDBOX_MINI_APPID', 'WX_SANDBOX_MINI_SECRET'],
  ['WX_SANDBOX_MOBILE_APPID', 'WX_SANDBOX_MOBILE_SECRET'],
  ['WX_SANDBOX_MULTIEND_APPID', 'WX_SANDBOX_MULTIEND_SECRET'],
  ['WX_SANDBOX_WECOM_CORPID', 'WX_SANDBOX_WECOM_AGENTID'],
  ['WX_SANDBOX_WECOM_CORPID', 'WX_SANDBOX_WECOM_SECRET'],
] as const;

/** The demo's environment, validated at start-up. */
const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    // Loopback unless told otherwise: the container image sets 0.0.0.0, inside the container only.
    HOST: z.string().default('127.0.0.1'),
    /** Real WeChat: one official account (the seed's names), or an official account and a website app. */
    WX_APPID: appid,
    WX_SECRET: secret,
    WX_MP_APPID: appid,
    WX_MP_SECRET: secret,
    WX_WEB_APPID: appid,
    WX_WEB_SECRET: secret,
    /** The mini-program, beside the web apps: its login at POST /auth/wechat/miniprogram. */
    WX_MINI_APPID: appid,
    WX_MINI_SECRET: secret,
    /** The native app (an Open Platform mobile app): its login at POST /auth/wechat/app. */
    WX_MOBILE_APPID: appid,
    WX_MOBILE_SECRET: secret,
    /** A multi-end app logging in as that mobile app (wx.weixinAppLogin()), optional. */
    WX_MULTIEND_APPID: appid,
    WX_MULTIEND_SECRET: secret,
    WX_CALLBACK_URL: url,
    /**
     * Real WeCom (企业微信): a corp's self-built app, its login at GET /auth/wecom (its callback too,
     * WX_WECOM_CALLBACK_URL), beside the WeChat apps or alone.
     */
    WX_WECOM_CORPID: appid,
    WX_WECOM_AGENTID: agentid,
    WX_WECOM_SECRET: secret,
    WX_WECOM_CALLBACK_URL: url,
    WX_WECOM_API_BASE_URL: url,
    WX_WECOM_LOGIN_BASE_URL: url,
    WX_SCOPE: z.enum(['snsapi_base', 'snsapi_userinfo']).default('snsapi_userinfo'),
    WX_API_BASE_URL: url,
    WX_OPEN_BASE_URL: url,
    /** A sandbox running on its own (docker-compose), with its apps; without it the demo starts one in-process. */
    WX_SANDBOX_URL: url,
    WX_SANDBOX_PUBLIC_URL: url,
    WX_SANDBOX_APPID: z.string().trim().min(1).default('wx0sandbox0appid'),
    WX_SANDBOX_SECRET: secret,
    WX_SANDBOX_MP_APPID: appid,
    WX_SANDBOX_MP_SECRET: secret,
    WX_SANDBOX_WEB_APPID: appid,
    WX_SANDBOX_WEB_SECRET: secret,
    WX_SANDBOX_MINI_APPID: appid,
    WX_SANDBOX_MINI_SECRET: secret,
    WX_SANDBOX_MOBILE_APPID: appid,
    WX_SANDBOX_MOBILE_SECRET: secret,
    WX_SANDBOX_MULTIEND_APPID: appid,
    WX_SANDBOX_MULTIEND_SECRET: secret,
    /** That sandbox's WeCom corp and app (the sandbox command's variables). */
    WX_SANDBOX_WECOM_CORPID: appid,
    WX_SANDBOX_WECOM_AGENTID: agentid,
    WX_SANDBOX_WECOM_SECRET: secret,
    /** The official account's message push (its console's Token and EncodingAESKey): the follow login. */
    // Checked by the library under these names (wxOAuthFromConfig), as every WX_* key of the module is.
    WX_MP_TOKEN: z.string().optional(),
    WX_MP_AES_KEY: z.string().optional(),
    /**
     * That sandbox's message push (the sandbox command's variables): the demo checks the pushes
     * with them while it uses that sandbox and no WX_MP_TOKEN is set; `plain` as the key: no key.
     */
    WX_SANDBOX_MP_PUSH_TOKEN: z.string().optional(),
    WX_SANDBOX_MP_PUSH_AES_KEY: z.string().optional(),
    /**
     * The third-party platform (开放平台第三方平台): the demo runs as a small SaaS whose merchants
     * connect their official accounts. Checked by the library (wxOAuthFromConfig): all four or none.
     */
    WX_COMPONENT_APPID: appid,
    WX_COMPONENT_SECRET: secret,
    WX_COMPONENT_TOKEN: z.string().optional(),
    WX_COMPONENT_AES_KEY: z.string().optional(),
    /**
     * The SaaS on a sandbox's platform, with no WX_COMPONENT_* (`true`); off by default: the
     * in-process sandbox's, or a separate one's (WX_SANDBOX_URL) with WX_SANDBOX_COMPONENT_*.
     */
    DEMO_SAAS: z.stringbool().default(false),
    /** That separate sandbox's platform (the sandbox command's variables). */
    WX_SANDBOX_COMPONENT_APPID: z.string().trim().min(1).default('wx0sandbox0component'),
    WX_SANDBOX_COMPONENT_SECRET: secret,
    WX_SANDBOX_COMPONENT_TOKEN: z.string().optional(),
    WX_SANDBOX_COMPONENT_AES_KEY: z.string().optional(),
    /** Keep WeChat tokens and login states in Redis, shared by every instance; in memory when unset. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Or a Redis Cluster: some of its nodes. */
    REDIS_CLUSTER_NODES: redisNodes,
    /** Or the master that Redis Sentinel watches: the sentinels, and the master's name. */
    REDIS_SENTINELS: redisNodes,
    REDIS_SENTINEL_NAME: z.string().trim().min(1).optional(),
    /** The demo's users and their WeChat identities in PostgreSQL, shared by every instance. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** Without DATABASE_URL: the embedded database's file (sql.js), relative to the working directory; `:memory:` keeps it in memory. */
    DEMO_DB_FILE: z.string().trim().min(1).default(DEMO_DB_FILE_DEFAULT),
    /** Signs the session cookie; random per start when unset, which logs everyone out on restart. */
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  })
  .superRefine(
    (env, context) => {
      const issue = (key: string, message: string) =>
        context.addIssue({ code: 'custom', path: [key], message });
      for (const [id, key] of PAIRS) {
        if (env[id] && !env[key]) issue(key, `is required with ${id}`);
        if (!env[id] && env[key]) issue(id, `is required with ${key}`);
      }
      const redis = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;
      if (redis.filter((key) => env[key]).length > 1)
        issue('REDIS_URL', `set one of ${redis.join(', ')}, not several`);
      if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
        issue('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS');
      if (!env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME)
        issue('REDIS_SENTINELS', 'is required with REDIS_SENTINEL_NAME');
      if (env.WX_APPID && (env.WX_MP_APPID || env.WX_WEB_APPID))
        issue('WX_APPID', 'set WX_APPID or WX_MP_APPID / WX_WEB_APPID, not both');
      // The separate sandbox is used only while no real app is set.
      const sandboxApp =
        env.WX_SANDBOX_SECRET ||
        env.WX_SANDBOX_MP_APPID ||
        env.WX_SANDBOX_WEB_APPID ||
        env.WX_SANDBOX_WECOM_CORPID;
      // A separate sandbox's or real WeChat's platform has secrets of its own: only the in-process one is the demo's to make.
      if (env.DEMO_SAAS && !env.WX_COMPONENT_APPID) {
        if (isRealApp(env))
          issue(
            'WX_COMPONENT_APPID',
            'is required with DEMO_SAAS and real WeChat (WX_COMPONENT_*)',
          );
        else if (env.WX_SANDBOX_URL && !env.WX_SANDBOX_COMPONENT_SECRET)
          issue(
            'WX_SANDBOX_COMPONENT_SECRET',
            "is required with DEMO_SAAS and WX_SANDBOX_URL: the sandbox's platform (WX_SANDBOX_COMPONENT_*)",
          );
      }
      if (env.WX_SANDBOX_URL && !isRealApp(env) && !sandboxApp) {
        issue(
          'WX_SANDBOX_SECRET',
          'is required with WX_SANDBOX_URL (or WX_SANDBOX_MP_* / WX_SANDBOX_WEB_* / WX_SANDBOX_WECOM_*)',
        );
      }
    },
    // Reported with the other variables' problems, not after they are fixed.
    { when: () => true },
  );

/**
 * Where WeChat (and WeCom) is for this run: the real ones, a sandbox running on its own, or one
 * the demo starts.
 */
export type DemoTarget = 'wechat' | 'sandbox' | 'in-process-sandbox';

type ParsedEnv = z.infer<typeof envSchema>;

/** A real app is set, WeChat's or WeCom's: then no sandbox is used. */
function isRealApp(env: Partial<ParsedEnv>): boolean {
  return Boolean(env.WX_APPID || env.WX_MP_APPID || env.WX_WEB_APPID || env.WX_WECOM_CORPID);
}

/**
 * The demo's configuration as `ConfigService` serves it: the variables, their
 * defaults, and the WeChat apps resolved into `WX_MP_*` (the official account),
 * `WX_WEB_*` (the website app), `WX_MINI_*` (the mini-program), `WX_MOBILE_*` (the native
 * app), `WX_MULTIEND_*` (its multi-end app) and `WX_WECOM_*` (the WeCom app), from the seed's
 * `WX_APPID` (an official account) or a separate sandbox's `WX_SANDBOX_*`, so the app reads
 * one set of keys whatever the target; likewise the third-party platform into
 * `WX_COMPONENT_*`, and `DEMO_SAAS` resolved to whether the demo runs as a SaaS on it.
 * `WX_WECOM_CALLBACK_URL` is set when there is a WeCom app: always with the in-process
 * sandbox, whose corp the app module adds.
 */
export type DemoEnv = Omit<
  ParsedEnv,
  | 'WX_APPID'
  | 'WX_SECRET'
  | 'WX_SANDBOX_COMPONENT_APPID'
  | 'WX_SANDBOX_COMPONENT_SECRET'
  | 'WX_SANDBOX_COMPONENT_TOKEN'
  | 'WX_SANDBOX_COMPONENT_AES_KEY'
> & {
  WX_CALLBACK_URL: string;
  SESSION_SECRET: string;
  /** Whether SESSION_SECRET was generated, so the app can say sessions end with it. */
  SESSION_SECRET_GENERATED: boolean;
  WX_TARGET: DemoTarget;
  /**
   * Whether the demo runs as a SaaS on a third-party platform: WX_COMPONENT_* set, or DEMO_SAAS
   * with the in-process sandbox, whose platform it then uses.
   */
  DEMO_SAAS: boolean;
};

/** `ConfigModule.forRoot({ validate })`: checks the environment; throws one message naming every bad variable, never its value. */
export function validateDemoEnv(env: Record<string, unknown>): DemoEnv {
  const parsed = envSchema.safeParse(
    // An empty variable (as docker-compose passes `${X:-}`) means unset.
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  - ${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`Invalid environment for the demo:\n${lines.join('\n')}`);
  }
  const {
    WX_APPID,
    WX_SECRET,
    WX_SANDBOX_MP_PUSH_TOKEN,
    WX_SANDBOX_MP_PUSH_AES_KEY,
    WX_SANDBOX_COMPONENT_APPID,
    WX_SANDBOX_COMPONENT_SECRET,
    WX_SANDBOX_COMPONENT_TOKEN,
    WX_SANDBOX_COMPONENT_AES_KEY,
    ...e
  } = parsed.data;
  // A platform alone (WX_COMPONENT_*) is real WeChat's too: its merchants need no app of the site's.
  const target: DemoTarget = isRealApp(parsed.data)
    ? 'wechat'
    : e.WX_SANDBOX_URL
      ? 'sandbox'
      : e.WX_COMPONENT_APPID
        ? 'wechat'
        : 'in-process-sandbox';
  const weCom =
    target === 'in-process-sandbox' ||
    Boolean(target === 'sandbox' ? e.WX_SANDBOX_WECOM_CORPID : e.WX_WECOM_CORPID);
  return {
    ...e,
    // The seed's single app is an official account: the login inside WeChat.
    ...(WX_APPID ? { WX_MP_APPID: WX_APPID, WX_MP_SECRET: WX_SECRET } : {}),
    ...(target === 'sandbox'
      ? {
          // Its single app (WX_SANDBOX_APPID), like the seed's, is taken as an official account.
          WX_MP_APPID:
            e.WX_SANDBOX_MP_APPID ?? (e.WX_SANDBOX_SECRET ? e.WX_SANDBOX_APPID : undefined),
          WX_MP_SECRET: e.WX_SANDBOX_MP_SECRET ?? e.WX_SANDBOX_SECRET,
          WX_WEB_APPID: e.WX_SANDBOX_WEB_APPID,
          WX_WEB_SECRET: e.WX_SANDBOX_WEB_SECRET,
          WX_MINI_APPID: e.WX_SANDBOX_MINI_APPID,
          WX_MINI_SECRET: e.WX_SANDBOX_MINI_SECRET,
          WX_MOBILE_APPID: e.WX_SANDBOX_MOBILE_APPID,
          WX_MOBILE_SECRET: e.WX_SANDBOX_MOBILE_SECRET,
          WX_MULTIEND_APPID: e.WX_SANDBOX_MULTIEND_APPID,
          WX_MULTIEND_SECRET: e.WX_SANDBOX_MULTIEND_SECRET,
          WX_API_BASE_URL: e.WX_SANDBOX_URL,
          // The browser may reach the sandbox by another address than the demo does (a port mapping).
          WX_OPEN_BASE_URL: e.WX_SANDBOX_PUBLIC_URL ?? e.WX_SANDBOX_URL,
          // Its WeCom corp: WeCom's API, its web login page (in the browser), and the in-client
          // authorize page on WX_OPEN_BASE_URL's host, as on open.weixin.qq.com.
          WX_WECOM_CORPID: e.WX_SANDBOX_WECOM_CORPID,
          WX_WECOM_AGENTID: e.WX_SANDBOX_WECOM_AGENTID,
          WX_WECOM_SECRET: e.WX_SANDBOX_WECOM_SECRET,
          ...(e.WX_SANDBOX_WECOM_CORPID
            ? {
                WX_WECOM_API_BASE_URL: e.WX_SANDBOX_URL,
                WX_WECOM_LOGIN_BASE_URL: e.WX_SANDBOX_PUBLIC_URL ?? e.WX_SANDBOX_URL,
              }
            : {}),
        }
      : {}),
    WX_CALLBACK_URL: e.WX_CALLBACK_URL ?? `http://localhost:${e.PORT}/auth/wechat/callback`,
    // The WeCom login's route is its own callback; unset without a WeCom app, which it would otherwise ask for.
    WX_WECOM_CALLBACK_URL: weCom
      ? (e.WX_WECOM_CALLBACK_URL ?? `http://localhost:${e.PORT}/auth/wecom`)
      : undefined,
    // The in-process sandbox pushes to the demo with a token of its own: the follow login works out of the box.
    WX_MP_TOKEN:
      e.WX_MP_TOKEN ??
      (target === 'in-process-sandbox' ? randomBytes(16).toString('hex') : undefined),
    // A sandbox on its own pushes with the Token and key it was given, for its official account;
    // never used with real WeChat, whose push is WX_MP_TOKEN's alone.
    ...(target === 'sandbox' &&
    (e.WX_SANDBOX_MP_APPID || e.WX_SANDBOX_SECRET) &&
    !e.WX_MP_TOKEN &&
    WX_SANDBOX_MP_PUSH_TOKEN
      ? {
          WX_MP_TOKEN: WX_SANDBOX_MP_PUSH_TOKEN,
          WX_MP_AES_KEY:
            e.WX_MP_AES_KEY ??
            (WX_SANDBOX_MP_PUSH_AES_KEY === 'plain' ? undefined : WX_SANDBOX_MP_PUSH_AES_KEY),
        }
      : {}),
    SESSION_SECRET: e.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    SESSION_SECRET_GENERATED: !e.SESSION_SECRET,
    // A separate sandbox's platform, with DEMO_SAAS: the demo reads it as WX_COMPONENT_*, as the library does.
    ...(target === 'sandbox' && e.DEMO_SAAS && !e.WX_COMPONENT_APPID
      ? {
          WX_COMPONENT_APPID: WX_SANDBOX_COMPONENT_APPID,
          WX_COMPONENT_SECRET: WX_SANDBOX_COMPONENT_SECRET,
          WX_COMPONENT_TOKEN: WX_SANDBOX_COMPONENT_TOKEN,
          WX_COMPONENT_AES_KEY: WX_SANDBOX_COMPONENT_AES_KEY,
        }
      : {}),
    WX_TARGET: target,
    DEMO_SAAS:
      e.WX_COMPONENT_APPID !== undefined ||
      (e.DEMO_SAAS && (target === 'in-process-sandbox' || target === 'sandbox')),
  };
}
