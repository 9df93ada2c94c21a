import { WxSandbox } from 'nest-wx-oauth/testing';
import { describeSandbox, sandboxConfigFromEnv } from './sandbox-env.js';

/** Runs the WeChat sandbox on its own, e.g. for the demo or docker-compose. */
async function main(): Promise<void> {
  const config = sandboxConfigFromEnv(process.env);
  const sandbox = await WxSandbox.start(config.options);
  // Never print a secret, only where it comes from.
  console.log(describeSandbox(sandbox, config));

  const shutdown = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(
    `WeChat sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
