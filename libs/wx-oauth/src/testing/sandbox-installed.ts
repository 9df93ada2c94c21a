const SANDBOX = 'nest-wx-oauth-sandbox';

/**
 * Fails with the command that fixes it when the sandbox package is not
 * installed: `nest-wx-oauth/testing` re-exports it, and without this check an
 * app that installed only the library would get Node's bare "Cannot find
 * module". The sandbox is the app's dev dependency, never the library's.
 */
export function assertSandboxInstalled(
  resolve: ((id: string) => string) | undefined = cjsResolve(),
): void {
  if (!resolve) return;
  try {
    resolve(SANDBOX);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `nest-wx-oauth/testing re-exports the WeChat sandbox, a package of its own: install it as a dev dependency (npm i -D ${SANDBOX})`,
      { cause: error },
    );
  }
}

/**
 * The package runs its CommonJS build (its ES module entries wrap it), where
 * `require` resolves from here; loaded as ES module sources (this repository's
 * tests) there is none, and the re-export's own failure is the check.
 */
function cjsResolve(): ((id: string) => string) | undefined {
  return typeof require === 'function' ? require.resolve : undefined;
}
