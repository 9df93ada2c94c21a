/** Where WeChat serves wxLogin.js, below res.wx.qq.com; the sandbox serves it at the same path. */
export const WX_LOGIN_JS_PATH = '/connect/zh_CN/htmledition/js/wxLogin.js';
/** A short alias of the same script. */
export const WX_LOGIN_JS_SHORT_PATH = '/connect/wxLogin.js';

/**
 * WeChat's `wxLogin.js`, pointed at the sandbox: `new WxLogin({ id, appid, scope,
 * redirect_uri, state, self_redirect, style, href, stylelite, fast_login })` replaces the
 * content of `#id` with a 300×400 iframe of `/connect/qrconnect?…&login_type=jssdk`.
 * The query is built as WeChat's script builds it: its own parameter order, values
 * concatenated as given (the caller URL-encodes `redirect_uri`), `state=undefined` when
 * there is none.
 */
export function wxLoginScript(openBaseUrl: string): string {
  return `/* WxSandbox wxLogin.js: a stand-in for WeChat's, for tests and offline development. */
(function (window, document) {
  var base = ${JSON.stringify(openBaseUrl)};
  window.WxLogin = function (options) {
    var selfRedirect = options.self_redirect === true ? 'true' : options.self_redirect === false ? 'false' : 'default';
    var src = base + '/connect/qrconnect?appid=' + options.appid + '&scope=' + options.scope +
      '&redirect_uri=' + options.redirect_uri + '&state=' + options.state +
      '&login_type=jssdk&self_redirect=' + selfRedirect +
      '&styletype=' + (options.styletype || '') + '&sizetype=' + (options.sizetype || '') +
      '&bgcolor=' + (options.bgcolor || '') + '&rst=' + (options.rst || '');
    src += options.style ? '&style=' + options.style : '';
    src += options.href ? '&href=' + options.href : '';
    src += options.lang === 'en' ? '&lang=en' : '';
    src += options.stylelite === 1 ? '&stylelite=1' : '';
    src += options.fast_login === 0 ? '&fast_login=0' : '';
    var frame = document.createElement('iframe');
    frame.src = src;
    frame.frameBorder = '0';
    frame.allowTransparency = 'true';
    frame.scrolling = 'no';
    frame.width = '300px';
    frame.height = '400px';
    var container = document.getElementById(options.id);
    container.innerHTML = '';
    container.appendChild(frame);
  };
})(window, document);
`;
}
