import { HttpException } from '@nestjs/common';
import { InternalOAuthError } from 'passport-oauth2';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { asHttpError, wxHttpException } from './wx-http-exception.js';

describe('wxHttpException', () => {
  it.each([
    ['rate_limited', 429, 'Too Many Requests'],
    ['user_blocked', 403, 'Forbidden'],
    ['identity_taken', 409, 'Conflict'],
    ['invalid_state', 401, 'Unauthorized'],
    ['flow_unavailable', 400, 'Bad Request'],
    ['store_unavailable', 503, 'Service Unavailable'],
  ] as const)('answers %s with HTTP %i %s, its kind in the body', (kind, status, name) => {
    const cause = new WxOAuthError(kind, 'what went wrong');
    const exception = wxHttpException(cause)!;
    expect(exception).toBeInstanceOf(HttpException);
    expect(exception.getStatus()).toBe(status);
    expect(exception.getResponse()).toEqual({
      statusCode: status,
      error: name,
      message: 'what went wrong',
      kind,
    });
    expect(exception.cause).toBe(cause);
  });

  it("carries WeChat's errcode, also through passport-oauth2's wrapper", () => {
    const cause = WxOAuthError.fromErrcode(10001001, 'code expired', '/donut/code2verifyinfo');
    const exception = wxHttpException(new InternalOAuthError('failed', cause))!;
    expect(exception.getStatus()).toBe(401);
    expect(exception.getResponse()).toMatchObject({
      kind: 'invalid_code',
      errcode: 10001001,
      errmsg: 'code expired',
    });
  });

  it('leaves any other error as it is', () => {
    const error = new Error('not ours');
    expect(wxHttpException(error)).toBeUndefined();
    expect(asHttpError(error)).toBe(error);
  });
});
