// What every bench server reads from the runner, and how it reports that it listens.
const env = process.env;

export const port = Number(env.PORT);
export const appid = env.WX_APPID;
export const secret = env.WX_SECRET;
/** The sandbox, standing in for https://api.weixin.qq.com and https://open.weixin.qq.com. */
export const apiBaseUrl = env.WX_API_BASE_URL;
export const openBaseUrl = env.WX_OPEN_BASE_URL;
export const callbackURL = `http://127.0.0.1:${port}/auth/wechat/callback`;

/** Tells the runner the server is up, and exits cleanly on SIGTERM (so --cpu-prof writes its profile). */
export function ready(close) {
  console.log(`listening ${port}`);
  process.once('SIGTERM', async () => {
    await close();
    process.exit(0);
  });
}

/**
 * wechat-oauth (and passport-wechat on top of it) hard-codes WeChat's hosts. Point
 * them at the sandbox in memory, never in node_modules: every API call goes through
 * OAuth.prototype.request, every authorize link through the two URL builders.
 */
export function pointWechatOAuthAtSandbox(OAuth) {
  const request = OAuth.prototype.request;
  OAuth.prototype.request = function (url, opts, callback) {
    return request.call(this, url.replace('https://api.weixin.qq.com', apiBaseUrl), opts, callback);
  };
  for (const name of ['getAuthorizeURL', 'getAuthorizeURLForWebsite']) {
    const build = OAuth.prototype[name];
    OAuth.prototype[name] = function (...args) {
      return build.apply(this, args).replace('https://open.weixin.qq.com', openBaseUrl);
    };
  }
}
