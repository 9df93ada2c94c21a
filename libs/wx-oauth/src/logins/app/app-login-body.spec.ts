import { readAppLoginBody } from './app-login-body.js';

const CODE = '071Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op9Qr0St';
const STATE = 'Zk3v9QfB1nYx7wLr2cTj5hUa8mEs0dPo4gKi6bNqVyW';

/** A form as Express's urlencoded parser builds it: an object with no prototype. */
const form = (fields: Record<string, unknown>) =>
  Object.assign(Object.create(null) as Record<string, unknown>, fields);

describe('readAppLoginBody', () => {
  it("takes the OpenSDK's code and the issued state as JSON, and is no multi-end login by default", () => {
    expect(readAppLoginBody('POST', { code: CODE, state: STATE })).toEqual({
      code: CODE,
      state: STATE,
      multiEnd: false,
    });
    expect(readAppLoginBody('POST', { code: CODE, state: STATE, extra: { a: 1 } })).toEqual({
      code: CODE,
      state: STATE,
      multiEnd: false,
    });
  });

  it('takes the same fields as a form, whose values are all text', () => {
    expect(readAppLoginBody('POST', form({ code: CODE, state: STATE }))).toEqual({
      code: CODE,
      state: STATE,
      multiEnd: false,
    });
    expect(readAppLoginBody('POST', form({ code: CODE, state: STATE, multiEnd: 'true' }))).toEqual({
      code: CODE,
      state: STATE,
      multiEnd: true,
    });
  });

  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    [undefined, false],
  ])('reads multiEnd %j as %j', (multiEnd, expected) => {
    expect(readAppLoginBody('POST', { code: CODE, state: STATE, multiEnd }).multiEnd).toBe(
      expected,
    );
  });

  it('leaves the state out when there is none, or when a form sends it empty: the strategy refuses it as missing', () => {
    for (const body of [{ code: CODE }, form({ code: CODE, state: '' })]) {
      const read = readAppLoginBody('POST', body);
      expect(read).toEqual({ code: CODE, multiEnd: false });
      expect(read).not.toHaveProperty('state');
    }
  });

  it('takes a state of up to 1 KB, as the OpenSDK carries', () => {
    const long = 's'.repeat(1024);
    expect(readAppLoginBody('POST', { code: CODE, state: long }).state).toBe(long);
  });

  it.each([
    ['no body (neither JSON nor a form)', undefined, /as JSON or a form/],
    ['a body of text', `code=${CODE}`, /as JSON or a form/],
    ['null', null, /as JSON or a form/],
    ['a list', [CODE, STATE], /as JSON or a form/],
    ['no code', { state: STATE }, /^code must be/],
    ['an empty code', { code: '', state: STATE }, /^code must be/],
    ['a code that is a number', { code: 42, state: STATE }, /^code must be/],
    ['a code with spaces', { code: 'sneaky code', state: STATE }, /^code must be/],
    ['a code of 257 characters', { code: 'c'.repeat(257), state: STATE }, /^code must be/],
    ['a code sent twice in a form', form({ code: [CODE, CODE], state: STATE }), /^code must be/],
    ['a state that is a number', { code: CODE, state: 7 }, /^state must be/],
    ['a state that is an object', { code: CODE, state: { $ne: 'sneaky' } }, /^state must be/],
    ['a state sent twice in a form', form({ code: CODE, state: [STATE, STATE] }), /^state must be/],
    ['a state with spaces', { code: CODE, state: 'sneaky state' }, /^state must be/],
    ['a state of 1025 characters', { code: CODE, state: 's'.repeat(1025) }, /^state must be/],
    [
      'a multiEnd of "sneaky"',
      { code: CODE, state: STATE, multiEnd: 'sneaky' },
      /^multiEnd must be/,
    ],
    ['a multiEnd of 1', { code: CODE, state: STATE, multiEnd: 1 }, /^multiEnd must be/],
    ['a multiEnd of null', { code: CODE, state: STATE, multiEnd: null }, /^multiEnd must be/],
  ])('refuses %s as invalid_request, never echoing it', (_name, body, message) => {
    let thrown: unknown;
    try {
      readAppLoginBody('POST', body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: 'invalid_request', status: 400 });
    const text = (thrown as Error).message;
    expect(text).toMatch(message);
    for (const value of [CODE, STATE, 'sneaky']) expect(text).not.toContain(value);
  });

  it.each(['GET', 'PUT', 'HEAD'])('answers %s with invalid_request: POST only', (method) => {
    expect(() => readAppLoginBody(method, { code: CODE, state: STATE })).toThrow(
      expect.objectContaining({
        kind: 'invalid_request',
        message: expect.stringContaining('POST only'),
      }),
    );
  });

  it('quotes a bounded part of an odd method, never the whole', () => {
    const method = `GET${'X'.repeat(100)}`;
    let message = '';
    try {
      readAppLoginBody(method, { code: CODE, state: STATE });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('POST only');
    expect(message).not.toContain(method);
  });
});
