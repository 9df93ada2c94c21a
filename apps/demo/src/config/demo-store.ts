import type { ConfigService } from '@nestjs/config';
import type { WxOAuthModuleOptions } from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import type { DemoEnv } from './demo.config.js';

type DemoConfig = ConfigService<DemoEnv, true>;

/**
 * The module's store, shared by every instance: one Redis (`REDIS_URL`), a
 * Redis Cluster (`REDIS_CLUSTER_NODES`) or the master Redis Sentinel watches
 * (`REDIS_SENTINELS`, `REDIS_SENTINEL_NAME`); none (the module's memory) without them.
 */
export function demoStore(config: DemoConfig): Pick<WxOAuthModuleOptions, 'store'> {
  const url = config.get('REDIS_URL', { infer: true });
  const cluster = config.get('REDIS_CLUSTER_NODES', { infer: true });
  const sentinels = config.get('REDIS_SENTINELS', { infer: true });
  if (url) return { store: new WxRedisStore({ url }) };
  if (cluster) return { store: new WxRedisStore({ cluster }) };
  if (sentinels) {
    const name = config.get('REDIS_SENTINEL_NAME', { infer: true })!;
    return { store: new WxRedisStore({ sentinel: { sentinels, name } }) };
  }
  return {};
}

/** Where the demo keeps tokens, for its start-up line. */
export function demoStoreName(config: DemoConfig): string {
  if (config.get('REDIS_CLUSTER_NODES', { infer: true })) return 'tokens in Redis Cluster';
  if (config.get('REDIS_SENTINELS', { infer: true })) return 'tokens in Redis through Sentinel';
  return config.get('REDIS_URL', { infer: true }) ? 'tokens in Redis' : 'tokens in memory';
}
