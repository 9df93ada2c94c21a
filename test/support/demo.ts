import { startDemo, type DemoApp } from '../../apps/demo/src/demo.app.js';
import type { CaptureLogger } from './capture-logger.js';
import { freePort } from './free-port.js';

/**
 * The demo on a free loopback port, its logs in `logger`, its users in memory
 * (no file in the working directory), with `env`'s variables besides. The
 * callbacks' host (WeChat's, WeCom's) is the one the browser uses, or the state
 * cookie stays behind.
 */
export async function startDemoForBrowser(
  logger: CaptureLogger,
  env: Record<string, string> = {},
): Promise<DemoApp> {
  const port = await freePort();
  return startDemo(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      WX_WECOM_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wecom`,
      DEMO_DB_FILE: ':memory:',
      ...env,
    },
    logger,
  );
}
