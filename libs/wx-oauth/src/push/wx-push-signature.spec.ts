import { createHash } from 'node:crypto';
import { isPushSignature, pushSignature } from './wx-push-signature.js';

describe('push signatures', () => {
  // WeChat's rule, written out: the parts sorted as strings, joined, SHA-1 in hex.
  const expected = createHash('sha1')
    .update(['1409304348', 'pamtest', 'xxxxxx'].join(''))
    .digest('hex');

  it('signs the sorted parts', () => {
    expect(pushSignature(['pamtest', '1409304348', 'xxxxxx'])).toBe(expected);
  });

  it('accepts the signature in either case, and refuses anything else', () => {
    const parts = ['pamtest', '1409304348', 'xxxxxx'];
    expect(isPushSignature(expected, parts)).toBe(true);
    expect(isPushSignature(expected.toUpperCase(), parts)).toBe(true);
    expect(isPushSignature(expected, ['pamtest', '1409304349', 'xxxxxx'])).toBe(false);
    expect(isPushSignature(expected.slice(1), parts)).toBe(false);
    expect(isPushSignature(undefined, parts)).toBe(false);
    expect(isPushSignature(['a'], parts)).toBe(false);
  });
});
