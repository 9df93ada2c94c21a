// The soak's logins: every kind the module has, as browsers, mini-programs and native apps
// drive them against the soak app (servers/nest-wx-oauth-soak.ts), with WeChat's side played
// by the sandbox in this process. Beside the logins that complete, the ones people leave
// unfinished, WeChat's duplicate callback, reloads and replays, refusals and bad requests;
// each step checks the status it must get.
import { cookieHeader } from '../lib/logins.mjs';
import { mulberry32 } from '../lib/open-loop.mjs';

export const APPIDS = {
  officialAccount: 'wx0soak0official',
  website: 'wx0soak0website',
  miniProgram: 'wx0soak0mini',
  mobileApp: 'wx0soak0mobile',
  multiEndApp: 'wx0soak0multiend',
};

/** WeChat's in-app browser, which the module sends to the official account's login. */
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI';
/** A desktop browser, which the module sends to the website app's QR login. */
const DESKTOP_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

/** `count` test users, every third with a phone number, and one WeChat's risk control blocks. */
export function soakUsers(count) {
  const users = Array.from({ length: count }, (_, i) => ({
    key: `user${i}`,
    nickname: `User ${i}`,
    ...(i % 3 === 0 ? { phoneNumber: String(13_800_000_000 + i) } : {}),
  }));
  return [...users, { key: 'blocked', nickname: 'Blocked', highRisk: true }];
}

/** The sandbox's apps, bound to one Open Platform account: one person, one unionid. */
export function soakApps() {
  const bound = { openPlatform: 'soak' };
  return [
    { appid: APPIDS.officialAccount, kind: 'officialAccount', ...bound },
    { appid: APPIDS.website, kind: 'website', ...bound },
    { appid: APPIDS.miniProgram, kind: 'miniProgram', ...bound },
    { appid: APPIDS.mobileApp, kind: 'mobileApp', ...bound },
    { appid: APPIDS.multiEndApp, kind: 'multiEndApp', mobileAppid: APPIDS.mobileApp },
  ];
}

/**
 * The login kinds and how often each comes, per 100 arrivals. Few follow logins: each scan's
 * push leaves two records in the store for 10 minutes (its signature and its event: replays
 * are refused for as long as a push's timestamp is accepted), the only records whose life the
 * soak app cannot shorten, so the store's plateau comes only after 10 minutes; at one login in
 * a hundred (some 60 records a minute at 50 logins/s) they stay well within the growth check's
 * tolerance in a 10-minute soak. A kind's `run` resolves once its last step is
 * answered; `Flow.step` checks and counts every step.
 */
export const KINDS = [
  { name: 'browser in WeChat', weight: 25, run: (f) => f.browser(WECHAT_UA) },
  { name: 'browser on a desktop (QR)', weight: 10, run: (f) => f.browser(DESKTOP_UA) },
  { name: "WeChat's duplicate callback, then a reload", weight: 5, run: (f) => f.duplicate() },
  { name: 'browser login left unfinished', weight: 8, run: (f) => f.unfinished() },
  { name: 'browser login denied', weight: 3, run: (f) => f.denied() },
  { name: 'browser login with a bad code', weight: 2, run: (f) => f.badCode() },
  { name: 'browser login with a forged state', weight: 2, run: (f) => f.forgedState() },
  { name: 'SPA handoff, then a replay', weight: 8, run: (f) => f.spa(true) },
  { name: 'SPA handoff never redeemed', weight: 2, run: (f) => f.spa(false) },
  { name: 'follow login', weight: 1, run: (f) => f.follow(true) },
  { name: 'follow login left unscanned', weight: 1, run: (f) => f.follow(false) },
  { name: 'mini-program', weight: 15, run: (f) => f.miniProgram() },
  { name: 'mini-program, code reused', weight: 1, run: (f) => f.miniProgramReused() },
  { name: 'mini-program, user blocked', weight: 1, run: (f) => f.miniProgramBlocked() },
  { name: 'native app', weight: 9, run: (f) => f.app(false) },
  { name: 'multi-end app', weight: 3, run: (f) => f.app(true) },
  { name: 'native app state never spent', weight: 3, run: (f) => f.appUnspent() },
  { name: 'native app, state replayed', weight: 1, run: (f) => f.appReplayed() },
];

/** The kinds of error WeChat's failures make (502, 504), which a failed SPA login carries back as `wx_error`. */
const WECHAT_FAILURES = new Set(['busy', 'upstream', 'bad_response', 'network', 'timeout']);

/** WeChat's failures the soak injects, one at a time, each on the next call to its endpoint. */
export const FAULTS = [
  { endpoint: 'access_token', fault: { type: 'errcode', errcode: -1, errmsg: 'system error' } },
  { endpoint: 'userinfo', fault: { type: 'http500' } },
  { endpoint: 'jscode2session', fault: { type: 'nonJson' } },
  { endpoint: 'qrcode_create', fault: { type: 'errcode', errcode: -1, errmsg: 'system error' } },
  { endpoint: 'code2verifyinfo', fault: { type: 'reset' } },
];

