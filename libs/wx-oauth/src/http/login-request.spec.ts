import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { parse as parseSimple } from 'node:querystring';
import {
  assertLoginMethod,
  clientAddressOf,
  type LoginRequest,
  readLoginQuery,
} from './login-request.js';

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

describe('clientAddressOf', () => {
  /** Node's request from a socket at `remoteAddress`. */
  const fromSocket = (remoteAddress?: string) => {
    const socket = new Socket();
    if (remoteAddress) Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
    return new IncomingMessage(socket) as IncomingMessage & LoginRequest;
  };

  it("takes the framework's address, which reads X-Forwarded-For only behind a trusted proxy", () => {
    const req = Object.assign(fromSocket('10.0.0.2'), {
      ip: '203.0.113.7',
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    expect(clientAddressOf(req)).toBe('203.0.113.7');
  });

  it("falls back to the socket's, on Fastify's raw request too, and to nothing without one", () => {
    const raw = fromSocket('2001:db8::5');
    expect(clientAddressOf(raw)).toBe('2001:db8::5');
    expect(clientAddressOf({ raw, headers: {}, method: 'POST' } as LoginRequest)).toBe(
      '2001:db8::5',
    );
    expect(clientAddressOf(fromSocket())).toBe('');
  });
});
