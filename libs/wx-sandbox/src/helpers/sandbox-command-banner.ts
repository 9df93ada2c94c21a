import { COMPONENT_CONSOLE_PATH } from '../handlers/component-console.js';
import { COMPONENT_LOGIN_PATH } from '../handlers/component-login-handler.js';
import { MESSAGE_PUSH_CONSOLE_PATH } from '../handlers/message-push-console.js';
import { describeKind, isMiniProgram, isOfficialAccount } from '../model/sandbox-apps.js';
import type { WxSandboxCorpAppInfo, WxSandboxCorpInfo } from '../model/wecom-corps.js';
import type { WxSandbox } from '../wx-sandbox.js';
import type { SandboxCommandConfig, SandboxSeedSource } from './sandbox-command-config.js';

/** The `nest-wx-oauth/config` keys of each kind of app. */
const KEY_PREFIXES: Record<string, string> = {
  officialAccount: 'WX_MP',
  website: 'WX_WEB',
  miniProgram: 'WX_MINI',
  mobileApp: 'WX_MOBILE',
  multiEndApp: 'WX_MULTIEND',
};

/**
 * What the command prints once listening: every variable the app needs, in the keys
 * `nest-wx-oauth/config` reads, then how the official account's message push stands. A
 * secret the sandbox made up is printed (it is good for this sandbox only); one that was
 * given is named, never shown.
 */
