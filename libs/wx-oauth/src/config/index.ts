// nest-wx-oauth/config: the module configured through @nestjs/config, an optional peer
// kept off the main entry so that apps without it (or on Nest 11 with its own) load nothing of it.
export {
  WX_OAUTH_CONFIG_KEYS,
  wxOAuthFromConfig,
  type WxOAuthConfigExtra,
} from './wx-oauth-from-config.js';
