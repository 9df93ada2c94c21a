import { createHmac } from 'node:crypto';
import type { ConfigService } from '@nestjs/config';
import type { WxAppCredentials, WxOAuthModuleOptions, WxWeComOptions } from 'nest-wx-oauth';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import type { Repository } from 'typeorm';
import type { DemoMerchantEntity } from '../database/demo-merchant.entity.js';
import { type DemoSiteApps, DemoTenants } from '../merchants/demo-tenants.js';
import type { DemoEnv } from './demo.config.js';

type DemoConfig = ConfigService<DemoEnv, true>;

/** The registration the module forbids beside `tenants`: the site's apps become the `site` tenant instead. */
const FIXED_REGISTRATION = {
  appid: undefined,
  secret: undefined,
  officialAccount: undefined,
  website: undefined,
  miniProgram: undefined,
  mobileApp: undefined,
  multiEndApp: undefined,
  wecom: undefined,
} as const;

/**
 * The demo as a SaaS on a third-party platform (DEMO_SAAS): the merchants are
 * tenants, beside the site's own apps as one more (so every login of the demo
 * works as before); the platform is WX_COMPONENT_*'s (read by
 * `wxOAuthFromConfig`), or the in-process sandbox's. With tenants, the login
 * states are sealed with a secret of the site's, derived from SESSION_SECRET.
 */
export function demoSaasOptions(
  config: DemoConfig,
  sandbox: WxSandbox | undefined,
  merchants: Repository<DemoMerchantEntity>,
): Partial<WxOAuthModuleOptions> {
  const site = sandbox ? sandboxSiteApps(sandbox, config) : configSiteApps(config);
  const platform = sandbox?.component;
  return {
    ...FIXED_REGISTRATION,
    tenants: { resolver: new DemoTenants(site, merchants) },
    state: {
      secret: createHmac('sha256', config.get('SESSION_SECRET', { infer: true }))
        .update('nest-wx-oauth demo: login states')
        .digest('hex'),
    },
    ...(platform
      ? {
          component: {
            appid: platform.appid,
            secret: platform.secret,
            token: platform.token,
            encodingAesKey: platform.encodingAesKey,
          },
        }
      : {}),
  };
}

/**
 * The in-process sandbox's apps of the site, with or without tenants (the first of each kind:
 * the merchants' accounts come after), and its default corp's WeCom app.
 */
export function sandboxSiteApps(sandbox: WxSandbox, config: DemoConfig): DemoSiteApps {
  const app = (kind: string): WxAppCredentials | undefined => {
    const found = sandbox.apps.find((a) => a.kind === kind);
    return found && { appid: found.appid, secret: found.secret };
  };
  return {
    officialAccount: app('officialAccount'),
    website: app('website'),
    miniProgram: app('miniProgram'),
    mobileApp: app('mobileApp'),
    multiEndApp: app('multiEndApp'),
    wecom: {
      corpid: sandbox.corpid,
      agentid: sandbox.corpApp().agentid,
      secret: sandbox.corpApp().secret,
      callbackURL: config.get('WX_WECOM_CALLBACK_URL', { infer: true })!,
    },
  };
}

/** The site's apps from WX_MP_*, WX_WEB_*, WX_MINI_*, WX_MOBILE_*, WX_MULTIEND_* (none: a SaaS with no app of its own). */
function configSiteApps(config: DemoConfig): DemoSiteApps {
  const pair = (appid?: string, secret?: string): WxAppCredentials | undefined =>
    appid && secret ? { appid, secret } : undefined;
  const get = (key: keyof DemoEnv) => config.get(key, { infer: true }) as string | undefined;
  const apps: DemoSiteApps = {
    officialAccount: pair(get('WX_MP_APPID'), get('WX_MP_SECRET')),
    website: pair(get('WX_WEB_APPID'), get('WX_WEB_SECRET')),
    miniProgram: pair(get('WX_MINI_APPID'), get('WX_MINI_SECRET')),
    mobileApp: pair(get('WX_MOBILE_APPID'), get('WX_MOBILE_SECRET')),
    multiEndApp: pair(get('WX_MULTIEND_APPID'), get('WX_MULTIEND_SECRET')),
    wecom: weComOf(config),
  };
  return Object.fromEntries(Object.entries(apps).filter(([, app]) => app)) as DemoSiteApps;
}

/** The WeCom app of WX_WECOM_* (the demo's config checks it whole). */
function weComOf(config: DemoConfig): WxWeComOptions | undefined {
  const corpid = config.get('WX_WECOM_CORPID', { infer: true });
  const agentid = config.get('WX_WECOM_AGENTID', { infer: true });
  const secret = config.get('WX_WECOM_SECRET', { infer: true });
  const callbackURL = config.get('WX_WECOM_CALLBACK_URL', { infer: true });
  return corpid && agentid && secret && callbackURL
    ? { corpid, agentid, secret, callbackURL }
    : undefined;
}
