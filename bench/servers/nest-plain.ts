// Reference: the baseline's handlers in a Nest controller on the default Express
// adapter, no library: the ceiling for any Nest module on this adapter.
import 'reflect-metadata';
import { Controller, Get, Module, Query, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Response } from 'express';
import http from 'node:http';
import https from 'node:https';

const env = process.env;
const port = Number(env.PORT);
const api = env.WX_API_BASE_URL!;
const client = api.startsWith('https:') ? https : http;
const agent = new client.Agent({ keepAlive: true });

function getJson(path: string, params: Record<string, string>): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    client
      .get(`${api}${path}?${new URLSearchParams(params)}`, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
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

@Controller('auth/wechat')
class AuthController {
  @Get()
  login(@Res() res: Response): void {
    const callbackURL = `http://127.0.0.1:${port}/auth/wechat/callback`;
    res.redirect(
      `${env.WX_OPEN_BASE_URL}/connect/oauth2/authorize?appid=${env.WX_APPID}&redirect_uri=${encodeURIComponent(callbackURL)}` +
        '&response_type=code&scope=snsapi_userinfo&state=STATE#wechat_redirect',
    );
  }

  @Get('callback')
  async callback(@Query('code') code: string): Promise<{ openid: string; nickname: string }> {
    const token = await getJson('/sns/oauth2/access_token', { appid: env.WX_APPID!, secret: env.WX_SECRET!, code, grant_type: 'authorization_code' });
    const user = await getJson('/sns/userinfo', { access_token: token.access_token, openid: token.openid, lang: 'zh_CN' });
    return { openid: user.openid, nickname: user.nickname };
  }
}

@Module({ controllers: [AuthController] })
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(port, '127.0.0.1');
console.log(`listening ${port}`);
process.once('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
