import { WxSandbox } from 'nest-wx-oauth/testing';

/** Runs the WeChat sandbox on its own, e.g. for the demo or docker-compose. */
async function main(): Promise<void> {
  const env = process.env;
  const sandbox = await WxSandbox.start({
    // 0.0.0.0 so the sandbox is reachable from outside a container.
    host: env.HOST || '0.0.0.0',
    port: env.PORT ? Number(env.PORT) : 3001,
    appid: env.WX_SANDBOX_APPID || undefined,
    secret: env.WX_SANDBOX_SECRET || undefined,
    autoApprove: env.WX_SANDBOX_AUTO_APPROVE || false,
    // Where browsers reach it (e.g. a mapped port): avatar and QR-code URLs use this.
    publicUrl: env.WX_SANDBOX_PUBLIC_URL || undefined,
  });
  // Never print the secret, only where it comes from.
  const secretFrom = env.WX_SANDBOX_SECRET ? 'secret from WX_SANDBOX_SECRET' : 'random secret: set WX_SANDBOX_SECRET to share one';
  const publicAt = sandbox.publicUrl === sandbox.url ? '' : `, browsers use ${sandbox.publicUrl}`;
  console.log(`WeChat sandbox listening on ${sandbox.url}${publicAt} (appid ${sandbox.appid}, ${secretFrom})`);

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
  console.error(`WeChat sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
