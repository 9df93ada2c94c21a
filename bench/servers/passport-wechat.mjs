// passport-wechat on express + passport, as its README has it.
import { createRequire } from 'node:module';
import express from 'express';
import passport from 'passport';
import WechatStrategy from 'passport-wechat';
import { appid, callbackURL, pointWechatOAuthAtSandbox, port, ready, secret } from './env.mjs';

// The wechat-oauth instance passport-wechat itself loads.
const require = createRequire(import.meta.url);
pointWechatOAuthAtSandbox(createRequire(require.resolve('passport-wechat'))('wechat-oauth'));

passport.use(
  new WechatStrategy(
    {
      appID: appid,
      appSecret: secret,
      client: 'wechat',
      callbackURL,
      scope: 'snsapi_userinfo',
      lang: 'zh_CN',
    },
    (accessToken, refreshToken, profile, expiresIn, done) => done(null, profile),
  ),
);

const app = express();
app.use(passport.initialize());
app.get('/auth/wechat', passport.authenticate('wechat', { session: false }));
app.get(
  '/auth/wechat/callback',
  passport.authenticate('wechat', { session: false }),
  (req, res) => {
    res.json({ openid: req.user.openid, nickname: req.user.nickname });
  },
);

const server = app.listen(port, '127.0.0.1', () =>
  ready(() => new Promise((resolve) => server.close(resolve))),
);
