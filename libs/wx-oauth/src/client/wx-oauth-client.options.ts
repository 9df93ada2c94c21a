import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { WX_LANGS, type WxLang } from './wx-oauth.types.js';

/** Options of the framework-free client, `new WXOAuth(options)`. */
export interface WXOAuthOptions {
  /** The official-account or website app's AppID. */
  appid: string;
  /** The AppSecret. Never logged, never put in an error. */
  secret: string;
  /** @default 'https://api.weixin.qq.com' */
  apiBaseUrl?: string;
  /** @default 'https://open.weixin.qq.com' */
  openBaseUrl?: string;
  /** Milliseconds to wait for each WeChat call. @default 5000 */
  timeout?: number;
  /** Language of userinfo's region fields. @default 'zh_CN' */
  lang?: WxLang;
  /** Try an idempotent call once more after a reset connection or errcode -1. @default true */
  retry?: boolean;
  /**
   * The app's own axios instance (a proxy, interceptors, tracing, or `HttpService.axiosRef`
   * from `@nestjs/axios`). Its interceptors see WeChat's URLs, secret included.
   * @default one with keep-alive agents and the proxy of `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`
   */
  axios?: AxiosInstance;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

export const wxClientOptionsShape = {
  // WeChat's appids are wx and 16 hex digits; anything that could break a URL or a cookie is refused.
  appid: z
    .string({ error: 'is required' })
    .trim()
    .min(1, { error: 'is required', abort: true })
    .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _'),
  secret: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  apiBaseUrl: httpUrl.default('https://api.weixin.qq.com'),
  openBaseUrl: httpUrl.default('https://open.weixin.qq.com'),
  timeout: z.number().int().positive().max(120_000).default(5000),
  lang: z.enum(WX_LANGS as [WxLang, ...WxLang[]]).default('zh_CN'),
  retry: z.boolean().default(true),
  axios: z
    .custom<AxiosInstance>(
      (value) => typeof (value as AxiosInstance | null)?.get === 'function',
      'must be an axios instance',
    )
    .optional(),
};

/** @internal The client's options validated, with defaults applied. */
export type WxClientSettings = Required<Omit<WXOAuthOptions, 'axios'>> &
  Pick<WXOAuthOptions, 'axios'>;

/**
 * Validates options and applies defaults. Throws one error naming every bad
 * option; values are never echoed, so a secret cannot end up in the message.
 */
export function parseOptions<T>(
  schema: z.ZodType<T>,
  options: unknown,
  subject: string,
  nameOf: (path: string) => string = (path) => path,
): T {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  - ${nameOf(issue.path.join('.')) || '(options)'}: ${issue.message}`,
  );
  throw new TypeError(`Invalid ${subject} options:\n${lines.join('\n')}`);
}

const wxClientOptionsSchema = z.object(wxClientOptionsShape);

export function resolveClientOptions(options: WXOAuthOptions): WxClientSettings {
  return parseOptions(wxClientOptionsSchema, options, 'WXOAuth');
}
