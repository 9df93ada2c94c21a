import { readMiniProgramLoginBody } from './mini-program-login-body.js';

describe('readMiniProgramLoginBody', () => {
  it("takes wx.login()'s code, and the phone button's when sent", () => {
    expect(readMiniProgramLoginBody('POST', { code: '0a1B2c' })).toEqual({ code: '0a1B2c' });
    expect(readMiniProgramLoginBody('POST', { code: 'c', phoneCode: 'p', extra: 1 })).toEqual({
      code: 'c',
      phoneCode: 'p',
    });
  });

  it.each([
    ['no body (not sent as application/json)', undefined, /application\/json/],
    ['a list', ['c'], /application\/json/],
    ['no code', {}, /^code must be/],
    ['an empty code', { code: '' }, /^code must be/],
    ['a code with spaces', { code: 'a b' }, /^code must be/],
    ['a code of 257 characters', { code: 'x'.repeat(257) }, /^code must be/],
    ['a code that is a number', { code: 42 }, /^code must be/],
    ['a phoneCode that is an object', { code: 'c', phoneCode: { $ne: 1 } }, /^phoneCode must be/],
  ])('refuses %s with a 400 kind that never echoes it', (_, body, message) => {
    expect(() => readMiniProgramLoginBody('POST', body)).toThrow(
      expect.objectContaining({ kind: 'invalid_request', message: expect.stringMatching(message) }),
    );
  });

  it('answers POST only', () => {
    expect(() => readMiniProgramLoginBody('GET', { code: 'c' })).toThrow(
      expect.objectContaining({
        kind: 'invalid_request',
        message: expect.stringContaining('POST only'),
      }),
    );
  });
});
