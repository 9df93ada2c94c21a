import { buildWxAuthorizeUrl } from './authorize-url.js';
import { WxOAuthError } from './wx-oauth.error.js';

const OPEN = 'https://open.weixin.qq.com';

describe('buildWxAuthorizeUrl', () => {
  it('puts the parameters in WeChat order and ends with #wechat_redirect', () => {
    expect(
      buildWxAuthorizeUrl(OPEN, 'wx123', 'https://app.example.com/cb', 'snsapi_userinfo', {
        state: 'abc123',
      }),
    ).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx123' +
        '&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=snsapi_userinfo' +
        '&state=abc123#wechat_redirect',
    );
  });

  it('uses the QR-connect page for snsapi_login', () => {
    const url = buildWxAuthorizeUrl(OPEN, 'wx123', 'https://app.example.com/cb', 'snsapi_login');
    expect(url).toBe(
      'https://open.weixin.qq.com/connect/qrconnect?appid=wx123' +
        '&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=snsapi_login#wechat_redirect',
    );
  });

  it('encodes the redirect URI exactly once, keeping its own query', () => {
    const url = buildWxAuthorizeUrl(
      OPEN,
      'wx1',
      'https://a.example.com/cb?next=/x&y=1',
      'snsapi_base',
    );
    const query = new URL(url).searchParams;
    expect(query.get('redirect_uri')).toBe('https://a.example.com/cb?next=/x&y=1');
    expect(url).toContain('redirect_uri=https%3A%2F%2Fa.example.com%2Fcb%3Fnext%3D%2Fx%26y%3D1&');
    expect(query.get('y')).toBeNull();
  });

  it('appends forcePopup and forceSnapShot after state', () => {
    const url = buildWxAuthorizeUrl(OPEN, 'wx1', 'http://localhost/cb', 'snsapi_base', {
      state: 's1',
      forcePopup: true,
      forceSnapShot: false,
    });
    expect(url).toMatch(
      /&scope=snsapi_base&state=s1&forcePopup=true&forceSnapShot=false#wechat_redirect$/,
    );
  });

  it('trims a trailing slash of the base URL', () => {
    expect(buildWxAuthorizeUrl('http://127.0.0.1:9/', 'a', 'http://x/cb', 'snsapi_base')).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/connect\/oauth2\/authorize\?appid=a&/,
    );
  });

  it.each([
    ['a state with other characters', { state: 'a-b' }],
    ['a state over 128 bytes', { state: 'a'.repeat(129) }],
    ['an empty state', { state: '' }],
  ])('refuses %s', (_name, params) => {
    expect(() => buildWxAuthorizeUrl(OPEN, 'wx1', 'https://a/cb', 'snsapi_base', params)).toThrow(
      /state must be 1 to 128 characters/,
    );
  });

  it('accepts a 128-character state', () => {
    expect(
      buildWxAuthorizeUrl(OPEN, 'wx1', 'https://a/cb', 'snsapi_base', { state: 'A'.repeat(128) }),
    ).toContain(`state=${'A'.repeat(128)}#`);
  });

  it.each(['/relative/cb', 'javascript:alert(1)', 'ftp://a.example.com/cb', 'not a url'])(
    'refuses the redirect URI %s',
    (redirectUri) => {
      expect(() => buildWxAuthorizeUrl(OPEN, 'wx1', redirectUri, 'snsapi_base')).toThrow(
        new WxOAuthError('invalid_request', 'redirectUri must be an absolute http(s) URL'),
      );
    },
  );

  it('refuses an unknown scope with the allowed ones in the message', () => {
    expect(() =>
      buildWxAuthorizeUrl(OPEN, 'wx1', 'https://a/cb', 'snsapi_privateinfo' as never),
    ).toThrow(
      /Unknown scope "snsapi_privateinfo"; use one of snsapi_base, snsapi_userinfo, snsapi_login/,
    );
  });
});
