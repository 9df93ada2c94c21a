import { describeWxIdentities } from './wx-identities.spec-helper.js';
import { WxMemoryIdentityStore } from './wx-memory-identity-store.js';

describeWxIdentities('the memory store', async () => {
  const users = new Set<string>();
  return {
    store: new WxMemoryIdentityStore(),
    createUser: async () => {
      const id = `user-${users.size + 1}`;
      users.add(id);
      return id;
    },
    countUsers: async () => users.size,
    close: async () => undefined,
  };
});
