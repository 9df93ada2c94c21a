import { parse as parseSimple } from 'node:querystring';
import { assertLoginMethod, readLoginQuery } from './login-request.js';

// What Express's extended query parser (qs) makes of brackets, written out.
const qsLike: Record<string, unknown> = {
  'code[]=x': { code: ['x'] },
  'state[a]=x': { state: { a: 'x' } },
};

describe('readLoginQuery', () => {
  it('reads code, state and returnTo, and ignores what WeChat adds to its re-request', () => {
    const query = parseSimple(
      'code=0a1B&state=0123abcd&connect_redirect=1&uin=MTIz&key=k&pass_ticket=p',
    );
    expect(readLoginQuery(query)).toEqual({ code: '0a1B', state: '0123abcd' });
    expect(readLoginQuery({ returnTo: '/orders/7?tab=paid' })).toEqual({
      returnTo: '/orders/7?tab=paid',
    });
  });

  it('answers nothing for no query, and keeps an empty code (a denial)', () => {
    expect(readLoginQuery(undefined)).toEqual({});
    expect(readLoginQuery(Object.create(null))).toEqual({});
    expect(readLoginQuery(parseSimple('code=&state=s'))).toEqual({ code: '', state: 's' });
  });

  it.each([
    ['a repeated code', parseSimple('code=a&code=b&state=s')],
    ['a repeated state', parseSimple('code=a&state=s&state=t')],
    ['a repeated returnTo', parseSimple('returnTo=/a&returnTo=/b')],
    ["code[] under node's parser", parseSimple('code[]=x&state=s')],
    ["state[a] under node's parser", parseSimple('code=a&state[a]=x')],
    ['state.a', parseSimple('code=a&state.a=x')],
    ['code[] under qs', qsLike['code[]=x']],
    ['state[a] under qs', qsLike['state[a]=x']],
    ['a number (a custom parser)', { code: 42 }],
    ['a code past 512 characters', { code: 'c'.repeat(513) }],
    ['a state past 128 characters', { state: 's'.repeat(129) }],
    ['a returnTo past 2048 characters', { returnTo: `/${'r'.repeat(2048)}` }],
    ['a query that is not an object', 'code=a'],
  ])('refuses %s with invalid_request', (_name, query) => {
    expect(() => readLoginQuery(query)).toThrow(
      expect.objectContaining({ name: 'WxOAuthError', kind: 'invalid_request' }),
    );
  });

  it('quotes a bounded part of an odd key, never the whole', () => {
    const key = `code[${'x'.repeat(5000)}]`;
    expect(() => readLoginQuery({ [key]: 'y' })).toThrow(
      /^The login parameter "code\[x{27}" must appear once/,
    );
  });
});

describe('assertLoginMethod', () => {
  it('lets GET through', () => {
    expect(() => assertLoginMethod('GET')).not.toThrow();
  });

  it.each(['HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE'])(
    'refuses %s with invalid_request',
    (method) => {
      expect(() => assertLoginMethod(method)).toThrow(
        expect.objectContaining({ kind: 'invalid_request' }),
      );
    },
  );
});
