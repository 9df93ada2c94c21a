// The one place the library reads the environment: NODE_ENV is how Node apps say where they run.

/** In production: start-up problems that might be false alarms are logged, not fatal. */
export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/** On a developer's machine (NODE_ENV unset or `development`, not `test`): the checks of a first login run. */
export function isDevelopment(): boolean {
  return process.env.NODE_ENV === undefined || process.env.NODE_ENV === 'development';
}
