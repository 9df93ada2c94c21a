// The hand-written upstream calls of the baseline and express-plain: GET with the
// query, JSON body, errcode check, over one keep-alive agent (http or https).
import http from 'node:http';
import https from 'node:https';
import { apiBaseUrl, appid, secret } from './env.mjs';

const client = apiBaseUrl.startsWith('https:') ? https : http;
const agent = new client.Agent({ keepAlive: true });

export function getJson(path, params) {
  return new Promise((resolve, reject) => {
    client
      .get(`${apiBaseUrl}${path}?${new URLSearchParams(params)}`, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => {
          try {
            const json = JSON.parse(body);
            if (json.errcode) reject(new Error(`WeChat errcode ${json.errcode}`));
            else resolve(json);
          } catch (error) {
            reject(error);
          }
        });
      })
      .on('error', reject);
  });
}

/** The callback's two upstream calls: exchange the code, then fetch the profile. */
export async function userByCode(code) {
  const token = await getJson('/sns/oauth2/access_token', {
    appid,
    secret,
    code,
    grant_type: 'authorization_code',
  });
  const user = await getJson('/sns/userinfo', {
    access_token: token.access_token,
    openid: token.openid,
    lang: 'zh_CN',
  });
  return { openid: user.openid, nickname: user.nickname };
}
