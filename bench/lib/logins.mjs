// Logins as the runner drives them: the login states our module needs minted on a second
// instance, the request of each callback, and the one login every server must answer
// right before it is measured.
import autocannon from 'autocannon';
import { tenantOfIndex } from '../servers/tenants.mjs';

export const USERS = ['alice', 'bob', 'carol'];

/**
 * The request generator: a fresh code per callback (minted here, where the sandbox lives) and, for
 * our module, a valid state and its cookie, the code issued for the app that started that login
 * (with tenants, the state's tenant's: the callback exchanges it with that app's secret).
 */
export function requestFor(peer, scenario, sandbox, states, onExhausted) {
  if (scenario.kind === 'redirect') {
    if (!peer.tenants) return { method: 'GET', path: '/auth/wechat' }; // the same every time: built once
    const path = loginPaths(peer);
    return () => ({ method: 'GET', path: path() });
  }
  let i = 0;
  return () => {
    const user = USERS[i++ % USERS.length];
    if (!peer.state) {
      const code = sandbox.issueCode(user, 'snsapi_userinfo');
      return { method: 'GET', path: `/auth/wechat/callback?code=${code}&state=STATE` };
    }
    const login = states.pop();
    if (!login) {
      onExhausted();
      const code = sandbox.issueCode(user, 'snsapi_userinfo');
      return { method: 'GET', path: `/auth/wechat/callback?code=${code}&state=${'0'.repeat(32)}` };
    }
    const code = sandbox.issueCode(user, 'snsapi_userinfo', login.appid);
    return {
      method: 'GET',
      path: `/auth/wechat/callback?code=${code}&state=${login.state}`,
      headers: { cookie: login.cookie },
    };
  };
}

/** The paths of login starts: one route, or with tenants each tenant's in turn, /t/<id>/auth/wechat. */
export function loginPaths(peer) {
  if (!peer.tenants) return () => '/auth/wechat';
  const paths = Array.from(
    { length: peer.tenants },
    (_, i) => `/t/${tenantOfIndex(i).id}/auth/wechat`,
  );
  let i = 0;
  return () => paths[i++ % paths.length];
}

/** The tenants' official accounts, for WxSandbox.start; each bound to an Open Platform account of its own, so WeChat sends a unionid as to the fixed peer's app. */
export function tenantApps(count) {
  return Array.from({ length: count }, (_, i) => {
    const { id, appid, secret } = tenantOfIndex(i);
    return { appid, secret, kind: 'officialAccount', openPlatform: id };
  });
}

/**
 * Starts `count` logins on our server (GET /auth/wechat, or with tenants spread over them) over
 * `connections` connections and keeps each state with its cookie, and the appid its authorize
 * link names, in `states`.
 */
export async function mintStates(peer, url, count, states, { connections }) {
  const before = states.length;
  const path = loginPaths(peer);
  await autocannon({
    url,
    connections,
    amount: count,
    requests: [
      {
        method: 'GET',
        path: path(),
        ...(peer.tenants ? { setupRequest: (request) => ({ ...request, path: path() }) } : {}),
        onResponse: (status, _body, _context, headers) => {
          const login = parseLogin(
            status,
            header(headers, 'location'),
            header(headers, 'set-cookie'),
          );
          if (login) states.push(login);
        },
      },
    ],
  });
  const minted = states.length - before;
  if (minted < count * 0.99) throw new Error(`minted only ${minted} of ${count} login states`);
}

/** A started login from its answer: the state, the cookie to send back, the appid it names. */
export function parseLogin(status, location, setCookie) {
  if (status !== 302 || !location) return undefined;
  const { searchParams } = new URL(location);
  const state = searchParams.get('state');
  const appid = searchParams.get('appid') ?? undefined;
  const cookie = cookieHeader(setCookie);
  return state && cookie ? { state, cookie, appid } : undefined;
}

/** The Cookie header that sends back what Set-Cookie (one header or a list, or none) set. */
export function cookieHeader(setCookie) {
  return [setCookie ?? []]
    .flat()
    .map((c) => c.split(';')[0])
    .join('; ');
}

function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** One request before the load: the server must answer as WeChat's client, through the sandbox. */
export async function sanityCheck(peer, scenario, sandbox, base) {
  // With tenants, the last one's login: its own app, not the sandbox's first.
  const tenant = peer.tenants ? tenantOfIndex(peer.tenants - 1) : undefined;
  const path = tenant ? `/t/${tenant.id}/auth/wechat` : '/auth/wechat';
  const appid = tenant?.appid ?? sandbox.appid;
  const start = await fetch(`${base}${path}`, { redirect: 'manual' });
  const location = start.headers.get('location') ?? '';
  if (
    start.status !== 302 ||
    !location.startsWith(`${sandbox.url}/connect/oauth2/authorize?appid=${appid}&`)
  ) {
    throw new Error(
      `${peer.name}: GET ${path} answered ${start.status} to ${location || 'nowhere'}`,
    );
  }
  if (scenario.kind !== 'callback') return;
  const login = peer.state
    ? parseLogin(start.status, location, start.headers.getSetCookie())
    : { state: 'STATE' };
  const code = sandbox.issueCode('bob', 'snsapi_userinfo', appid);
  const res = await fetch(`${base}/auth/wechat/callback?code=${code}&state=${login.state}`, {
    headers: login.cookie ? { cookie: login.cookie } : {},
  });
  const text = await res.text();
  const bob = sandbox.users.find((user) => user.key === 'bob');
  const body = res.status === 200 ? JSON.parse(text) : {};
  // openids differ per app: bob's in the app that logged him in.
  if (body.openid !== sandbox.openidOf('bob', appid) || body.nickname !== bob.nickname) {
    throw new Error(`${peer.name}: the callback answered ${res.status} ${text.slice(0, 200)}`);
  }
}
