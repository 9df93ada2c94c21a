import { z } from 'zod';
import { parseOptions, wxClientOptionsShape } from '../client/wx-oauth-client.options.js';
import { WX_SCOPES, type WxScope } from '../client/wx-oauth.types.js';
import type { WxOAuthModuleOptions } from './wx-oauth-module-options.interface.js';
import type { WxAppCredentials, WxWeComOptions } from './wx-tenant.interface.js';
import { isOrigin, isSafeReturnTo } from '../http/return-to.js';
import type { WxTenantResolver } from './wx-tenant.interface.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';

const STORE_METHODS = ['get', 'set', 'delete', 'claim', 'lock', 'setIfLocked', 'unlock'] as const;
const TENANT_METHODS = ['tenantOf', 'load', 'tenantOfAppid'] as const;
/** The apps that log in outside the browser, with no callback, each registered by kind. */
export const NATIVE_APPS = ['miniProgram', 'mobileApp', 'multiEndApp'] as const;

/** A push's message Token, from the console. */
const pushToken = z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3 to 32 letters and digits');
/** A push's EncodingAESKey, from the console. */
const encodingAesKey = z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters and digits');

/**
 * The options' schema; messages name other options through `name`, so that the
 * `@nestjs/config` keys read as their variables' names.
 */
function optionsSchema(name: (path: string) => string) {
  const { appid, secret } = wxClientOptionsShape;
  const credentials = (kind: string) =>
    z
      .object({ appid: appid.optional(), secret: secret.optional() })
      .superRefine((app, context) => checkPair(app, context, `${kind}.`, name))
      // The pair check makes the credentials whole.
      .transform((app) => app as WxAppCredentials);
  const callbackURL = z
    .url({
      protocol: /^https?$/,
      error: (issue) =>
        issue.input === undefined ? 'is required' : 'must be an absolute http(s) URL',
    })
    // A browser never sends the fragment back; WeChat would get it inside redirect_uri as %23.
    .refine((url) => !url.includes('#'), 'must not contain #: WeChat would send it back as %23');
  return z
    .object({
      ...wxClientOptionsShape,
      appid: appid.optional(),
      secret: secret.optional(),
      officialAccount: credentials('officialAccount').optional(),
      website: credentials('website').optional(),
      miniProgram: credentials('miniProgram').optional(),
      mobileApp: credentials('mobileApp').optional(),
      multiEndApp: credentials('multiEndApp').optional(),
      tenants: z
        .object({
          resolver: implementing<WxTenantResolver>('WxTenantResolver', TENANT_METHODS),
          cacheTtl: z.number().int().min(0).max(86_400_000).default(60_000),
          max: z.number().int().min(1).max(10_000_000).default(10_000),
          logErrors: z.boolean().default(false),
        })
        .optional(),
      wecom: weComSchema(callbackURL).optional(),
      wecomApiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://qyapi.weixin.qq.com'),
      wecomLoginBaseUrl: z
        .url({ protocol: /^https?$/ })
        .default('https://login.work.weixin.qq.com'),
      callbackURL: callbackURL.optional(),
      scope: z.enum(WX_SCOPES as [WxScope, ...WxScope[]]).default('snsapi_base'),
      idField: z.enum(['openid', 'unionid']).default('openid'),
      state: z
        .object({
          secret: z.string().min(16, 'must be at least 16 characters').optional(),
          ttl: z.number().int().min(10_000).max(3_600_000).default(600_000),
        })
        // Its defaults apply when the group is left out.
        .prefault({}),
      appState: z
        .object({
          ttl: z.number().int().min(10_000).max(3_600_000).default(300_000),
          maxPerClient: z.number().int().min(1).max(10_000).default(20),
        })
        .prefault({}),
      frontendOrigins: z
        .array(
          z
            .string()
            .refine(
              isOrigin,
              'must list origins, like https://app.example.com or http://localhost:5173 (no path, no wildcard)',
            ),
        )
        .default([]),
      successRedirect: z.string().optional(),
      failureRedirect: z.string().optional(),
      messagePush: z
        .object({ token: pushToken, encodingAesKey: encodingAesKey.optional() })
        .optional(),
      component: z.object({ appid, secret, token: pushToken, encodingAesKey }).optional(),
      followLoginTtl: z.number().int().min(60_000).max(2_592_000_000).default(300_000),
      miniProgramSessionTtl: z.number().int().min(60_000).max(2_592_000_000).default(86_400_000),
      mpBaseUrl: z
        .url({ protocol: /^https?$/ })
        .transform((url) => url.replace(/\/+$/, ''))
        .default('https://mp.weixin.qq.com'),
      store: implementing<WxOAuthStore>('WxOAuthStore', STORE_METHODS).optional(),
      tokenRefreshMargin: z.number().int().min(0).max(3_600_000).default(300_000),
    })
    .superRefine(
      (options, context) => {
        const byKind = options.officialAccount !== undefined || options.website !== undefined;
        const nativeApps = NATIVE_APPS.some((key) => options[key] !== undefined);
        const { wecom } = options;
        if (options.tenants !== undefined) {
          const fixed = [
            'appid',
            'secret',
            'officialAccount',
            'website',
            ...NATIVE_APPS,
            'wecom',
          ] as const;
          for (const key of fixed.filter((key) => options[key] !== undefined)) {
            const message = `is the fixed registration's: with ${name('tenants')}, each tenant's apps come from the resolver`;
            context.addIssue({ code: 'custom', path: [key], message });
          }
          if (options.state?.secret === undefined) {
            const message = `is required with ${name('tenants')}: no app secret is the whole site's`;
            context.addIssue({ code: 'custom', path: ['state', 'secret'], message });
          }
        } else if (byKind && (options.appid !== undefined || options.secret !== undefined)) {
          const issue = `give either ${name('appid')} and ${name('secret')} (one app) or ${name('officialAccount')} / ${name('website')}, not both`;
          context.addIssue({ code: 'custom', path: ['appid'], message: issue });
        } else if (!byKind) {
          if (options.appid === undefined && options.secret === undefined) {
            if (!nativeApps && wecom === undefined) {
              const others = ['officialAccount', 'website', ...NATIVE_APPS].map((key) =>
                name(`${key}.appid`),
              );
              others.push(name('wecom.corpid'));
              const message = `is required (or ${others.join(' / ')})`;
              context.addIssue({ code: 'custom', path: ['appid'], message });
            }
          } else checkPair(options, context, '', name);
        }
        // Every WeChat login in a browser comes back to the callback; native apps and WeCom alone have none.
        const browserApps = options.tenants !== undefined || byKind || options.appid !== undefined;
        if (options.callbackURL === undefined && (browserApps || (!nativeApps && !wecom)))
          context.addIssue({ code: 'custom', path: ['callbackURL'], message: 'is required' });
        for (const key of ['successRedirect', 'failureRedirect'] as const) {
          const target = options[key];
          if (target !== undefined && !isSafeReturnTo(target, options.frontendOrigins ?? [])) {
            const message = `must be a path on this site, like /profile, or a URL on one of ${name('frontendOrigins')}`;
            context.addIssue({ code: 'custom', path: [key], message });
          }
        }
        if (options.messagePush && options.website && !options.officialAccount) {
          const message = `is the official account's: set ${name('officialAccount')} too`;
          context.addIssue({ code: 'custom', path: ['messagePush'], message });
        }
        // With an official account, the module's scope is the one inside WeChat, where the QR login cannot run.
        if (options.officialAccount && options.scope === 'snsapi_login') {
          const message = `is the scope inside WeChat when ${name('officialAccount')} is set: snsapi_base or snsapi_userinfo (other browsers get the website QR login, or a route asks for it with @WxAuthScope('snsapi_login'))`;
          context.addIssue({ code: 'custom', path: ['scope'], message });
        }
      },
      // Reported with the other options' problems, not after they are fixed.
      { when: () => true },
    );
}

