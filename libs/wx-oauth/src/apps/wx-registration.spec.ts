import type { TestingModule } from '@nestjs/testing';
import { WeChatStub } from '../client/wechat-stub.spec-helper.js';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthModuleOptions } from '../options/wx-oauth-module-options.interface.js';
import { WX_OAUTH_APP_CLIENT } from '../wx-oauth.constants.js';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import { WxOAuthApps } from './wx-oauth-apps.js';
import { naming, type WxRegistration } from './wx-registration.js';

const CALLBACK = 'https://app.example.com/auth/wechat/callback';
const IN_WECHAT = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/140.0 Safari/537.36';
const DESKTOP_WECHAT = 'Mozilla/5.0 (Windows NT 10.0) WindowsWechat MicroMessenger/7.0.20';

const officialAccount = { appid: 'wx0fficia1acc0unt', secret: 'oa-secret-0123456789abcdef' };
const website = { appid: 'wx0web5ite0app001', secret: 'web-secret-0123456789abcdef' };
const miniProgram = { appid: 'wx0m1n1pr0gram01', secret: 'mini-secret-0123456789abcdef' };
const mobileApp = { appid: 'wx0m0b11e0app001', secret: 'mobile-secret-0123456789abcdef' };
const multiEndApp = { appid: 'wx0mu1t1end0app1', secret: 'multi-end-secret-0123456789ab' };
const SECRETS = [officialAccount, website, miniProgram, mobileApp, multiEndApp].map(
  ({ secret }) => secret,
);

/** The kind and appid of the app a login gets. */
const chosen = ({ scope, app }: ReturnType<WxRegistration['forLogin']>) => ({
  scope,
  kind: app.kind,
  appid: app.client.appid,
});

/** What `fn` throws, for a synchronous refusal. */
function thrownBy(fn: () => unknown): WxOAuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WxOAuthError);
    return error as WxOAuthError;
  }
  throw new Error('nothing was thrown');
}

