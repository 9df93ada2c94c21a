/** What may be logged of an error's class and code: identifiers, nothing longer. */
const IDENTIFIER = /^[\w.-]{1,64}$/;

/**
 * An error's class, and its code when it has one (`ECONNREFUSED`): what failed,
 * said without quoting its message, which a database driver's error can fill
 * with its connection string, credentials included.
 */
export function errorClassOf(error: unknown): { name: string; code?: string } {
  if (!(error instanceof Error))
    return { name: `a thrown ${error === null ? 'null' : typeof error}` };
  const name =
    [error.constructor?.name, error.name].find((text) => text && IDENTIFIER.test(text)) ?? 'Error';
  const { code } = error as { code?: unknown };
  return (typeof code === 'string' || typeof code === 'number') && IDENTIFIER.test(`${code}`)
    ? { name, code: String(code) }
    : { name };
}

/** `QueryFailedError (ECONNREFUSED)`, or the class alone. */
export function errorClassText(error: unknown): string {
  const { name, code } = errorClassOf(error);
  return code ? `${name} (${code})` : name;
}
