import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { WxOAuthError } from './wx-oauth.error.js';

export interface WxHttpOptions {
  apiBaseUrl: string;
  timeout: number;
  retry: boolean;
}

/** Query parameters whose values must never reach a message or a log line. */
const SECRET_PARAMS = ['secret', 'access_token', 'refresh_token', 'code'];

/**
 * WeChat's back channel: GET with query parameters, one keep-alive connection
 * pool per client, and WeChat's quirks handled in one place: JSON bodies sent as
 * `text/plain`, errors sent as HTTP 200 `{errcode, errmsg}`.
 */
export class WxHttpClient {
  private readonly axios: AxiosInstance;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });

  constructor(private readonly options: WxHttpOptions) {
    this.axios = axios.create({
      baseURL: options.apiBaseUrl,
      timeout: options.timeout,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // Parse ourselves: WeChat's content type says text/plain whatever the body.
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
      maxRedirects: 0,
      // No proxy lookup in the environment on every call; an app that needs a proxy passes its agents.
      proxy: false,
      transitional: { clarifyTimeoutError: true },
    });
  }

  /**
   * GETs a `/sns` endpoint and returns its JSON body. `idempotent` calls are tried
   * once more after a reset connection (a stale keep-alive socket) or errcode -1;
   * a code exchange is not idempotent: WeChat would answer the retry with 40163.
   */
  async get<T>(path: string, params: Record<string, string>, idempotent: boolean): Promise<T> {
    const attempts = idempotent && this.options.retry ? 2 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(path, params);
      } catch (error) {
        if (attempt >= attempts || !RETRYABLE.has(error as object)) throw error;
      }
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async send<T>(path: string, params: Record<string, string>): Promise<T> {
    let status: number;
    let text: unknown;
    try {
      ({ status, data: text } = await this.axios.get<unknown>(`${path}?${toQuery(params)}`));
    } catch (error) {
      throw networkError(path, error);
    }
    if (status !== 200) {
      throw new WxOAuthError('bad_response', `WeChat ${path} answered HTTP ${status}`, { endpoint: path });
    }
    const body = parseJsonObject(text);
    if (!body) {
      throw new WxOAuthError('bad_response', `WeChat ${path} answered a body that is not JSON`, { endpoint: path });
    }
    const errcode = body.errcode;
    if (typeof errcode === 'number' && errcode !== 0) {
      const error = WxOAuthError.fromErrcode(errcode, redact(String(body.errmsg ?? ''), params), path);
      if (errcode === -1) RETRYABLE.add(error);
      throw error;
    }
    return body as T;
  }
}

/** Errors worth one more try; kept out of the public error type. */
const RETRYABLE = new WeakSet<object>();

/** Builds the error from axios's, whose config holds the URL and so the secret: keep only the code. */
function networkError(path: string, error: unknown): WxOAuthError {
  const code = error instanceof AxiosError ? error.code : undefined;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new WxOAuthError('timeout', `WeChat ${path} did not answer in time`, { endpoint: path });
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? code ?? 'unknown error';
  const wxError = new WxOAuthError('network', `WeChat ${path} could not be reached (${cause})`, { endpoint: path });
  if (cause === 'ECONNRESET' || code === 'ECONNRESET') RETRYABLE.add(wxError);
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
