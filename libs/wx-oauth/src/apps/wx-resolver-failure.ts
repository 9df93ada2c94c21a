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
    return { message: `${failed}: ${classOf(error)} (set tenants.logErrors to log its message)` };
  return error instanceof Error
    ? { message: `${failed}: ${error.name}: ${error.message}`, stack: error.stack }
    : { message: `${failed}: ${String(error)}` };
}

/** What may be logged of an error's class and code: identifiers, nothing longer. */
const IDENTIFIER = /^[\w.-]{1,64}$/;

function classOf(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${error === null ? 'null' : typeof error}`;
  const name =
    [error.constructor?.name, error.name].find((text) => text && IDENTIFIER.test(text)) ?? 'Error';
  const { code } = error as { code?: unknown };
  const shown =
    (typeof code === 'string' || typeof code === 'number') && IDENTIFIER.test(`${code}`);
  return shown ? `${name} (${String(code)})` : name;
}
