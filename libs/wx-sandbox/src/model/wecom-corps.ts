import { createHash } from 'node:crypto';
import { randomSecret } from './sandbox-apps.js';

/**
 * WeCom (企业微信) is another identity system than WeChat's: a person is a member (`userid`)
 * of a corp (`corpid`), logging in to one of its self-built apps (`agentid`, with its own
 * secret); someone who is not a member is an `openid` of the corp, or, for a customer of
 * the corp, an `external_userid`.
 */

/** A corp to register with `WxSandbox.start({ corps })`. */
export interface WxSandboxCorp {
  /** Must not be the appid of a WeChat app of the sandbox: the authorize page tells them apart by it. */
  corpid: string;
  /** @default 'Sandbox Corp' */
  name?: string;
  /** Its self-built apps (自建应用). @default one app, agentid '1000002' */
  apps?: readonly WxSandboxCorpApp[];
  /** @default zhangsan, lisi, wangwu (no email, mobile or avatar), zhaoliu (outside the first app's visible range) */
  members?: readonly WxSandboxMemberSeed[];
  /** @default guest (a WeChat user who is no member) and customer (an external contact) */
  nonMembers?: readonly WxSandboxNonMemberSeed[];
}

/** A self-built app of a corp. */
export interface WxSandboxCorpApp {
  /** Digits, e.g. `'1000002'`. */
  agentid: string;
  /** @default a random 32-hex string */
  secret?: string;
  /** Shown on the login and consent pages. @default 'Sandbox Work App' */
  name?: string;
  /**
   * The keys of the members in the app's visible range (可见范围): only they get a `user_ticket`.
   * @default every member; with the default members, every one but zhaoliu
   */
  visibleTo?: readonly string[];
  /**
   * Whether the server's IP is among the app's trusted IPs (企业可信IP); not, every API call
   * with its secret or token answers 60020. @default true
   */
  ipTrusted?: boolean;
  /**
   * The app's trusted domain (可信域名): hosts (`host` or `host:port`) a `redirect_uri` may
   * point at. @default any host
   */
  redirectHosts?: readonly string[];
}

/** A member to seed a corp with: what its address book (通讯录) holds. */
export interface WxSandboxMemberSeed {
  /** Short handle for tests and the pages, unique among the corp's members and non-members. */
  key: string;
  /** @default the key */
  userid?: string;
  name: string;
  /** 0 unknown, 1 male, 2 female, as WeCom answers it (a string). @default '0' */
  gender?: '0' | '1' | '2';
  /** `''` for none. @default a picture served by the sandbox */
  avatar?: string;
  /** Left out, the member has none; so for the others. */
  mobile?: string;
  email?: string;
  bizMail?: string;
  address?: string;
}

/** Someone who is no member of the corp. */
export interface WxSandboxNonMemberSeed {
  key: string;
  name: string;
  /** A customer of the corp (外部联系人): WeCom answers an `external_userid` with the openid. */
  external?: boolean;
  /** @default derived from the corpid and key */
  openid?: string;
  /** @default derived, for an external contact */
  externalUserid?: string;
}

export interface WxSandboxMember {
  readonly key: string;
  readonly userid: string;
  readonly name: string;
  readonly gender: '0' | '1' | '2';
  /** `''` for none. */
  readonly avatar: string;
  /** The member's personal QR code (员工个人二维码). */
  readonly qrCode: string;
  readonly mobile?: string;
  readonly email?: string;
  readonly bizMail?: string;
  readonly address?: string;
}

export interface WxSandboxNonMember {
  readonly key: string;
  readonly name: string;
  readonly openid: string;
  /** Only for an external contact. */
  readonly externalUserid?: string;
}

export interface WxSandboxCorpAppInfo {
  readonly agentid: string;
  readonly secret: string;
  readonly name: string;
  readonly visibleTo: readonly string[];
  readonly ipTrusted: boolean;
  /** `undefined`: any host. */
  readonly redirectHosts: readonly string[] | undefined;
}

export interface WxSandboxCorpInfo {
  readonly corpid: string;
  readonly name: string;
  readonly apps: readonly WxSandboxCorpAppInfo[];
  readonly members: readonly WxSandboxMember[];
  readonly nonMembers: readonly WxSandboxNonMember[];
}

/** Someone a WeCom login can be for: a member, or someone who is not. */
export type WeComPerson =
  | { kind: 'member'; member: WxSandboxMember }
  | { kind: 'nonMember'; nonMember: WxSandboxNonMember };

export const DEFAULT_SANDBOX_CORPID = 'ww0sandbox0corp';
export const DEFAULT_SANDBOX_AGENTID = '1000002';

/**
 * The default members: one with every field, one without email, one with nothing but a name,
 * and one outside the default app's visible range.
 */
