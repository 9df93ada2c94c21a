import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Idle pooled sockets close after this, before a server's own keep-alive timeout
 * (node's default is 5 s) can close one just as a call reuses it.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * The axios instance WeChat is called through when the app brings none: one
 * keep-alive pool. A proxy named by the standard environment variables
 * (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) is looked up once, here, rather than
 * on every call as axios does; HTTPS goes through it as a CONNECT tunnel, so the
 * proxy never sees the secret in the URL.
 */
export function createWxAxios(apiBaseUrl: string): AxiosInstance {
  const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  const proxy = getProxyForUrl(apiBaseUrl);
  return axios.create({
    httpAgent: proxy ? new HttpProxyAgent(proxy, agentOptions) : new HttpAgent(agentOptions),
    httpsAgent: proxy ? new HttpsProxyAgent(proxy, agentOptions) : new HttpsAgent(agentOptions),
    // The agents above carry the proxy; axios's own would send HTTPS to it in the clear.
    proxy: false,
  });
}
