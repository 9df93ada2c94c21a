import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { WECHAT_ERRCODES, type WxErrcodes, WxOAuthError } from './wx-oauth.error.js';
import { createWxAxios, isWxAxios, WX_CALL_CONFIG } from './wx-axios.js';

export interface WxHttpOptions {
  apiBaseUrl: string;
  timeout: number;
  retry: boolean;
  /** The app's own instance; without one, `createWxAxios` makes a pooled one. */
  axios?: AxiosInstance;
  /** Whose API this is: its name in messages and its errcodes. @default WeChat's */
  errcodes?: WxErrcodes;
}

/** Query parameters whose values must never reach a message or a log line. */
const SECRET_PARAMS = [
  'secret',
  'appsecret',
  'corpsecret',
  'access_token',
  'refresh_token',
  'code',
  'js_code',
  'user_ticket',
  // The third-party platform's.
  'component_appsecret',
  'component_secret',
  'component_verify_ticket',
  'component_access_token',
  'authorizer_refresh_token',
  'authorization_code',
];

/**
 * WeChat's back channel on axios: GET with query parameters or POST with JSON, and WeChat's
 * quirks handled in one place: JSON bodies sent as `text/plain`, errors sent as
 * HTTP 200 `{errcode, errmsg}`. Every failure becomes a `WxOAuthError` built
 * from the path alone: axios's own errors carry the URL, and so the secret.
 */
export class WxHttpClient {
  private readonly baseUrl: string;
  private readonly axios: AxiosInstance;
  /** Only an instance made here is closed here; the app's own is the app's. */
  private readonly ownsAxios: boolean;
  /** Per call: empty for an instance of createWxAxios, which has it as its defaults. */
  private readonly callConfig: AxiosRequestConfig;
  private readonly errcodes: WxErrcodes;

  constructor(private readonly options: WxHttpOptions) {
    this.baseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.errcodes = options.errcodes ?? WECHAT_ERRCODES;
    this.ownsAxios = !options.axios;
    this.axios = options.axios ?? createWxAxios(this.baseUrl);
    // A shared instance of createWxAxios (the tenants' pool) has the call settings as defaults too.
    this.callConfig = isWxAxios(this.axios) ? {} : WX_CALL_CONFIG;
  }

  /**
   * GETs a `/sns` endpoint and returns its JSON body. `idempotent` calls are tried
   * once more after a reset connection (a stale keep-alive socket) or errcode -1;
   * a code exchange is not idempotent: WeChat would answer the retry with 40163.
   */
  async get<T>(path: string, params: Record<string, string>, idempotent: boolean): Promise<T> {
    return this.call<T>(path, params, undefined, idempotent);
  }

  /**
   * POSTs JSON to a `/cgi-bin` endpoint, `params` in the query (the app token),
   * and returns its JSON body; retried as `get` is when `idempotent`.
   */
  async post<T>(
    path: string,
    params: Record<string, string>,
    body: Record<string, unknown>,
    idempotent: boolean,
  ): Promise<T> {
    return this.call<T>(path, params, body, idempotent);
  }

  private async call<T>(
    path: string,
    params: Record<string, string>,
    body: Record<string, unknown> | undefined,
    idempotent: boolean,
  ): Promise<T> {
    const attempts = idempotent && this.options.retry ? 2 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(path, params, body);
      } catch (error) {
        if (attempt >= attempts || !RETRYABLE.has(error as object)) throw error;
      }
    }
  }

  /** Closes the pooled connections of the instance made here. */
  close(): void {
    if (!this.ownsAxios) return;
    const { httpAgent, httpsAgent } = this.axios.defaults;
    (httpAgent as { destroy?(): void } | undefined)?.destroy?.();
    (httpsAgent as { destroy?(): void } | undefined)?.destroy?.();
  }

  private async send<T>(
    path: string,
    params: Record<string, string>,
    body: Record<string, unknown> | undefined,
  ): Promise<T> {
    let status: number;
    let text: unknown;
    try {
      ({ status, data: text } = await this.axios.request<unknown>({
        ...this.callConfig,
        method: body ? 'POST' : 'GET',
        url: `${this.baseUrl}${path}${Object.keys(params).length ? `?${toQuery(params)}` : ''}`,
        ...(body
          ? { data: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
          : {}),
        // Bounds the whole call, connect to last byte.
        signal: AbortSignal.timeout(this.options.timeout),
      }));
    } catch (error) {
      throw callError(this.errcodes.service, path, error);
    }
    const { service } = this.errcodes;
    if (status !== 200) {
      throw new WxOAuthError('bad_response', `${service} ${path} answered HTTP ${status}`, {
        endpoint: path,
      });
    }
    const answer = parseJsonObject(text);
    if (!answer) {
      throw new WxOAuthError(
        'bad_response',
        `${service} ${path} answered a body that is not JSON`,
        {
          endpoint: path,
        },
      );
    }
    const errcode = answer.errcode;
    if (typeof errcode === 'number' && errcode !== 0) {
      const error = WxOAuthError.fromErrcode(
        errcode,
        redact(String(answer.errmsg ?? ''), { ...params, ...secretsOf(body) }),
        path,
        this.errcodes,
      );
      if (errcode === -1) RETRYABLE.add(error);
      throw error;
    }
    return answer as T;
  }
}

/** The secret parameters of a JSON body (stable_token sends the secret there). */
function secretsOf(body: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(body ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** Errors worth one more try; kept out of the public error type. */
const RETRYABLE = new WeakSet<object>();

/** Builds the error from axios's, whose config holds the URL and so the secret: keep only codes. */
function callError(service: string, path: string, error: unknown): WxOAuthError {
  if (error instanceof WxOAuthError) return error; // thrown by an app's interceptor on purpose
  const code = error instanceof AxiosError ? error.code : undefined;
  if (code === AxiosError.ETIMEDOUT || code === AxiosError.ECONNABORTED || axios.isCancel(error)) {
    return new WxOAuthError('timeout', `${service} ${path} did not answer in time`, {
      endpoint: path,
    });
  }
  if (code === AxiosError.ERR_BAD_RESPONSE) {
    // axios's own wording tells the size cap from a body cut short.
    const what = (error as Error).message.startsWith('maxContentLength')
      ? 'an oversized'
      : 'a broken';
    return new WxOAuthError('bad_response', `${service} ${path} answered ${what} body`, {
      endpoint: path,
    });
  }
  const cause =
    (error as { cause?: { code?: string } } | null)?.cause?.code ?? code ?? 'unknown error';
  const wxError = new WxOAuthError(
    'network',
    `${service} ${path} could not be reached (${cause})`,
    {
      endpoint: path,
    },
  );
  if (cause === 'ECONNRESET') RETRYABLE.add(wxError);
  return wxError;
}

/** WeChat's parameters, encoded once, in the order given. */
function toQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
}

function parseJsonObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function redact(text: string, params: Record<string, string>): string {
  return SECRET_PARAMS.reduce((out, key) => {
    const value = params[key];
    return value ? out.split(value).join('[redacted]') : out;
  }, text);
}