/** What one kind's steps met: answers as they should be, WeChat's injected failures, and anything else. */
export class Tally {
  constructor() {
    this.kinds = new Map();
    this.examples = [];
  }

  of(kind) {
    let entry = this.kinds.get(kind);
    if (!entry) {
      entry = { arrivals: 0, completed: 0, refused: 0, wechatFaults: 0, unexpected: 0 };
      this.kinds.set(kind, entry);
    }
    return entry;
  }

  /** Sums over the kinds. */
  total() {
    const total = { arrivals: 0, completed: 0, refused: 0, wechatFaults: 0, unexpected: 0 };
    for (const entry of this.kinds.values())
      for (const key of Object.keys(total)) total[key] += entry[key];
    return total;
  }
}

/** One arrival's steps against the soak app, for one test user. */
export class Flow {
  constructor({ url, sandbox, frontend, user, client, tally, kind, faultsInjected }) {
    Object.assign(this, { url, sandbox, frontend, user, client, tally, kind, faultsInjected });
  }

  /**
   * One request. `expected` are the statuses it must get; with `wechat`, the step calls WeChat,
   * and a 502 or 504 counts as an injected failure of WeChat's once one was injected.
   */
  async step(path, expected, { method = 'GET', headers = {}, body, wechat = false } = {}) {
    let res;
    let text;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        redirect: 'manual',
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      text = await res.text();
    } catch (error) {
      this.unexpected(`${method} ${path.split('?')[0]}: ${error.message}`);
      return undefined;
    }
    if (expected.includes(res.status)) return { res, text };
    if (wechat && this.faultsInjected() > 0 && (res.status === 502 || res.status === 504)) {
      this.tally.of(this.kind).wechatFaults++;
      return undefined;
    }
    this.unexpected(
      `${method} ${path.split('?')[0]} answered ${res.status}: ${text.slice(0, 160)}`,
    );
    return undefined;
  }

  unexpected(example) {
    this.tally.of(this.kind).unexpected++;
    if (this.tally.examples.length < 10) this.tally.examples.push(`${this.kind}: ${example}`);
  }

  completed() {
    this.tally.of(this.kind).completed++;
  }

  refused() {
    this.tally.of(this.kind).refused++;
  }

  /** GET /auth/wechat: the state, its cookie and the app the authorize link names. */
  async start(userAgent, query = '') {
    const started = await this.step(`/auth/wechat${query}`, [302], {
      headers: { 'user-agent': userAgent },
    });
    if (!started) return undefined;
    const location = new URL(started.res.headers.get('location'));
    const cookie = cookieHeader(started.res.headers.getSetCookie());
    return {
      state: location.searchParams.get('state'),
      appid: location.searchParams.get('appid'),
      cookie,
      userAgent,
    };
  }

  /** The code WeChat gives the app that started the login, for this user, as the authorize page would. */
  code(login) {
    const scope = login.appid === APPIDS.website ? 'snsapi_login' : 'snsapi_userinfo';
    return this.sandbox.issueCode(this.user, scope, login.appid);
  }

  callback(login, query, expected = [200]) {
    return this.step(`/auth/wechat/callback?${query}`, expected, {
      headers: { cookie: login.cookie, 'user-agent': login.userAgent },
      wechat: true,
    });
  }

  async browser(userAgent) {
    const login = await this.start(userAgent);
    if (!login) return;
    if (await this.callback(login, `code=${this.code(login)}&state=${login.state}`))
      this.completed();
  }

  /** WeChat sends the callback twice at once: both log in, with one exchange; a reload without the cookie is refused. */
  async duplicate() {
    const login = await this.start(WECHAT_UA);
    if (!login) return;
    const query = `code=${this.code(login)}&state=${login.state}`;
    const answers = await Promise.all([this.callback(login, query), this.callback(login, query)]);
    if (answers.every(Boolean)) this.completed();
    const reload = await this.step(`/auth/wechat/callback?${query}`, [401]);
    if (reload) this.refused();
  }

  async unfinished() {
    if (await this.start(Math.random() < 0.5 ? WECHAT_UA : DESKTOP_UA)) this.refused();
  }

  /** The person refused in WeChat: the callback comes back without a code. */
  async denied() {
    const login = await this.start(WECHAT_UA);
    if (login && (await this.callback(login, `state=${login.state}`, [401]))) this.refused();
  }

  async badCode() {
    const login = await this.start(WECHAT_UA);
    if (login && (await this.callback(login, `code=not0a0code&state=${login.state}`, [401])))
      this.refused();
  }

  async forgedState() {
    const login = await this.start(WECHAT_UA);
    if (
      login &&
      (await this.callback(login, `code=${this.code(login)}&state=${'f'.repeat(32)}`, [401]))
    )
      this.refused();
  }

  /** A login started by an SPA on another origin, handed back with ?wx_handoff= and redeemed by the SPA, then replayed. */
  async spa(redeem) {
    const returnTo = `${this.frontend}/after-login`;
    const login = await this.start(WECHAT_UA, `?returnTo=${encodeURIComponent(returnTo)}`);
    if (!login) return;
    const back = await this.callback(login, `code=${this.code(login)}&state=${login.state}`, [302]);
    if (!back) return;
    const location = new URL(back.res.headers.get('location'));
    // A failed login goes back to the SPA too, with its kind: WeChat's failure is no exception.
    if (WECHAT_FAILURES.has(location.searchParams.get('wx_error')) && this.faultsInjected() > 0)
      return void this.tally.of(this.kind).wechatFaults++;
    const handoff = location.searchParams.get('wx_handoff');
    if (!handoff) return this.unexpected(`the callback sent the SPA to ${location.search}`);
    if (!redeem) return this.refused();
    const exchange = (expected) =>
      this.step('/auth/wechat/handoff', expected, {
        method: 'POST',
        headers: { origin: this.frontend },
        body: { code: handoff },
      });
    if (await exchange([200])) this.completed();
    if (await exchange([401])) this.refused();
  }

  /** The follow login: the page shows the account's QR code, the person scans it, the page logs in. */
  async follow(scan) {
    const shown = await this.step('/auth/wechat/follow', [201], { method: 'POST', wechat: true });
    if (!shown) return;
    const cookie = cookieHeader(shown.res.headers.getSetCookie());
    const ticket = new URL(JSON.parse(shown.text).imageUrl).searchParams.get('ticket');
    const poll = () => this.step('/auth/wechat/follow/status', [200], { headers: { cookie } });
    if (!scan) {
      if (await poll()) this.refused();
      return;
    }
    try {
      const pushed = await this.sandbox.scan(ticket, this.user);
      if (!pushed.answered) return this.unexpected('the message push got no answer');
    } catch (error) {
      return this.unexpected(`scan: ${error.message}`);
    }
    const status = await poll();
    if (!status) return;
    if (JSON.parse(status.text).status !== 'scanned')
      return this.unexpected(`the status after the scan is ${status.text}`);
    if (await this.step('/auth/wechat/follow/done', [200], { headers: { cookie }, wechat: true }))
      this.completed();
  }

  async miniProgram() {
    const code = this.sandbox.wxLogin(this.user, APPIDS.miniProgram);
    const withPhone = Number(this.user.slice(4)) % 3 === 0 && Math.random() < 0.25;
    const body = withPhone
      ? { code, phoneCode: this.sandbox.phoneCode(this.user, APPIDS.miniProgram) }
      : { code };
    if (await this.miniProgramLogin(body, [200])) this.completed();
  }

  miniProgramLogin(body, expected) {
    return this.step('/auth/wechat/miniprogram', expected, { method: 'POST', body, wechat: true });
  }

  async miniProgramReused() {
    const code = this.sandbox.wxLogin(this.user, APPIDS.miniProgram);
    if (await this.miniProgramLogin({ code }, [200])) this.completed();
    if (await this.miniProgramLogin({ code }, [401])) this.refused();
  }

  async miniProgramBlocked() {
    const code = this.sandbox.wxLogin('blocked', APPIDS.miniProgram);
    if (await this.miniProgramLogin({ code }, [403])) this.refused();
  }

  /** POST /auth/wechat/app/state from this client's address. */
  async appState() {
    const issued = await this.step('/auth/wechat/app/state', [200], {
      method: 'POST',
      headers: { 'x-forwarded-for': this.client },
    });
    return issued ? JSON.parse(issued.text).state : undefined;
  }

  appLogin(body, expected) {
    return this.step('/auth/wechat/app', expected, {
      method: 'POST',
      headers: { 'x-forwarded-for': this.client },
      body,
      wechat: true,
    });
  }

  async app(multiEnd) {
    const state = await this.appState();
    if (!state) return;
    const body = multiEnd
      ? { code: this.sandbox.identityCode({ user: this.user }), state, multiEnd: true }
      : { code: this.sandbox.appLogin({ user: this.user, state }).code, state };
    if (await this.appLogin(body, [200])) this.completed();
  }

  async appUnspent() {
    if (await this.appState()) this.refused();
  }

  /** A code injected through the app's URL scheme with a state already spent: refused before WeChat. */
  async appReplayed() {
    const state = await this.appState();
    if (!state) return;
    const login = () => ({ code: this.sandbox.appLogin({ user: this.user, state }).code, state });
    if (await this.appLogin(login(), [200])) this.completed();
    if (await this.appLogin(login(), [401])) this.refused();
  }
}

/** Picks kinds by weight, users and native-app client addresses, from a seeded generator. */
export function arrivals(seed, userCount) {
  const random = mulberry32(seed);
  const total = KINDS.reduce((sum, kind) => sum + kind.weight, 0);
  return () => {
    let pick = random() * total;
    const kind = KINDS.find((k) => (pick -= k.weight) < 0) ?? KINDS.at(-1);
    const user = `user${Math.floor(random() * userCount)}`;
    // Ten thousand clients: their unspent states spread over many addresses, as apps behind NAT do not all share one.
    const n = Math.floor(random() * 10_000);
    const client = `10.${(n >> 8) & 255}.${n & 255}.${1 + (n % 250)}`;
    return { kind, user, client };
  };
}
