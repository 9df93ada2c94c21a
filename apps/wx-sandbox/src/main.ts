import { runSandboxCommand } from 'nest-wx-oauth-sandbox';

/** The sandbox command, `nest-wx-oauth-sandbox`, as this repository runs it (npm run sandbox, docker-compose). */
runSandboxCommand().catch((error: unknown) => {
  console.error(
    `WeChat sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
