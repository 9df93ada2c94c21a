import { Agent as HttpAgent, get as httpGet, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import { WxOAuthError } from './wx-oauth.error.js';

export interface WxHttpOptions {
  apiBaseUrl: string;
  timeout: number;
  retry: boolean;
}

/** Query parameters whose values must never reach a message or a log line. */
const SECRET_PARAMS = ['secret', 'access_token', 'refresh_token', 'code'];

/** WeChat's answers are a few hundred characters; anything past this is not WeChat. */
const MAX_BODY_LENGTH = 64 * 1024;

/**
 * Idle pooled sockets close after this, before a server's own keep-alive timeout
 * (node's default is 5 s) can close one just as a call reuses it.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * WeChat's back channel: GET with query parameters, one keep-alive connection
 * pool per client, and WeChat's quirks handled in one place: JSON bodies sent as
 * `text/plain`, errors sent as HTTP 200 `{errcode, errmsg}`.
 *
 * Node's own client rather than axios: a login makes two of these calls, and
 * axios's per-request work was 30% of a login's CPU in the bench's profile.
 */
export class WxHttpClient {
  private readonly baseUrl: string;
  private readonly request: typeof httpGet;
  private readonly agent: HttpAgent;

  constructor(private readonly options: WxHttpOptions) {
    this.baseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    const https = this.baseUrl.startsWith('https:');
    this.request = https ? httpsGet : httpGet;
    const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
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
    this.agent.destroy();
  }

  private async send<T>(path: string, params: Record<string, string>): Promise<T> {
    const { status, text } = await this.fetchText(path, `${this.baseUrl}${path}?${toQuery(params)}`);
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

  /**
   * One GET, its body as text. `timeout` bounds the whole call, connect to last
   * byte. Errors are built from the path and the socket's error code only: the
   * URL holds the secret or a token.
   */
  private fetchText(path: string, url: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(
        () => fail(new WxOAuthError('timeout', `WeChat ${path} did not answer in time`, { endpoint: path })),
        this.options.timeout,
      );
      /** True the first time only: the call ends once, by its body, an error or the timer. */
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        return true;
      };
      const fail = (error: WxOAuthError) => {
        if (!settle()) return;
        req.destroy();
        reject(error);
      };
      const req = this.request(url, { agent: this.agent }, (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > MAX_BODY_LENGTH) {
            fail(new WxOAuthError('bad_response', `WeChat ${path} answered an oversized body`, { endpoint: path }));
          }
        });
        res.on('end', () => {
          if (settle()) resolve({ status: res.statusCode ?? 0, text });
        });
        res.on('error', (error) => fail(networkError(path, error)));
      });
      req.on('error', (error) => fail(networkError(path, error)));
    });
  }
}

/** Errors worth one more try; kept out of the public error type. */
const RETRYABLE = new WeakSet<object>();

function networkError(path: string, error: NodeJS.ErrnoException): WxOAuthError {
  const code = error.code ?? 'unknown error';
  const wxError = new WxOAuthError('network', `WeChat ${path} could not be reached (${code})`, { endpoint: path });
  if (code === 'ECONNRESET') RETRYABLE.add(wxError);
  return wxError;
}

/** WeChat's parameters, encoded once, in the order given. */
function toQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
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
