import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The demo's environment, validated at start-up. */
const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    /** Real WeChat (or any WeChat-compatible host): both set, or neither. */
    WX_APPID: z.string().trim().min(1).optional(),
    WX_SECRET: z.string().trim().min(1).optional(),
    WX_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
    WX_SCOPE: z.enum(['snsapi_base', 'snsapi_userinfo']).default('snsapi_userinfo'),
    WX_API_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    WX_OPEN_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** A sandbox running on its own (docker-compose); without it the demo starts one in-process. */
    WX_SANDBOX_URL: z.url({ protocol: /^https?$/ }).optional(),
    WX_SANDBOX_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    WX_SANDBOX_APPID: z.string().trim().min(1).default('wx0sandbox0appid'),
    WX_SANDBOX_SECRET: z.string().trim().min(1).optional(),
    /** Keep WeChat tokens and login states in Redis, shared by every instance; in memory when unset. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Signs the session cookie; random per start when unset, which logs everyone out on restart. */
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  })
  .refine((env) => !env.WX_APPID || env.WX_SECRET, {
    path: ['WX_SECRET'],
    message: 'is required with WX_APPID',
    when: () => true, // report it alongside other problems, not after they are fixed
  })
  .refine((env) => env.WX_APPID || !env.WX_SANDBOX_URL || env.WX_SANDBOX_SECRET, {
    path: ['WX_SANDBOX_SECRET'],
    message: 'is required with WX_SANDBOX_URL',
    when: () => true,
  });

export type DemoEnv = z.infer<typeof envSchema>;

export interface WeChatConnection {
  appid: string;
  secret: string;
  apiBaseUrl?: string;
  openBaseUrl?: string;
}

/** Where WeChat is for this run: real WeChat, a sandbox running on its own, or one the demo starts. */
export type WeChatTarget = { kind: 'wechat' | 'sandbox'; connection: WeChatConnection } | { kind: 'in-process-sandbox' };

export interface DemoConfig {
  port: number;
  host: string;
  callbackURL: string;
  scope: 'snsapi_base' | 'snsapi_userinfo';
  sessionSecret: string;
  /** Whether the session secret was generated, so the app can say sessions end with it. */
  sessionSecretGenerated: boolean;
  target: WeChatTarget;
  redisUrl?: string;
}

/** Reads and validates the environment; throws one message naming every bad variable (never its value). */
export function loadDemoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const parsed = envSchema.safeParse(
    // An empty variable (as docker-compose passes `${X:-}`) means unset.
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment for the demo:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    callbackURL: e.WX_CALLBACK_URL ?? `http://localhost:${e.PORT}/auth/wechat/callback`,
    scope: e.WX_SCOPE,
    sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    sessionSecretGenerated: !e.SESSION_SECRET,
    target: targetOf(e),
    redisUrl: e.REDIS_URL,
  };
}

function targetOf(e: DemoEnv): WeChatTarget {
  if (e.WX_APPID && e.WX_SECRET) {
    const connection = { appid: e.WX_APPID, secret: e.WX_SECRET, apiBaseUrl: e.WX_API_BASE_URL, openBaseUrl: e.WX_OPEN_BASE_URL };
    return { kind: 'wechat', connection };
  }
  if (e.WX_SANDBOX_URL && e.WX_SANDBOX_SECRET) {
    const connection = {
      appid: e.WX_SANDBOX_APPID,
      secret: e.WX_SANDBOX_SECRET,
      apiBaseUrl: e.WX_SANDBOX_URL,
      // The browser may reach the sandbox by another address than the demo does (a port mapping).
      openBaseUrl: e.WX_SANDBOX_PUBLIC_URL ?? e.WX_SANDBOX_URL,
    };
    return { kind: 'sandbox', connection };
  }
  return { kind: 'in-process-sandbox' };
}
