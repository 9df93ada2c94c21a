#!/usr/bin/env node
// The sandbox command's entry. It is a file of the package itself, so that npm links the
// command at install time even in this repository before the first build.
try {
  require('../dist/cjs/bin/nest-wx-oauth-sandbox.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && /dist[\\/]cjs[\\/]bin/.test(error.message)) {
    console.error('nest-wx-oauth-sandbox: the package is not built yet; run npm run build first.');
    process.exit(1);
  }
  throw error;
}