const AGENTID = "must be the app's AgentId, digits";

/** A WeCom app: its corpid and AgentId as WeCom writes them, its secret, its callback. */
function weComSchema(callbackURL: z.ZodType<string>) {
  const required = (message: string) => (issue: { input: unknown }) =>
    issue.input === undefined ? 'is required' : message;
  return z
    .object({
      corpid: z
        .string({ error: required('must be a string') })
        .regex(/^[A-Za-z0-9]+$/, 'must be letters and digits, the 企业ID'),
      agentid: z
        .union(
          [
            z.string().regex(/^\d{1,12}$/, AGENTID),
            z.number().int(AGENTID).positive(AGENTID).max(999_999_999_999, AGENTID),
          ],
          { error: required(AGENTID) },
        )
        .transform(String),
      secret: wxClientOptionsShape.secret,
      callbackURL,
    })
    .transform((app) => app as Omit<WxWeComOptions, 'agentid'> & { agentid: string });
}

/** An object of the app's that must have `methods`, as an interface of the module's (`name`) asks. */
function implementing<T>(name: string, methods: readonly string[]) {
  return z.custom<T>(
    (value) =>
      methods.every(
        (method) => typeof (value as Record<string, unknown> | null)?.[method] === 'function',
      ),
    `must implement ${name} (${methods.join(', ')})`,
  );
}

/** The one check that an app comes with its secret, and a secret with its app. */
function checkPair(
  app: { appid?: string; secret?: string },
  context: z.RefinementCtx,
  prefix: string,
  name: (path: string) => string,
): void {
  const issue = (path: string, message: string) =>
    context.addIssue({ code: 'custom', path: [path], message });
  if (app.appid === undefined && app.secret !== undefined)
    issue('appid', `is required with ${name(`${prefix}secret`)}`);
  if (app.secret === undefined && app.appid !== undefined)
    issue('secret', `is required with ${name(`${prefix}appid`)}`);
}

/**
 * The module's options validated, with defaults applied: the schema's output,
 * so that the options are typed once, by the schema.
 *
 * @internal
 */
export type WxOAuthSettings = z.output<ReturnType<typeof optionsSchema>>;

/**
 * Validates the module's options at start-up; the app fails to boot with every
 * problem listed under `subject`, each option named by `nameOf` (the
 * `@nestjs/config` keys name their variables), never with a value.
 */
export function resolveWxOAuthOptions(
  options: WxOAuthModuleOptions,
  subject = 'WxOAuthModule',
  nameOf: (path: string) => string = (path) => path,
): WxOAuthSettings {
  // The pair checks make each app's credentials whole.
  return parseOptions(optionsSchema(nameOf), options, subject, nameOf);
}
