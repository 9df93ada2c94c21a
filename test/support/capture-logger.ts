import { ConsoleLogger } from '@nestjs/common';

/** A Nest logger that keeps every line, so tests can assert what never gets logged. */
export class CaptureLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super();
    this.setLogLevels(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }

  protected override printMessages(messages: unknown[], context = '', logLevel = 'log'): void {
    for (const message of messages) {
      const text =
        message instanceof Error ? `${message.message}\n${message.stack}` : String(message);
      this.lines.push(`${logLevel} [${context}] ${text}`);
    }
  }

  protected override printStackTrace(stack: string | undefined): void {
    // Nest passes none for an error it has already printed whole.
    if (stack) this.lines.push(stack);
  }
}
