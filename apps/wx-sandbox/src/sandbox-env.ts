import type { WxSandbox, WxSandboxApp, WxSandboxOptions } from 'nest-wx-oauth/testing';

/** The Open Platform account both apps of the two-app form are bound to, unless named. */
export const DEFAULT_OPEN_PLATFORM = 'sandbox-open-platform';

/** One app of the two-app form and the variables it is read from. */
interface AppVariables {
  kind: WxSandboxApp['kind'];
  label: string;
  appid: string;
  secret: string;
}

const TWO_APPS: readonly AppVariables[] = [
  {
    kind: 'officialAccount',
    label: 'official account',
    appid: 'WX_SANDBOX_MP_APPID',
    secret: 'WX_SANDBOX_MP_SECRET',
  },
  {
    kind: 'website',
    label: 'website app',
    appid: 'WX_SANDBOX_WEB_APPID',
    secret: 'WX_SANDBOX_WEB_SECRET',
  },
];

/** How the command was configured: the sandbox options, and what to say about each app's secret. */
export interface SandboxCommandConfig {
  options: WxSandboxOptions;
  /** Per appid, where its secret came from; never the secret itself. */
  secretSources: ReadonlyMap<string | undefined, string>;
}

/**
 * The command's environment. The single-app form (`WX_SANDBOX_APPID`/`WX_SANDBOX_SECRET`,
 * or nothing) gives one app that takes both flows; the two-app form
 * (`WX_SANDBOX_MP_*` and/or `WX_SANDBOX_WEB_*`) gives an official account and a website
 * app as on WeChat, bound to one Open Platform account (`WX_SANDBOX_OPEN_PLATFORM`).
 */
export function sandboxConfigFromEnv(env: NodeJS.ProcessEnv): SandboxCommandConfig {
  const options: WxSandboxOptions = {
    // 0.0.0.0 so the sandbox is reachable from outside a container.
    host: env.HOST || '0.0.0.0',
    port: env.PORT ? Number(env.PORT) : 3001,
    autoApprove: env.WX_SANDBOX_AUTO_APPROVE || false,
    // Where browsers reach it (e.g. a mapped port): avatar, QR-code and wxLogin.js URLs use this.
    publicUrl: env.WX_SANDBOX_PUBLIC_URL || undefined,
  };
  const twoApps = TWO_APPS.some((app) => env[app.appid] || env[app.secret]);
  if (!twoApps) {
    const source = env.WX_SANDBOX_SECRET
      ? 'secret from WX_SANDBOX_SECRET'
      : 'random secret: set WX_SANDBOX_SECRET to share one';
    return {
      options: {
        ...options,
        appid: env.WX_SANDBOX_APPID || undefined,
        secret: env.WX_SANDBOX_SECRET || undefined,
      },
      secretSources: new Map([[undefined, source]]),
    };
  }
  if (env.WX_SANDBOX_APPID || env.WX_SANDBOX_SECRET) {
    throw new Error(
      'set either WX_SANDBOX_APPID/WX_SANDBOX_SECRET (one app) or WX_SANDBOX_MP_*/WX_SANDBOX_WEB_* (two apps), not both',
    );
  }
  const openPlatform = env.WX_SANDBOX_OPEN_PLATFORM || DEFAULT_OPEN_PLATFORM;
  const apps: WxSandboxApp[] = [];
  const secretSources = new Map<string, string>();
  for (const app of TWO_APPS) {
    const appid = env[app.appid];
    if (!appid) {
      if (env[app.secret]) throw new Error(`${app.secret} is set but ${app.appid} is not`);
      continue;
    }
    apps.push({ appid, secret: env[app.secret] || undefined, kind: app.kind, openPlatform });
    secretSources.set(
      appid,
      env[app.secret]
        ? `secret from ${app.secret}`
        : `random secret: set ${app.secret} to share one`,
    );
  }
  return { options: { ...options, apps }, secretSources };
}

/** The start-up line: where it listens and each app's appid and kind, never a secret. */
export function describeSandbox(sandbox: WxSandbox, config: SandboxCommandConfig): string {
  const publicAt = sandbox.publicUrl === sandbox.url ? '' : `, browsers use ${sandbox.publicUrl}`;
  const single = config.secretSources.get(undefined);
  if (single !== undefined) {
    return `WeChat sandbox listening on ${sandbox.url}${publicAt} (appid ${sandbox.appid}, ${single})`;
  }
  const apps = sandbox.apps.map((app) => {
    const kind = app.kind === 'officialAccount' ? 'official account' : 'website app';
    return `${kind} ${app.appid} (${config.secretSources.get(app.appid)})`;
  });
  const binding = sandbox.apps[0].openPlatform
    ? `, bound to Open Platform account '${sandbox.apps[0].openPlatform}'`
    : '';
  return `WeChat sandbox listening on ${sandbox.url}${publicAt}: ${apps.join(', ')}${binding}; wxLogin.js at ${sandbox.wxLoginJsUrl}`;
}