export function describeSandboxCommand(sandbox: WxSandbox, config: SandboxCommandConfig): string {
  const secretOf = (secret: string) => config.givenSecrets.get(secret) ?? secret;
  const siteApps = sandbox.apps.filter((app) => !config.merchantAppids.includes(app.appid));
  const account = siteApps.find(isOfficialAccount);
  const push = account && sandbox.messagePushOf(account.appid);
  const consoleUrl = `${sandbox.publicUrl}${MESSAGE_PUSH_CONSOLE_PATH}`;
  const variables: [string, string][] = config.options.apps
    ? siteApps.flatMap((app) => {
        const prefix = KEY_PREFIXES[app.kind];
        return [
          [`${prefix}_APPID`, app.appid],
          [`${prefix}_SECRET`, secretOf(app.secret)],
        ] as [string, string][];
      })
    : [
        ['WX_APPID', sandbox.appid],
        ['WX_SECRET', secretOf(sandbox.secret)],
      ];
  variables.push(['WX_CALLBACK_URL', config.callbackUrl]);
  // Inside WeChat, the scope that gives the test users' nicknames and avatars.
  if (account) variables.push(['WX_SCOPE', 'snsapi_userinfo']);
  variables.push(['WX_API_BASE_URL', sandbox.url], ['WX_OPEN_BASE_URL', sandbox.publicUrl]);
  // The follow login's QR image, which the browser loads.
  if (account) variables.push(['WX_MP_BASE_URL', sandbox.publicUrl]);
  if (push) {
    variables.push(['WX_MP_TOKEN', secretOf(push.token)]);
    if (push.encodingAesKey !== undefined)
      variables.push(['WX_MP_AES_KEY', secretOf(push.encodingAesKey)]);
  }
  // The third-party platform, for a SaaS whose merchants authorise their accounts to it.
  const component = sandbox.component;
  const merchants = sandbox.apps.some((app) => isOfficialAccount(app) || isMiniProgram(app));
  if (merchants) {
    variables.push(
      ['WX_COMPONENT_APPID', component.appid],
      ['WX_COMPONENT_SECRET', secretOf(component.secret)],
      ['WX_COMPONENT_TOKEN', secretOf(component.token)],
      ['WX_COMPONENT_AES_KEY', secretOf(component.encodingAesKey)],
    );
  }
  const componentConsole = `${sandbox.publicUrl}${COMPONENT_CONSOLE_PATH}`;
  const tickets =
    component.ticketIntervalMs === 0
      ? 'a ticket only on demand'
      : `a ticket every ${component.ticketIntervalMs / 1000} s`;
  // WeCom: its in-client link is on WX_OPEN_BASE_URL's host, its API and web login on these.
  const corp = sandbox.corps[0];
  const corpApp = corp?.apps[0];
  if (corp && corpApp) {
    variables.push(
      ['WX_WECOM_CORPID', corp.corpid],
      ['WX_WECOM_AGENTID', corpApp.agentid],
      ['WX_WECOM_SECRET', secretOf(corpApp.secret)],
      ['WX_WECOM_CALLBACK_URL', config.weComCallbackUrl],
      ['WX_WECOM_API_BASE_URL', sandbox.url],
      ['WX_WECOM_LOGIN_BASE_URL', sandbox.publicUrl],
    );
  }

  const kinds = siteApps.map(
    (app) =>
      `${describeKind(app.kind)} ${app.appid}` +
      (app.mobileAppid === undefined ? '' : ` (logging in as ${app.mobileAppid})`),
  );
  const merchantAccounts = sandbox.apps
    .filter((app) => config.merchantAppids.includes(app.appid))
    .map((app) => `${app.appid} (${app.name})`);
  const binding = sandbox.apps[0].openPlatform
    ? `, bound to Open Platform account '${sandbox.apps[0].openPlatform}'`
    : '';
  const autoApprove = config.options.autoApprove;
  return [
    `WeChat sandbox listening on ${sandbox.url}` +
      (sandbox.publicUrl === sandbox.url ? '' : ` (browsers use ${sandbox.publicUrl})`),
    config.options.apps
      ? `Apps: ${kinds.join(', ')}${binding}.` +
        (merchantAccounts.length > 0
          ? ` Merchants' official accounts: ${merchantAccounts.join(', ')}.`
          : '')
      : 'One app for every flow (a convenience of the sandbox: WeChat has an app per flow).',
    `Secrets not given: ${seedWords(config.seed)}.`,
    '',
    'Configure your app with:',
    ...variables.map(([name, value]) => `  ${name}=${value}`),
    '',
    ...(account === undefined
      ? []
      : [
          push
            ? `Message push (服务器配置): ${push.url}, ` +
              `${push.encodingAesKey === undefined ? 'plain mode' : 'safe mode'}; ` +
              `check or change it at ${consoleUrl}`
            : 'Message push (服务器配置): not set, so a follow login stays pending: ' +
              `--mp-push-url <your app's message endpoint>, or ${consoleUrl}`,
        ]),
    ...(merchants
      ? [
          component.eventUrl === undefined
            ? `Third-party platform ${component.appid}: no event URL, so its tickets reach nobody: ` +
              `--component-event-url <your app's authorisation-event endpoint>`
            : `Third-party platform ${component.appid}: ${tickets} to ${component.eventUrl}`,
          `  merchants authorise at ${sandbox.publicUrl}${COMPONENT_LOGIN_PATH}; ` +
            `push a ticket or revoke at ${componentConsole}`,
        ]
      : []),
    `wxLogin.js: ${sandbox.wxLoginJsUrl}`,
    `Test users: ${sandbox.users.map((user) => user.key).join(', ')}` +
      (autoApprove ? ` (approving as ${autoApprove})` : ' (chosen on the consent page)'),
    ...(corp && corpApp ? [weComWords(corp, corpApp, config.options.weComAutoApprove)] : []),
    config.quiet
      ? 'Requests are not logged (--quiet).'
      : 'Requests are logged below (--quiet: not).',
    'Press Ctrl+C to stop.',
  ].join('\n');
}

/** The WeCom corp, its app and who can log in, in words. */
function weComWords(
  corp: WxSandboxCorpInfo,
  app: WxSandboxCorpAppInfo,
  autoApprove: string | false | undefined,
): string {
  const members = corp.members.map((member) =>
    app.visibleTo.includes(member.key) ? member.key : `${member.key} (outside the app's range)`,
  );
  const nonMembers = corp.nonMembers.map((person) =>
    person.externalUserid === undefined ? person.key : `${person.key} (external contact)`,
  );
  return (
    `WeCom: corp ${corp.corpid} '${corp.name}', app ${app.agentid}; members ` +
    `${members.join(', ')}; non-members ${nonMembers.join(', ')}` +
    (autoApprove ? ` (signed in as ${autoApprove})` : ' (chosen on the login pages)')
  );
}

/** Where the secrets the sandbox made up came from, in words. */
function seedWords(seed: SandboxSeedSource): string {
  switch (seed.kind) {
    case 'default':
      return 'from the default seed, the same at every start (--seed random: new ones)';
    case 'given':
      return `from the seed you gave (${seed.from}), the same at every start`;
    case 'random':
      return 'random, new at every start (--seed random)';
  }
}
