// nest-wx-oauth/redis: the store in Redis, kept off the main entry so that apps without ioredis load nothing of it.
export {
  type WxRedisConnectionOptions,
  type WxRedisSentinelOptions,
  WxRedisStore,
  type WxRedisStoreOptions,
} from './wx-redis-store.js';
