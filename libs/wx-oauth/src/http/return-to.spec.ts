import { isSafeReturnTo } from './return-to.js';

describe('isSafeReturnTo', () => {
  it.each([
    '/',
    `/${'a'.repeat(2047)}`,
    '/profile',
    '/a/b?c=d&e=f#g',
    '/path%2F%2Fencoded',
    '/中文',
  ])('accepts %s', (value) => {
    expect(isSafeReturnTo(value)).toBe(true);
  });

  it.each([
    ['protocol-relative', '//evil.example.com'],
    ['backslash host', '/\\evil.example.com'],
    ['backslash anywhere', '/a\\b'],
    ['absolute URL', 'https://evil.example.com/'],
    ['javascript URL', 'javascript:alert(1)'],
    ['no leading slash', 'profile'],
    ['tab before slashes', '/\t/evil.example.com'],
    ['newline', '/a\r\nSet-Cookie: x=1'],
    ['NUL', '/a\u0000'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(2048)}`],
    ['too many bytes', `/${'中'.repeat(700)}`],
    ['not a string', 42],
  ])('refuses %s', (_name, value) => {
    expect(isSafeReturnTo(value)).toBe(false);
  });
});

describe('isSafeReturnTo with front-end origins', () => {
  const origins = ['https://app.example.com', 'http://localhost:5173'];

  it.each([
    'https://app.example.com/',
    'https://app.example.com/orders/7?tab=items#top',
    'http://localhost:5173/orders/7',
    'http://localhost:5173',
    'HTTPS://APP.example.com/orders',
  ])('accepts %s', (value) => {
    expect(isSafeReturnTo(value, origins)).toBe(true);
  });

  it.each([
    ['another origin', 'https://evil.example.com/'],
    ['another port', 'http://localhost:5174/'],
    ['another scheme', 'http://app.example.com/'],
    ['a subdomain', 'https://x.app.example.com/'],
    ['a lookalike suffix', 'https://app.example.com.evil.example/'],
    ['credentials', 'https://user:pass@app.example.com/'],
    ['credentials that hide the host', 'https://app.example.com@evil.example/'],
    ['backslash', 'https://app.example.com\\@evil.example/'],
    ['tab', 'https://app.example.com/\t'],
    ['javascript URL', 'javascript:alert(1)'],
    ['protocol-relative', '//app.example.com/'],
  ])('refuses %s', (_name, value) => {
    expect(isSafeReturnTo(value, origins)).toBe(false);
  });

  it('refuses every absolute URL without front-end origins', () => {
    expect(isSafeReturnTo('https://app.example.com/')).toBe(false);
  });
});
