import { callbackUrl, checkAuthorizeQuery, hasWeChatOrder } from './authorize-request.js';

describe('hasWeChatOrder', () => {
  it.each([
    [['appid', 'redirect_uri', 'response_type', 'scope', 'state']],
    [['appid', 'redirect_uri', 'response_type', 'scope']],
    [
      [
        'appid',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
        'forcePopup',
        'connect_redirect',
      ],
    ],
  ])('accepts %j', (keys) => {
    expect(hasWeChatOrder(keys)).toBe(true);
  });

  it.each([
    [['client_id', 'redirect_uri', 'response_type', 'scope', 'state']],
    [['scope', 'appid', 'redirect_uri', 'response_type']],
    [['appid', 'scope', 'redirect_uri', 'response_type']],
    [['appid', 'redirect_uri', 'response_type', 'state', 'scope']],
    [['appid', 'redirect_uri', 'response_type', 'scope', 'scope']],
    [['forcePopup', 'appid', 'redirect_uri', 'response_type', 'scope']],
    [[]],
  ])('refuses %j', (keys) => {
    expect(hasWeChatOrder(keys)).toBe(false);
  });
});

describe('callbackUrl', () => {
  it('starts a query when redirect_uri has none', () => {
    expect(
      callbackUrl('https://app.test/cb', [
        ['code', 'C'],
        ['state', 'S'],
      ]),
    ).toBe('https://app.test/cb?code=C&state=S');
  });

  it("appends to redirect_uri's own query with &", () => {
    expect(callbackUrl('https://app.test/cb?next=%2Fme', [['code', 'C']])).toBe(
      'https://app.test/cb?next=%2Fme&code=C',
    );
    expect(callbackUrl('https://app.test/cb?', [['code', 'C']])).toBe('https://app.test/cb?code=C');
  });

  it('puts the parameters before a fragment, as WeChat does for hash routers', () => {
    expect(callbackUrl('https://app.test/#/cb', [['state', 'S']])).toBe(
      'https://app.test/?state=S#/cb',
    );
  });

  it('leaves redirect_uri alone when there is nothing to add', () => {
    expect(callbackUrl('https://app.test/cb', [])).toBe('https://app.test/cb');
  });
});

describe('checkAuthorizeQuery', () => {
  const query = (scope: string): URLSearchParams =>
    new URLSearchParams({
      appid: 'wxA',
      redirect_uri: 'https://app.test/cb',
      response_type: 'code',
      scope,
    });

  it('normalises redirect_uri and keeps an absent state undefined', () => {
    expect(checkAuthorizeQuery('authorize', query('snsapi_base'), 'wxA')).toEqual({
      ok: true,
      request: {
        appid: 'wxA',
        redirectUri: 'https://app.test/cb',
        scope: 'snsapi_base',
        state: undefined,
      },
    });
  });

  it('lets the consent form carry any scope, but each page only its own', () => {
    expect(checkAuthorizeQuery('decide', query('snsapi_login'), 'wxA').ok).toBe(true);
    expect(checkAuthorizeQuery('authorize', query('snsapi_login'), 'wxA')).toMatchObject({
      ok: false,
      error: { errcode: 10005 },
    });
    expect(checkAuthorizeQuery('qrconnect', query('snsapi_base'), 'wxA')).toMatchObject({
      ok: false,
      error: { errcode: 10005 },
    });
  });

  it("holds each app to its kind's scopes, on every page", () => {
    const apps = (appid: string) =>
      ({
        wxA: { appid: 'wxA', scopes: ['snsapi_base', 'snsapi_userinfo'] as const },
        wxW: { appid: 'wxW', scopes: ['snsapi_login'] as const },
      })[appid];
    const withApp = (appid: string, scope: string) =>
      new URLSearchParams({
        appid,
        redirect_uri: 'https://app.test/cb',
        response_type: 'code',
        scope,
      });
    expect(checkAuthorizeQuery('authorize', withApp('wxA', 'snsapi_userinfo'), apps).ok).toBe(true);
    expect(checkAuthorizeQuery('qrconnect', withApp('wxW', 'snsapi_login'), apps).ok).toBe(true);
    expect(checkAuthorizeQuery('qrconnect', withApp('wxA', 'snsapi_login'), apps)).toEqual({
      ok: false,
      error: { errcode: 10005, message: 'Scope 参数错误或没有 Scope 权限' },
    });
    expect(checkAuthorizeQuery('decide', withApp('wxA', 'snsapi_login'), apps)).toMatchObject({
      ok: false,
      error: { errcode: 10005 },
    });
    expect(checkAuthorizeQuery('authorize', withApp('wxW', 'snsapi_base'), apps)).toEqual({
      ok: false,
      error: { errcode: 10005, message: '此公众号并没有这些scope的权限' },
    });
    expect(checkAuthorizeQuery('authorize', withApp('wxZ', 'snsapi_base'), apps)).toMatchObject({
      ok: false,
      error: { errcode: 10016 },
    });
  });

  it("takes wxLogin.js's iframe query in its script's order and without response_type, only with jssdk", () => {
    const jssdk = new URLSearchParams([
      ['appid', 'wxA'],
      ['scope', 'snsapi_login'],
      ['redirect_uri', 'https://app.test/cb'],
      ['state', 's1'],
      ['login_type', 'jssdk'],
    ]);
    expect(checkAuthorizeQuery('qrconnect', jssdk, 'wxA', { jssdk: true })).toEqual({
      ok: true,
      request: {
        appid: 'wxA',
        redirectUri: 'https://app.test/cb',
        scope: 'snsapi_login',
        state: 's1',
      },
    });
    expect(checkAuthorizeQuery('qrconnect', jssdk, 'wxA')).toMatchObject({
      ok: false,
      error: { message: 'Scope 参数错误或没有 Scope 权限' },
    });
  });
});