describe('WxRegistration', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  /** The module's fixed registration for `options`. */
  const registrationOf = async (options: WxOAuthModuleOptions): Promise<WxRegistration> => {
    ({ moduleRef } = await compileWxOAuth({ callbackURL: CALLBACK, ...options }));
    return moduleRef.get(WxOAuthApps).fixed!;
  };

  describe('an official account and a website app', () => {
    let registration: WxRegistration;
    beforeEach(async () => {
      registration = await registrationOf({ officialAccount, website, miniProgram });
    });

    it("logs in by the browser's User-Agent: the official account inside WeChat, the QR login elsewhere", () => {
      expect(chosen(registration.forLogin(IN_WECHAT, 'snsapi_base'))).toEqual({
        scope: 'snsapi_base',
        kind: 'officialAccount',
        appid: officialAccount.appid,
      });
      expect(chosen(registration.forLogin(DESKTOP_WECHAT, 'snsapi_userinfo'))).toEqual({
        scope: 'snsapi_userinfo',
        kind: 'officialAccount',
        appid: officialAccount.appid,
      });
      for (const userAgent of [DESKTOP, undefined, ''])
        expect(chosen(registration.forLogin(userAgent, 'snsapi_base'))).toEqual({
          scope: 'snsapi_login',
          kind: 'website',
          appid: website.appid,
        });
    });

    it('serves each scope with its own app, whatever the browser, when the route names the scope', () => {
      expect(chosen(registration.forLogin(IN_WECHAT, 'snsapi_base', 'snsapi_login'))).toMatchObject(
        {
          scope: 'snsapi_login',
          appid: website.appid,
        },
      );
      expect(
        chosen(registration.forLogin(DESKTOP, 'snsapi_base', 'snsapi_userinfo')),
      ).toMatchObject({
        scope: 'snsapi_userinfo',
        appid: officialAccount.appid,
      });
      expect(registration.forScope('snsapi_base').client.appid).toBe(officialAccount.appid);
      expect(registration.forScope('snsapi_userinfo').client.appid).toBe(officialAccount.appid);
      expect(registration.forScope('snsapi_login').client.appid).toBe(website.appid);
    });

    it('knows each app by the appid a login state recorded, the mini-program too', () => {
      expect(registration.byKind).toBe(true);
      for (const [kind, app] of Object.entries({ officialAccount, website, miniProgram }))
        expect(registration.byAppid(app.appid)).toMatchObject({
          kind,
          client: { appid: app.appid },
        });
      expect(registration.byAppid('wx0someoneelse00')).toBeUndefined();
      expect(registration.byAppid(undefined)).toBeUndefined();
      expect(registration.miniProgram().client.appid).toBe(miniProgram.appid);
    });

    it("gives WXOAuth the official account's client, and each kind its own", () => {
      expect(registration.primary?.appid).toBe(officialAccount.appid);
      expect(moduleRef!.get(WXOAuth).appid).toBe(officialAccount.appid);
      for (const [kind, app] of Object.entries({ officialAccount, website, miniProgram }))
        expect(moduleRef!.get<WXOAuth>(WX_OAUTH_APP_CLIENT[kind as 'website']).appid).toBe(
          app.appid,
        );
    });
  });

  describe('one appid', () => {
    let registration: WxRegistration;
    beforeEach(async () => {
      registration = await registrationOf({
        appid: 'wx0ne0app0000001',
        secret: 'one-secret-0123456789',
      });
    });

    it('serves both browser flows with one client', () => {
      const inWeChat = registration.forScope('snsapi_base');
      const qr = registration.forScope('snsapi_login');
      expect(qr.client).toBe(inWeChat.client);
      expect(registration.get('officialAccount')).toBe(registration.get('website'));
      expect(registration.primary).toBe(inWeChat.client);
      expect(inWeChat.client.appid).toBe('wx0ne0app0000001');
      expect(registration.byKind).toBe(false);
    });

    it("keeps the module's scope on every browser: no switch to the QR login by User-Agent", () => {
      expect(registration.forLogin(DESKTOP, 'snsapi_base').scope).toBe('snsapi_base');
      expect(registration.forLogin(IN_WECHAT, 'snsapi_userinfo').scope).toBe('snsapi_userinfo');
      expect(registration.forLogin(DESKTOP, 'snsapi_base', 'snsapi_login').scope).toBe(
        'snsapi_login',
      );
    });

    it('has no mini-program unless one is registered: flow_unavailable (400)', () => {
      expect(registration.get('miniProgram')).toBeUndefined();
      const error = thrownBy(() => registration.miniProgram());
      expect(error.kind).toBe('flow_unavailable');
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/^This site has no WeChat mini-program registered/);
    });

    it.each([
      ['mobileApp', 'mobile app', 'WX_MOBILE_APPID / WX_MOBILE_SECRET'],
      ['multiEndApp', 'multi-end app', 'WX_MULTIEND_APPID / WX_MULTIEND_SECRET'],
    ] as const)(
      'has no %s unless one is registered: flow_unavailable (400) naming its option and keys',
      (kind, label, keys) => {
        expect(registration.get(kind)).toBeUndefined();
        const error = thrownBy(() => registration[kind]());
        expect(error).toMatchObject({ kind: 'flow_unavailable', status: 400 });
        expect(error.message).toBe(
          `This site has no WeChat ${label} registered (${kind}, or ${keys})`,
        );
      },
    );
  });

  describe('native apps alone', () => {
    let registration: WxRegistration;
    beforeEach(async () => {
      registration = await registrationOf({ mobileApp, multiEndApp, callbackURL: undefined });
    });

    it("serves each native login with its own app's client, known by its appid", () => {
      expect(registration.mobileApp()).toMatchObject({
        kind: 'mobileApp',
        client: { appid: mobileApp.appid },
      });
      expect(registration.multiEndApp()).toMatchObject({
        kind: 'multiEndApp',
        client: { appid: multiEndApp.appid },
      });
      expect(registration.mobileApp().client).not.toBe(registration.multiEndApp().client);
      for (const [kind, app] of Object.entries({ mobileApp, multiEndApp }))
        expect(registration.byAppid(app.appid)).toMatchObject({
          kind,
          client: { appid: app.appid },
        });
    });

    it('gives @InjectWxOAuth(kind) their clients, and WXOAuth none', () => {
      for (const [kind, app] of Object.entries({ mobileApp, multiEndApp }))
        expect(moduleRef!.get<WXOAuth>(WX_OAUTH_APP_CLIENT[kind as 'mobileApp']).appid).toBe(
          app.appid,
        );
      expect(registration.primary).toBeUndefined();
      expect(moduleRef!.get(WXOAuth, { strict: false })).toBeNull();
    });

    it('refuses every browser login and the mini-program, never naming a secret', () => {
      for (const refused of [
        () => registration.forLogin(IN_WECHAT, 'snsapi_base'),
        () => registration.forLogin(DESKTOP, 'snsapi_base'),
        () => registration.miniProgram(),
      ]) {
        const error = thrownBy(refused);
        expect(error.kind).toBe('flow_unavailable');
        for (const secret of SECRETS) expect(error.message).not.toContain(secret);
      }
    });
  });

  describe('a missing app', () => {
    it('refuses the QR login without a website app, before the browser leaves: flow_unavailable', async () => {
      const registration = await registrationOf({ officialAccount });
      const error = thrownBy(() => registration.forLogin(DESKTOP, 'snsapi_base'));
      expect(error).toMatchObject({ kind: 'flow_unavailable', status: 400 });
      expect(error.message).toBe(
        'This site has no WeChat website app for the snsapi_login login; log in inside WeChat: open this page in WeChat',
      );
      // Inside WeChat the official account still serves.
      expect(registration.forLogin(IN_WECHAT, 'snsapi_base').app.kind).toBe('officialAccount');
    });

    it('refuses the login inside WeChat without an official account: flow_unavailable', async () => {
      const registration = await registrationOf({ website });
      for (const scope of ['snsapi_base', 'snsapi_userinfo'] as const) {
        const error = thrownBy(() => registration.forLogin(IN_WECHAT, scope));
        expect(error).toMatchObject({ kind: 'flow_unavailable', status: 400 });
        expect(error.message).toContain(`no WeChat official account for the ${scope} login`);
      }
      expect(registration.forLogin(DESKTOP, 'snsapi_base').app.kind).toBe('website');
      expect(registration.primary?.appid).toBe(website.appid);
    });

    it('refuses every browser login of a mini-program alone, never naming a secret', async () => {
      const registration = await registrationOf({ miniProgram, callbackURL: undefined });
      expect(registration.primary).toBeUndefined();
      for (const userAgent of [IN_WECHAT, DESKTOP]) {
        const error = thrownBy(() => registration.forLogin(userAgent, 'snsapi_base'));
        expect(error.kind).toBe('flow_unavailable');
        for (const secret of SECRETS) expect(error.message).not.toContain(secret);
      }
    });
  });

  describe('naming', () => {
    it('names the app WeChat refuses (app_config), by kind and appid, never its secret', async () => {
      const wechat = new WeChatStub({
        '/sns/oauth2/access_token': { errcode: 40125, errmsg: 'invalid appsecret' },
      });
      const registration = await registrationOf({ officialAccount, website, axios: wechat.axios });
      const app = registration.forScope('snsapi_login');
      const error = (await naming(app, app.client.getAccessToken('code-1')).catch(
        (e: unknown) => e,
      )) as WxOAuthError;
      expect(error).toMatchObject({ kind: 'app_config', errcode: 40125 });
      expect(error.message).toMatch(/ \(the website app wx0web5ite0app001\)$/);
      for (const secret of SECRETS) expect(error.message + error.stack).not.toContain(secret);
    });

    it("leaves the user's failures as they are", async () => {
      const wechat = new WeChatStub({
        '/sns/oauth2/access_token': { errcode: 40029, errmsg: 'invalid code' },
      });
      const registration = await registrationOf({ officialAccount, axios: wechat.axios });
      const app = registration.forScope('snsapi_base');
      const error = (await naming(app, app.client.getAccessToken('code-1')).catch(
        (e: unknown) => e,
      )) as WxOAuthError;
      expect(error).toMatchObject({ kind: 'invalid_code', errcode: 40029 });
      expect(error.message).not.toContain('official account');
    });
  });
});
