#!/usr/bin/env node
/**
 * `npx nest-wx-oauth-sandbox [--port 3001]`: the WeChat sandbox on its own, so that
 * an app under development can log in offline. It prints what to configure.
 */
import { parseArgs } from 'node:util';
import { WxSandbox } from '../testing/index.js';

const USAGE = `Usage: nest-wx-oauth-sandbox [options]

Runs a local WeChat (authorize, consent and QR pages, and the /sns API) for development.

Options:
  --port <n>            port to listen on (default 3001; 0 picks a free one)
  --host <host>         interface to listen on (default 127.0.0.1)
  --appid <appid>       the sandbox app's appid (default wx0sandbox0appid)
  --secret <secret>     the sandbox app's secret (default: random, printed at start)
  --auto-approve <key>  approve at once as this test user (alice, bob, carol, snap)
  --public-url <url>    where browsers reach the sandbox, e.g. behind a port mapping
  -h, --help            show this help`;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0 to 65535, got '${value}'`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3001' },
      host: { type: 'string', default: '127.0.0.1' },
      appid: { type: 'string' },
      secret: { type: 'string' },
      'auto-approve': { type: 'string' },
      'public-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const sandbox = await WxSandbox.start({
    port: parsePort(values.port),
    host: values.host,
    appid: values.appid,
    secret: values.secret,
    autoApprove: values['auto-approve'] ?? false,
    publicUrl: values['public-url'],
  });

  // The sandbox's secret is a local test secret, printed so the app can be configured with it.
  console.log(
    [
      `WeChat sandbox listening on ${sandbox.url}`,
      '',
      'Configure your app with:',
      `  WX_APPID=${sandbox.appid}`,
      `  WX_SECRET=${sandbox.secret}`,
      `  WX_API_BASE_URL=${sandbox.url}`,
      `  WX_OPEN_BASE_URL=${sandbox.publicUrl}`,
      '',
      `  WxOAuthModule.forRoot({ appid: '${sandbox.appid}', secret: '${sandbox.secret}', callbackURL,`,
      `    apiBaseUrl: '${sandbox.url}', openBaseUrl: '${sandbox.publicUrl}' })`,
      '',
      `Test users: ${sandbox.users.map((user) => user.key).join(', ')}` +
        (values['auto-approve']
          ? ` (approving as ${values['auto-approve']})`
          : ' (chosen on the consent page)'),
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );

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
  console.error(`nest-wx-oauth-sandbox: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Run nest-wx-oauth-sandbox --help for the options.');
  process.exit(1);
});