export const DEFAULT_CORP_MEMBERS: readonly WxSandboxMemberSeed[] = [
  {
    key: 'zhangsan',
    userid: 'ZhangSan',
    name: '张三',
    gender: '1',
    mobile: '13800138000',
    email: 'zhangsan@sandbox.test',
    bizMail: 'zhangsan@sandbox.wecom.work',
    address: '广州市海珠区新港中路',
  },
  { key: 'lisi', userid: 'LiSi', name: '李四', gender: '2', mobile: '13900139000' },
  { key: 'wangwu', userid: 'WangWu', name: '王五', avatar: '' },
  {
    key: 'zhaoliu',
    userid: 'ZhaoLiu',
    name: '赵六',
    gender: '1',
    mobile: '13700137000',
    email: 'zhaoliu@sandbox.test',
  },
];

export const DEFAULT_CORP_NON_MEMBERS: readonly WxSandboxNonMemberSeed[] = [
  { key: 'guest', name: '微信用户' },
  { key: 'customer', name: '客户小王', external: true },
];

/** The default app sees every default member but this one. */
const OUT_OF_RANGE = 'zhaoliu';

const AGENTID = /^\d{1,10}$/;

export const WECOM_AVATAR_PREFIX = '/sandbox/wecom/avatar/';

/** The path of a member's default avatar: per corp, as two corps may use one key. */
export function weComAvatarPath(corpid: string, key: string): string {
  return `${WECOM_AVATAR_PREFIX}${encodeURIComponent(corpid)}/${encodeURIComponent(key)}.svg`;
}

