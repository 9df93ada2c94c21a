import { callbackUrl, checkAuthorizeQuery, hasWeChatOrder } from './authorize-request.js';

describe('hasWeChatOrder', () => {
  it.each([
    [['appid', 'redirect_uri', 'response_type', 'scope', 'state']],
    [['appid', 'redirect_uri', 'response_type', 'scope']],
    [['appid', 'redirect_uri', 'response_type', 'scope', 'state', 'forcePopup', 'connect_redirect']],
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
    expect(callbackUrl('https://app.test/cb', [['code', 'C'], ['state', 'S']])).toBe('https://app.test/cb?code=C&state=S');
  });

  it("appends to redirect_uri's own query with &", () => {
    expect(callbackUrl('https://app.test/cb?next=%2Fme', [['code', 'C']])).toBe('https://app.test/cb?next=%2Fme&code=C');
    expect(callbackUrl('https://app.test/cb?', [['code', 'C']])).toBe('https://app.test/cb?code=C');
  });

  it('puts the parameters before a fragment, as WeChat does for hash routers', () => {
    expect(callbackUrl('https://app.test/#/cb', [['state', 'S']])).toBe('https://app.test/?state=S#/cb');
  });

  it('leaves redirect_uri alone when there is nothing to add', () => {
    expect(callbackUrl('https://app.test/cb', [])).toBe('https://app.test/cb');
  });
});

describe('checkAuthorizeQuery', () => {
  const query = (scope: string): URLSearchParams =>
    new URLSearchParams({ appid: 'wxA', redirect_uri: 'https://app.test/cb', response_type: 'code', scope });

  it('normalises redirect_uri and keeps an absent state undefined', () => {
    expect(checkAuthorizeQuery('authorize', query('snsapi_base'), 'wxA')).toEqual({
      ok: true,
      request: { appid: 'wxA', redirectUri: 'https://app.test/cb', scope: 'snsapi_base', state: undefined },
    });
  });

  it('lets the consent form carry any scope, but each page only its own', () => {
    expect(checkAuthorizeQuery('decide', query('snsapi_login'), 'wxA').ok).toBe(true);
    expect(checkAuthorizeQuery('authorize', query('snsapi_login'), 'wxA')).toMatchObject({ ok: false, error: { errcode: 10005 } });
    expect(checkAuthorizeQuery('qrconnect', query('snsapi_base'), 'wxA')).toMatchObject({ ok: false, error: { errcode: 10005 } });
  });
});
