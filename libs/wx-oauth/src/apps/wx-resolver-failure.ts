import { errorClassText } from '../utils/error-class.js';

/**
 * The log line of a tenant resolver that threw. Its message and stack only
 * when the app asks (`tenants.logErrors`): a database driver's error can carry
 * its connection string, credentials included. Otherwise the error's class and
 * code (`ECONNREFUSED`), which say what failed without quoting it.
 */
export function resolverFailureLog(
  question: string,
  error: unknown,
  logErrors: boolean,
): { message: string; stack?: string } {
  const failed = `The tenant resolver's ${question} failed`;
  if (!logErrors)
    return {
      message: `${failed}: ${errorClassText(error)} (set tenants.logErrors to log its message)`,
    };
  return error instanceof Error
    ? { message: `${failed}: ${error.name}: ${error.message}`, stack: error.stack }
    : { message: `${failed}: ${String(error)}` };
}