/** The member whose default avatar `pathname` is, if any. */
export function weComAvatarOf(pathname: string, corps: SandboxCorps): WxSandboxMember | undefined {
  const match = /^([^/]+)\/([^/]+)\.svg$/.exec(pathname.slice(WECOM_AVATAR_PREFIX.length));
  if (!match) return undefined;
  try {
    const [corpid, key] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
    const person = corps.person(corpid, key);
    return person?.kind === 'member' ? person.member : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves the `corps` option (or the default corp), checked; avatars point at `publicUrl`. */
export function resolveCorps(
  corps: readonly WxSandboxCorp[] | undefined,
  publicUrl: string,
): WxSandboxCorpInfo[] {
  if (corps === undefined) return [resolveCorp({ corpid: DEFAULT_SANDBOX_CORPID }, publicUrl)];
  if (!Array.isArray(corps)) throw new Error('WxSandbox: corps must be a list');
  const seen = new Set<string>();
  return corps.map((corp) => {
    const resolved = resolveCorp(corp, publicUrl);
    if (seen.has(resolved.corpid))
      throw new Error(`WxSandbox: duplicate corpid '${resolved.corpid}'`);
    seen.add(resolved.corpid);
    return resolved;
  });
}

function resolveCorp(corp: WxSandboxCorp, publicUrl: string): WxSandboxCorpInfo {
  if (!corp || typeof corp.corpid !== 'string' || !corp.corpid)
    throw new Error('WxSandbox: every corp needs a corpid');
  const { corpid } = corp;
  const keys = new Set<string>();
  const checkKey = (key: unknown): string => {
    if (typeof key !== 'string' || !key)
      throw new Error(`WxSandbox: corp '${corpid}': every member and non-member needs a key`);
    if (keys.has(key)) throw new Error(`WxSandbox: corp '${corpid}': duplicate key '${key}'`);
    keys.add(key);
    return key;
  };
  const defaults = corp.members === undefined;
  const members = (corp.members ?? DEFAULT_CORP_MEMBERS).map((seed) =>
    Object.freeze(member(corpid, checkKey(seed?.key), seed, publicUrl)),
  );
  const userids = new Set(members.map((one) => one.userid));
  if (userids.size !== members.length)
    throw new Error(`WxSandbox: corp '${corpid}': duplicate userid`);
  const nonMembers = (corp.nonMembers ?? DEFAULT_CORP_NON_MEMBERS).map((seed) =>
    Object.freeze(nonMember(corpid, checkKey(seed?.key), seed)),
  );
  const memberKeys = members.map((one) => one.key);
  // With the default members, an app's default range leaves one out, to log in from outside it.
  const defaultRange = defaults ? memberKeys.filter((key) => key !== OUT_OF_RANGE) : memberKeys;
  const apps = (corp.apps ?? [{ agentid: DEFAULT_SANDBOX_AGENTID }]).map((app) =>
    resolveCorpApp(corpid, app, memberKeys, defaultRange),
  );
  if (apps.length === 0) throw new Error(`WxSandbox: corp '${corpid}' needs an app`);
  const agentids = new Set(apps.map((app) => app.agentid));
  if (agentids.size !== apps.length)
    throw new Error(`WxSandbox: corp '${corpid}': duplicate agentid`);
  return Object.freeze({
    corpid,
    name: corp.name || 'Sandbox Corp',
    apps: Object.freeze(apps),
    members: Object.freeze(members),
    nonMembers: Object.freeze(nonMembers),
  });
}

function resolveCorpApp(
  corpid: string,
  app: WxSandboxCorpApp,
  memberKeys: readonly string[],
  defaultRange: readonly string[],
): WxSandboxCorpAppInfo {
  if (!app || typeof app.agentid !== 'string' || !AGENTID.test(app.agentid))
    throw new Error(`WxSandbox: corp '${corpid}': every app needs an agentid of digits`);
  const where = `corp '${corpid}' app '${app.agentid}'`;
  if (app.secret !== undefined && (typeof app.secret !== 'string' || !app.secret))
    throw new Error(`WxSandbox: ${where} has an empty secret`);
  const visibleTo = app.visibleTo ?? defaultRange;
  for (const key of visibleTo) {
    if (!memberKeys.includes(key))
      throw new Error(`WxSandbox: ${where}: visibleTo names no member '${String(key)}'`);
  }
  return Object.freeze({
    agentid: app.agentid,
    secret: app.secret ?? randomSecret(),
    name: app.name || 'Sandbox Work App',
    visibleTo: Object.freeze([...visibleTo]),
    ipTrusted: app.ipTrusted ?? true,
    redirectHosts:
      app.redirectHosts === undefined
        ? undefined
        : Object.freeze(app.redirectHosts.map((host) => host.toLowerCase())),
  });
}

function member(
  corpid: string,
  key: string,
  seed: WxSandboxMemberSeed,
  publicUrl: string,
): WxSandboxMember {
  if (typeof seed.name !== 'string')
    throw new Error(`WxSandbox: corp '${corpid}': member '${key}' needs a name`);
  if (seed.gender !== undefined && !['0', '1', '2'].includes(seed.gender))
    throw new Error(
      `WxSandbox: corp '${corpid}': member '${key}' has a gender not '0', '1' or '2'`,
    );
  const optional = (['mobile', 'email', 'bizMail', 'address'] as const).filter(
    (field) => seed[field] !== undefined && seed[field] !== '',
  );
  return {
    key,
    userid: seed.userid || key,
    name: seed.name,
    gender: seed.gender ?? '0',
    avatar: seed.avatar ?? `${publicUrl}${weComAvatarPath(corpid, key)}`,
    qrCode: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=${derivedId(`${corpid}:qr:${key}`, 24)}`,
    ...Object.fromEntries(optional.map((field) => [field, seed[field]])),
  };
}

function nonMember(corpid: string, key: string, seed: WxSandboxNonMemberSeed): WxSandboxNonMember {
  if (typeof seed.name !== 'string')
    throw new Error(`WxSandbox: corp '${corpid}': non-member '${key}' needs a name`);
  return {
    key,
    name: seed.name,
    openid: seed.openid || `o${derivedId(`${corpid}:openid:${key}`, 27)}`,
    ...(seed.external || seed.externalUserid
      ? { externalUserid: seed.externalUserid || `wm${derivedId(`${corpid}:external:${key}`, 30)}` }
      : {}),
  };
}

function derivedId(seed: string, length: number): string {
  return createHash('sha256')
    .update(seed)
    .digest('base64url')
    .replace(/[-_]/g, 'x')
    .slice(0, length);
}

/** The corps of a running sandbox: lookups by corpid, agentid, secret and key. */
export class SandboxCorps {
  private readonly corps = new Map<string, WxSandboxCorpInfo>();

  constructor(corps: readonly WxSandboxCorpInfo[]) {
    for (const corp of corps) this.corps.set(corp.corpid, corp);
  }

  list(): readonly WxSandboxCorpInfo[] {
    return [...this.corps.values()];
  }

  corp(corpid: string): WxSandboxCorpInfo | undefined {
    return this.corps.get(corpid);
  }

  app(corpid: string, agentid: string): WxSandboxCorpAppInfo | undefined {
    return this.corps.get(corpid)?.apps.find((app) => app.agentid === agentid);
  }

  /** The app whose secret this is, as gettoken finds it. */
  appBySecret(corpid: string, secret: string): WxSandboxCorpAppInfo | undefined {
    return this.corps.get(corpid)?.apps.find((app) => app.secret === secret);
  }

  person(corpid: string, key: string): WeComPerson | undefined {
    const corp = this.corps.get(corpid);
    const member = corp?.members.find((candidate) => candidate.key === key);
    if (member) return { kind: 'member', member };
    const nonMember = corp?.nonMembers.find((candidate) => candidate.key === key);
    return nonMember ? { kind: 'nonMember', nonMember } : undefined;
  }

  /** Changes whether the app's server IP is trusted. */
  setIpTrusted(corpid: string, agentid: string, ipTrusted: boolean): void {
    const corp = this.corps.get(corpid);
    const app = this.app(corpid, agentid);
    if (!corp || !app) return;
    const apps = corp.apps.map((one) => (one === app ? Object.freeze({ ...app, ipTrusted }) : one));
    this.corps.set(corpid, Object.freeze({ ...corp, apps: Object.freeze(apps) }));
  }
}
