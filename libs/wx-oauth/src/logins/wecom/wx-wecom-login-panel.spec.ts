import type { TestingModule } from '@nestjs/testing';
import { WxSandbox } from '../../testing/index.js';
import {
  compileWxOAuth,
  cookieHeader,
  fakeRequest,
  runStrategy,
  setCookies,
} from '../../wx-oauth.spec-helper.js';
import { WxWeComLoginPanel } from './wx-wecom-login-panel.js';
import { WxWeComStrategy } from './wx-wecom.strategy.js';

const CALLBACK = 'https://app.example.com/auth/wecom';

describe('WxWeComLoginPanel', () => {
  let sandbox: WxSandbox;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
    const { agentid, secret } = sandbox.corpApp();
    ({ moduleRef } = await compileWxOAuth({
      wecom: { corpid: sandbox.corpid, agentid, secret, callbackURL: CALLBACK },
      openBaseUrl: sandbox.url,
      wecomApiBaseUrl: sandbox.url,
      wecomLoginBaseUrl: sandbox.url,
    }));
  });
  afterAll(async () => {
    await moduleRef.close();
    await sandbox.close();
  });

  it("gives ww.createWWLoginPanel's params with a state the login route verifies", async () => {
    const page = fakeRequest('/login');
    const params = await moduleRef
      .get(WxWeComLoginPanel)
      .settings(page.req, page.res, { returnTo: '/desk' });
    expect(params).toEqual({
      login_type: 'CorpApp',
      appid: sandbox.corpid,
      agentid: sandbox.corpApp().agentid,
      redirect_uri: CALLBACK,
      state: expect.stringMatching(/^[0-9a-f]{32}$/),
      redirect_type: 'top',
    });
    // WeCom's callback is https: the state cookie is Secure, with no WeChat callback to go by.
    expect(setCookies(page.res)).toEqual([
      expect.stringMatching(/^wx_oauth_[0-9a-f]{32}=.*; Secure/),
    ]);
    const code = sandbox.weComCode({ user: 'lisi', web: true });
    const callback = fakeRequest(`/auth/wecom?code=${code}&state=${params.state}`, {
      cookie: cookieHeader(page.res),
    });
    expect(await runStrategy(moduleRef.get(WxWeComStrategy), callback.req)).toMatchObject({
      success: { member: true, userid: 'LiSi' },
      info: { state: { returnTo: '/desk' } },
    });
  });

  it('refuses an unsafe returnTo', async () => {
    const page = fakeRequest('/login');
    await expect(
      moduleRef.get(WxWeComLoginPanel).settings(page.req, page.res, {
        returnTo: 'https://evil.example/',
      }),
    ).rejects.toMatchObject({ kind: 'invalid_request' });
  });
});
