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
