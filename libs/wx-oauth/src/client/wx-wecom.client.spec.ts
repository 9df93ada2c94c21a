import { WxSandbox } from '../testing/index.js';
import { WxWeComClient } from './wx-wecom.client.js';

describe('WxWeComClient', () => {
  let sandbox: WxSandbox;
  let client: WxWeComClient;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  beforeEach(() => {
    const { agentid, secret } = sandbox.corpApp();
    client = new WxWeComClient({
      corpid: sandbox.corpid,
      agentid,
      secret,
      apiBaseUrl: sandbox.url,
      openBaseUrl: sandbox.url,
      loginBaseUrl: sandbox.url,
      timeout: 1000,
      retry: true,
    });
  });
  afterEach(() => {
    client.close();
    sandbox.clearFaults();
  });
  afterAll(() => sandbox.close());

  it('reads WeCom’s errmsg: its hint as the rid, its errcode’s kind and what to do', async () => {
    sandbox.inject(
      {
        type: 'errcode',
        errcode: 40001,
        errmsg:
          'invalid credential, hint: [1765170000_12_abc123], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=40001',
      },
      { endpoint: 'gettoken' },
    );
    await expect(client.getToken()).rejects.toMatchObject({
      kind: 'app_config',
      errcode: 40001,
      errmsg: 'invalid credential',
      rid: '1765170000_12_abc123',
      message:
        "WeCom /cgi-bin/gettoken failed: 40001 invalid credential (the secret is not this app's: copy the Secret from the app's page (应用管理) in the WeCom admin console)",
    });
  });

  it("names the IP to trust in 60020's message", async () => {
    sandbox.setIpTrusted(sandbox.corpid, client.agentid, false);
    try {
      const error = (await client.getToken().catch((e: unknown) => e)) as Error;
      expect(error).toMatchObject({ kind: 'app_config', errcode: 60020 });
      expect(error.message).toMatch(
        /this server's IP [0-9a-f.:]+ is not among the app's trusted IPs: add it in the WeCom admin console/,
      );
    } finally {
      sandbox.setIpTrusted(sandbox.corpid, client.agentid, true);
    }
  });

  it('redacts the secret, the token, the code and the user_ticket from any errmsg', async () => {
    const { access_token: token } = await client.getToken();
    const secret = sandbox.corpApp().secret;
    const echo = (text: string) =>
      sandbox.inject({ type: 'errcode', errcode: 40058, errmsg: `bad ${text}` });
    echo(secret);
    const failures: unknown[] = [await client.getToken().catch((e: Error) => e)];
    echo(`${token} code-in-the-message`);
    failures.push(await client.getUserInfo(token, 'code-in-the-message').catch((e: Error) => e));
    echo('ticket-in-the-message');
    failures.push(
      await client.getUserDetail(token, 'ticket-in-the-message').catch((e: Error) => e),
    );
    for (const failure of failures) {
      expect(failure).toMatchObject({ kind: 'upstream', errcode: 40058 });
      expect(`${JSON.stringify(failure)} ${(failure as Error).message}`).not.toMatch(
        new RegExp(`${secret}|${token}|code-in-the-message|ticket-in-the-message`),
      );
    }
  });
});
