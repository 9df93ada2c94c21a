/**
 * The native app stand-in's script (`/assets/app.js`): the app's steps, each shown as it
 * goes, then the user the site answered, and `/api/me` with its bearer token.
 */
export const APP_SCRIPT = `(async () => {
  const settings = JSON.parse(document.getElementById('app-settings').textContent);
  const $ = (id) => document.getElementById(id);
  const user = $('app-user');
  const output = $('app-output');
  const me = $('app-me');
  const LABELS = {
    officialAccount: 'official account',
    website: 'website app',
    miniProgram: 'mini-program',
    mobileApp: 'mobile app',
  };
  const show = (title, value) => {
    output.textContent += title + '\\n' + JSON.stringify(value, null, 2) + '\\n\\n';
  };
  const call = async (url, init) => {
    const response = await fetch(url, init);
    return { status: response.status, body: await response.json() };
  };
  const post = (url, body) =>
    call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const showOpenids = (identities) => {
    $('app-openids').replaceChildren(...identities.map((identity) => {
      const line = document.createElement('div');
      line.className = 'openid';
      line.dataset.app = identity.kind;
      line.dataset.appid = identity.appid;
      line.textContent = (LABELS[identity.kind] || 'app') + ' ' + identity.appid + ': ' + identity.openid;
      return line;
    }));
  };
  const showUser = (login) => {
    const person = login.user;
    $('app-nickname').textContent = person.nickname || person.openid;
    if (person.headimgurl) $('app-avatar').src = person.headimgurl;
    else $('app-avatar').removeAttribute('src');
    $('app-linked').textContent = login.linked ? 'linked to the web logins by unionid' : login.note;
    $('app-appid').textContent = person.appid;
    $('app-openid').textContent = person.openid;
    $('app-unionid').textContent = person.unionid || '—';
    showOpenids(person.identities);
    $('app-result').hidden = false;
  };

  // The sandbox stands in for WeChat inside the app: it mints the codes the OpenSDK and wx.weixinAppLogin() give.
  const sandbox = (path) => settings.sandboxUrl + '/sandbox/app/' + path;
  for (const { key, nickname } of (await call(sandbox('users?appid=' + encodeURIComponent(settings.appid)))).body)
    user.add(new Option(nickname + ' (' + key + ')', key));
  let token;

  /** What the app does: a state from its server, WeChat's code, both posted back. */
  const logIn = async (multiEnd) => {
    output.textContent = '';
    $('app-result').hidden = true;
    token = undefined;
    me.disabled = true;
    const issued = await post('/auth/wechat/app/state', {});
    show('POST /auth/wechat/app/state: ' + issued.status, issued.body);
    if (issued.status !== 200) return;
    const { state } = issued.body;
    let code;
    if (multiEnd) {
      const identity = await post(sandbox('identity-code'), { appid: settings.multiEndAppid, user: user.value });
      show('wx.weixinAppLogin()', identity.body);
      code = identity.body.code;
    } else {
      const resp = await post(sandbox('login'), { appid: settings.appid, user: user.value, state });
      show('OpenSDK SendAuthReq → SendAuth.Resp', resp.body);
      // The app takes only the answer to its own request.
      if (resp.body.state !== state) return show('Refused', 'not the state this app sent');
      code = resp.body.code;
    }
    const login = await post('/auth/wechat/app', { code, state, ...(multiEnd ? { multiEnd: true } : {}) });
    show('POST /auth/wechat/app: ' + login.status, login.body);
    if (login.status !== 200) return;
    token = login.body.token;
    me.disabled = false;
    showUser(login.body);
  };

  $('app-login-opensdk').addEventListener('click', () => logIn(false));
  if (settings.multiEndAppid) $('app-login-multiend').addEventListener('click', () => logIn(true));
  me.addEventListener('click', async () => {
    const answer = await call('/api/me', { headers: { authorization: 'Bearer ' + token } });
    show('GET /api/me: ' + answer.status, answer.body);
    if (answer.status === 200) showOpenids(answer.body.identities);
  });
})();
`;
