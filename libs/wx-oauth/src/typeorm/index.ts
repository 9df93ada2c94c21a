// nest-wx-oauth/typeorm: the identities in the app's database, kept off the main entry so that apps without TypeORM load nothing of it.
export { WxIdentities1796601600000 } from './migrations/1796601600000-wx-identities.js';
export { WX_IDENTITY_ENTITIES, WX_IDENTITY_MIGRATIONS } from './wx-identity-schema.js';
export { WxIdentityEntity } from './wx-identity.entity.js';
export { WxTypeOrmIdentityStore } from './wx-typeorm-identity-store.js';
export { WxUnionidEntity } from './wx-unionid.entity.js';
