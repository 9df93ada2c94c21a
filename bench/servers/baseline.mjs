// The baseline: a hand-written node:http handler, one keep-alive agent for the two upstream GETs.
import http from 'node:http';
import { appid, callbackURL, openBaseUrl, port, ready } from './env.mjs';
import { userByCode } from './upstream.mjs';

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/auth/wechat') {
    const location =
      `${openBaseUrl}/connect/oauth2/authorize?appid=${appid}&redirect_uri=${encodeURIComponent(callbackURL)}` +
      '&response_type=code&scope=snsapi_userinfo&state=STATE#wechat_redirect';
    res.writeHead(302, { location }).end();
  } else if (url.pathname === '/auth/wechat/callback') {
    userByCode(url.searchParams.get('code') ?? '').then(
      (user) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user)),
      (error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(error.message),
    );
  } else {
    res.writeHead(404).end();
  }
});
server.listen(port, '127.0.0.1', () =>
  ready(() => new Promise((resolve) => server.close(resolve))),
);
