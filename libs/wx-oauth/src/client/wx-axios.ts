import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosProxyConfig } from 'axios';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Idle pooled sockets close after this, before a server's own keep-alive timeout
 * (node's default is 5 s) can close one just as a call reuses it.
 */
const IDLE_SOCKET_MS = 4_000;

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
  return axios.create({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    proxy: proxy ? toProxyConfig(new URL(proxy)) : false,
  });
}

function toProxyConfig(url: URL): AxiosProxyConfig {
  return {
    protocol: url.protocol.slice(0, -1),
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    ...(url.username ? { auth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } } : {}),
  };
}
