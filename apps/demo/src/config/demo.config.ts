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

/** Where WeChat is for this run: real WeChat, a sandbox running on its own, or one the demo starts. */
export type DemoTarget = 'wechat' | 'sandbox' | 'in-process-sandbox';

/**
 * The demo's configuration as `ConfigService` serves it: the variables, their
 * defaults, and the WeChat connection resolved (`WX_*` from a separate sandbox's
 * `WX_SANDBOX_*`), so the app reads one set of keys whatever the target.
 */
export type DemoEnv = z.infer<typeof envSchema> & {
  WX_CALLBACK_URL: string;
  SESSION_SECRET: string;
  /** Whether SESSION_SECRET was generated, so the app can say sessions end with it. */
  SESSION_SECRET_GENERATED: boolean;
  WX_TARGET: DemoTarget;
};

/** `ConfigModule.forRoot({ validate })`: checks the environment; throws one message naming every bad variable, never its value. */
export function validateDemoEnv(env: Record<string, unknown>): DemoEnv {
  const parsed = envSchema.safeParse(
    // An empty variable (as docker-compose passes `${X:-}`) means unset.
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment for the demo:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const target: DemoTarget = e.WX_APPID ? 'wechat' : e.WX_SANDBOX_URL ? 'sandbox' : 'in-process-sandbox';
  return {
    ...e,
    ...(target === 'sandbox'
      ? {
          WX_APPID: e.WX_SANDBOX_APPID,
          WX_SECRET: e.WX_SANDBOX_SECRET,
          WX_API_BASE_URL: e.WX_SANDBOX_URL,
          // The browser may reach the sandbox by another address than the demo does (a port mapping).
          WX_OPEN_BASE_URL: e.WX_SANDBOX_PUBLIC_URL ?? e.WX_SANDBOX_URL,
        }
      : {}),
    WX_CALLBACK_URL: e.WX_CALLBACK_URL ?? `http://localhost:${e.PORT}/auth/wechat/callback`,
    SESSION_SECRET: e.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    SESSION_SECRET_GENERATED: !e.SESSION_SECRET,
    WX_TARGET: target,
  };
}
