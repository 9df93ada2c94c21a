import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosProxyConfig, type AxiosRequestConfig } from 'axios';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Idle pooled sockets close after this, before a server's own keep-alive timeout
 * (node's default is 5 s) can close one just as a call reuses it.
 */
const IDLE_SOCKET_MS = 4_000;

/** WeChat's answers are a few hundred bytes; anything past this is not WeChat. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * What every WeChat call asks of axios, whichever instance runs it: the body as
 * text (WeChat labels JSON `text/plain`, so the client parses it), every status
 * answered rather than thrown, no redirect followed, a bounded body. The time
 * limit is the call's own abort signal, which bounds the whole call; axios's
 * `timeout` would only add a second timer.
 */
export const WX_CALL_CONFIG: AxiosRequestConfig = {
  responseType: 'text',
  transformResponse: (data: unknown) => data,
  validateStatus: null,
  maxRedirects: 0,
  maxContentLength: MAX_BODY_BYTES,
};

/**
 * The axios instance WeChat is called through when the app brings none: one
 * keep-alive pool. The proxy of the standard environment variables
 * (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) is looked up once, here, rather than
 * by axios on every call; axios tunnels HTTPS through it with CONNECT, so the
 * proxy never sees the secret in the URL.
 */
export function createWxAxios(apiBaseUrl: string): AxiosInstance {
  const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  const proxy = getProxyForUrl(apiBaseUrl);
  const instance = axios.create({
    // As defaults, so that a call merges only its signal: config merging is a good part of axios's cost per call.
    ...WX_CALL_CONFIG,
    adapter: 'http',
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    proxy: proxy ? toProxyConfig(new URL(proxy)) : false,
  });
  PREPARED.add(instance);
  return instance;
}

const PREPARED = new WeakSet<AxiosInstance>();

/** Whether `instance` came from `createWxAxios`: WeChat's call settings are its defaults already. */
export function isWxAxios(instance: AxiosInstance): boolean {
  return PREPARED.has(instance);
}

function toProxyConfig(url: URL): AxiosProxyConfig {
  return {
    protocol: url.protocol.slice(0, -1),
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    ...(url.username
      ? {
          auth: {
            username: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
          },
        }
      : {}),
  };
}
