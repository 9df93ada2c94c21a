import { type Logger, ServiceUnavailableException } from '@nestjs/common';

/** Runs a database call; its failure is a 503, logged by the error's class and code only: its message can carry SQL and values. */
export async function databaseCall<T>(logger: Logger, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    const code = (error as { code?: unknown } | undefined)?.code;
    logger.error(`The database failed: ${name}${typeof code === 'string' ? ` (${code})` : ''}`);
    throw new ServiceUnavailableException(
      'The demo cannot reach its database. Please try again in a moment.',
    );
  }
}
