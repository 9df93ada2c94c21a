#!/usr/bin/env node
/**
 * `npx nest-wx-oauth-sandbox`: the WeChat sandbox on its own, so that an app
 * under development logs in offline. `--help` lists the options.
 */
import { runSandboxCommand } from '../index.js';

runSandboxCommand().catch((error: unknown) => {
  console.error(`nest-wx-oauth-sandbox: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Run nest-wx-oauth-sandbox --help for the options.');
  process.exit(1);
});
