import { WxSandbox } from '../wx-sandbox.js';
import { requestLogLine } from './request-log-line.js';
import { describeSandboxCommand } from './sandbox-command-banner.js';
import { sandboxCommandConfig } from './sandbox-command-config.js';
import { SANDBOX_COMMAND_USAGE } from './sandbox-command-usage.js';

/**
 * `nest-wx-oauth-sandbox`: starts the sandbox from flags and environment, sets the
 * official account's message push, prints what to configure, logs each request (unless
 * `--quiet`), and closes it on SIGINT/SIGTERM. Answers undefined for `--help`.
 *
 * @publicApi
 */
export async function runSandboxCommand(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<WxSandbox | undefined> {
  const config = sandboxCommandConfig(argv, env);
  if (config.help) {
    console.log(SANDBOX_COMMAND_USAGE);
    return undefined;
  }
  const sandbox = await WxSandbox.start({
    ...config.options,
    onRequest: config.quiet ? undefined : (record) => console.log(requestLogLine(record)),
  });
  if (config.messagePush) sandbox.setMessagePush(config.messagePush.appid, config.messagePush.push);
  console.log(describeSandboxCommand(sandbox, config));
  const shutdown = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return sandbox;
}
