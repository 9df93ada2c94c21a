import { WxIdentities1796601600000 } from './migrations/1796601600000-wx-identities.js';
import { WxIdentityEntity } from './wx-identity.entity.js';
import { WxUnionidEntity } from './wx-unionid.entity.js';

/**
 * The entities of `WxTypeOrmIdentityStore`, for the `DataSource`'s `entities`
 * (or `TypeOrmModule.forFeature`).
 *
 * @publicApi
 */
export const WX_IDENTITY_ENTITIES = [WxIdentityEntity, WxUnionidEntity];

/**
 * The migrations that create and update those tables, for the `DataSource`'s
 * `migrations`, oldest first.
 *
 * @publicApi
 */
export const WX_IDENTITY_MIGRATIONS = [WxIdentities1796601600000];
