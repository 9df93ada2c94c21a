// Reference: the baseline's handlers on express, to show what express itself costs.
import express from 'express';
import { appid, callbackURL, openBaseUrl, port, ready } from './env.mjs';
import { userByCode } from './upstream.mjs';

const app = express();
app.get('/auth/wechat', (req, res) => {
  res.redirect(
    `${openBaseUrl}/connect/oauth2/authorize?appid=${appid}&redirect_uri=${encodeURIComponent(callbackURL)}` +
      '&response_type=code&scope=snsapi_userinfo&state=STATE#wechat_redirect',
  );
});
app.get('/auth/wechat/callback', (req, res, next) => {
  userByCode(String(req.query.code ?? '')).then((user) => res.json(user), next);
});

const server = app.listen(port, '127.0.0.1', () =>
  ready(() => new Promise((resolve) => server.close(resolve))),
);
