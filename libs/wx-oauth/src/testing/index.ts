import { assertSandboxInstalled } from './sandbox-installed.js';

// The sandbox is its own package, a dev dependency of the app, so that the library's
// dependencies hold only what its production code loads; tests keep this import path.
assertSandboxInstalled();
export * from 'nest-wx-oauth-sandbox';
