import { fakeRequest } from '../wx-oauth.spec-helper.js';
import { hostnameOf, tenantRequestOf } from './wx-tenant-request.js';

describe('the request the tenant resolver sees', () => {
  it.each([
    ['acme.shop.localhost:3010', 'acme.shop.localhost'],
    ['acme.shop.example.com', 'acme.shop.example.com'],
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:3010', '[::1]'],
    ['[::1]', '[::1]'],
    ['', ''],
  ])('takes the port off %j: %j', (host, hostname) => {
    expect(hostnameOf(host)).toBe(hostname);
  });

  it('has the hostname lower-case, the host as it came but lower-case, and the path without the query', () => {
    const { req } = fakeRequest('/t/acme/auth/wechat?returnTo=/x', {
      host: 'ACME.Shop.Localhost:3010',
    });
    expect(tenantRequestOf(req)).toMatchObject({
      hostname: 'acme.shop.localhost',
      host: 'acme.shop.localhost:3010',
      path: '/t/acme/auth/wechat',
    });
  });
});
