// The tuned axios instance of the nest-axios and nest-passport-axios references:
// WeChat's two calls as a careful hand-written Nest service would make them, no
// library. All fixed config is instance defaults, so a call merges nothing of its own.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BadGatewayException } from '@nestjs/common';
import axios from 'axios';
import { apiBaseUrl, appid, secret } from './env.mjs';

export const wechatAxios = axios.create({
  baseURL: apiBaseUrl,
  adapter: 'http',
  httpAgent: new HttpAgent({ keepAlive: true }),
  httpsAgent: new HttpsAgent({ keepAlive: true }),
  proxy: false,
  // WeChat labels its JSON text/plain: take the body as text, parse it here.
  responseType: 'text',
  transformResponse: (data: unknown) => data,
  validateStatus: null,
  maxRedirects: 0,
});

/** GET with the query, JSON body, errcode check (as servers/upstream.mjs does on node:http). */
async function getJson<T>(path: string, params: Record<string, string>): Promise<T> {
  let status: number;
  let data: string;
  try {
    ({ status, data } = await wechatAxios.get<string>(`${path}?${new URLSearchParams(params)}`));
  } catch (error) {
    // axios's error holds the URL, and so the secret: keep its code only.
    throw new BadGatewayException(
      `WeChat ${path} failed: ${(error as { code?: string }).code ?? 'error'}`,
    );
  }
  if (status !== 200) throw new BadGatewayException(`WeChat ${path} answered HTTP ${status}`);
  const body = JSON.parse(data) as T & { errcode?: number };
  if (body.errcode) throw new BadGatewayException(`WeChat errcode ${body.errcode}`);
  return body;
}

export interface WxTokenResponse {
  access_token: string;
  refresh_token: string;
  openid: string;
  expires_in: number;
  scope: string;
}

export interface WxUser {
  openid: string;
  nickname: string;
}

/** `GET /sns/oauth2/access_token`: the code for a user access token and the openid. */
export function exchangeCode(code: string): Promise<WxTokenResponse> {
  return getJson('/sns/oauth2/access_token', {
    appid: appid!,
    secret: secret!,
    code,
    grant_type: 'authorization_code',
  });
}

/** `GET /sns/userinfo`: the profile. */
export async function fetchUser(accessToken: string, openid: string): Promise<WxUser> {
  const user = await getJson<WxUser>('/sns/userinfo', {
    access_token: accessToken,
    openid,
    lang: 'zh_CN',
  });
  return { openid: user.openid, nickname: user.nickname };
}
