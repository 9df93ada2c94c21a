// wechat-oauth on express, called in the handlers, as its README has it.
import express from 'express';
import OAuth from 'wechat-oauth';
import { appid, callbackURL, pointWechatOAuthAtSandbox, port, ready, secret } from './env.mjs';

pointWechatOAuthAtSandbox(OAuth);
const client = new OAuth(appid, secret);

const app = express();
app.get('/auth/wechat', (req, res) => {
  res.redirect(client.getAuthorizeURL(callbackURL, 'STATE', 'snsapi_userinfo'));
});
app.get('/auth/wechat/callback', (req, res, next) => {
  client.getAccessToken(req.query.code, (err, result) => {
    if (err) return next(err);
    client.getUser({ openid: result.data.openid, lang: 'zh_CN' }, (err, user) => {
      if (err) return next(err);
      res.json({ openid: user.openid, nickname: user.nickname });
    });
  });
});

const server = app.listen(port, '127.0.0.1', () =>
  ready(() => new Promise((resolve) => server.close(resolve))),
);
