import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { WX_LANGS, type WxLang } from './wx-oauth.types.js';

/**
 * The third-party platform (开放平台第三方平台) an app is served through: a
 * merchant's official account or mini-program authorised to the platform, which
 * then logs its users in on its behalf, holding no secret of the merchant's.
 *
 * @publicApi
 */
export interface WxOnBehalfOf {
  /** The platform's `component_appid`. */
  appid: string;
  /**
   * Runs `call` with the platform's `component_access_token`, and once more with a new one when
   * WeChat refuses it (40001, 42001). `WxOAuthModule` gives its own, shared across instances.
   */
  withToken<T>(call: (componentAccessToken: string) => Promise<T>): Promise<T>;
  /** The merchant's `authorizer_refresh_token`, for the merchant's own token (`getStableAccessToken`). */
  authorizerRefreshToken?: string;
}

/** Options of the framework-free client, `new WXOAuth(options)`. */
export interface WXOAuthOptions {
  /** The official-account or website app's AppID. */
  appid: string;
  /** The AppSecret. Never logged, never put in an error. None for an app served through the platform (`component`). */
  secret?: string;
  /** The third-party platform the app is served through, instead of its `secret`: every call is made on its behalf. */
  component?: WxOnBehalfOf;
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
export type WxClientSettings = Required<Omit<WXOAuthOptions, 'axios' | 'secret' | 'component'>> &
  Pick<WXOAuthOptions, 'axios' | 'secret' | 'component'>;

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

const wxClientOptionsSchema = z
  .object({
    ...wxClientOptionsShape,
    secret: wxClientOptionsShape.secret.optional(),
    component: z
      .object({
        appid: wxClientOptionsShape.appid,
        withToken: z.custom<WxOnBehalfOf['withToken']>(
          (value) => typeof value === 'function',
          'must be a function',
        ),
        authorizerRefreshToken: z.string().min(1).optional(),
      })
      .optional(),
  })
  // An app is called with its own secret, or on the platform's behalf: never both, never neither.
  .superRefine((options, context) => {
    if ((options.secret === undefined) === (options.component === undefined))
      context.addIssue({
        code: 'custom',
        path: ['secret'],
        message:
          options.secret === undefined
            ? 'is required (or component: the third-party platform the app is served through)'
            : "must be left out with component: the platform calls on the app's behalf",
      });
  });

export function resolveClientOptions(options: WXOAuthOptions): WxClientSettings {
  return parseOptions(wxClientOptionsSchema, options, 'WXOAuth');
}
