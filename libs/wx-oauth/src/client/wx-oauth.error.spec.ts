import { WxOAuthError, wxErrorStatus } from './wx-oauth.error.js';

describe('WxOAuthError', () => {
  it('splits the rid suffix off errmsg', () => {
    const error = WxOAuthError.fromErrcode(
      40029,
      'invalid code, rid: 6591cc06-7df4617f-64d2377a',
      '/sns/oauth2/access_token',
    );
    expect(error).toMatchObject({
      kind: 'invalid_code',
      errcode: 40029,
      errmsg: 'invalid code',
      rid: '6591cc06-7df4617f-64d2377a',
    });
    expect(error.message).toBe('WeChat /sns/oauth2/access_token failed: 40029 invalid code');
  });

  it('reads the older hints suffix', () => {
    const error = WxOAuthError.fromErrcode(
      40163,
      'code been used, hints: [ req_id: AbC-123 ]',
      '/x',
    );
    expect(error).toMatchObject({ kind: 'invalid_code', errmsg: 'code been used', rid: 'AbC-123' });
  });

  it.each([
    [-1, 'busy'],
    [40001, 'invalid_token'],
    [42001, 'invalid_token'],
    [40030, 'refresh_expired'],
    [42002, 'refresh_expired'],
    [45011, 'quota'],
    [48001, 'unauthorized_scope'],
    [40125, 'app_config'],
    [41002, 'app_config'],
    [40226, 'user_blocked'],
    [10001000, 'invalid_code'],
    [10001001, 'invalid_code'],
    [10001002, 'app_config'],
    [10001003, 'app_config'],
    [10001004, 'app_config'],
    [10001005, 'app_config'],
    [10001006, 'upstream'],
    [99999, 'upstream'],
  ])('maps errcode %i to %s', (errcode, kind) => {
    expect(WxOAuthError.fromErrcode(errcode, 'x', '/x').kind).toBe(kind);
  });

  it.each([
    [10001003, "the multi-end app's secret is wrong"],
    [10001005, 'identity management (身份管理)'],
  ])(
    "says what to do about code2verifyinfo's errcode %i, whose errmsg does not",
    (errcode, hint) => {
      const error = WxOAuthError.fromErrcode(errcode, 'system error', '/donut/code2verifyinfo');
      expect(error.message).toMatch(
        new RegExp(`^WeChat /donut/code2verifyinfo failed: ${errcode} system error \\(`),
      );
      expect(error.message).toContain(hint);
    },
  );

  it('serialises without a stack and with its fields', () => {
    const json = JSON.parse(JSON.stringify(WxOAuthError.fromErrcode(40029, 'invalid code', '/x')));
    expect(json).toEqual({
      name: 'WxOAuthError',
      kind: 'invalid_code',
      message: 'WeChat /x failed: 40029 invalid code',
      errcode: 40029,
      errmsg: 'invalid code',
    });
  });

  it.each([
    ['invalid_request', 400],
    ['invalid_state', 401],
    ['invalid_code', 401],
    ['denied', 401],
    ['unauthorized_scope', 403],
    ['user_blocked', 403],
    ['not_member', 403],
    ['authorizer_revoked', 403],
    ['unknown_tenant', 404],
    ['identity_taken', 409],
    ['rate_limited', 429],
    ['store_unavailable', 503],
    ['tenant_unavailable', 503],
    ['component_unavailable', 503],
    ['busy', 502],
    ['bad_response', 502],
    ['network', 502],
    ['timeout', 504],
  ] as const)('answers %s with HTTP %i', (kind, status) => {
    expect(wxErrorStatus(kind)).toBe(status);
  });
});
