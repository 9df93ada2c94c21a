import type { IncomingMessage } from 'node:http';

/**
 * Far more than any `/cgi-bin` or `/wxa` JSON, the scan form or a sandbox helper's JSON;
 * a larger body is dropped unread.
 */
const MAX_BODY_BYTES = 64 * 1024;

/** The body as UTF-8, `''` when it is too large (which WeChat answers as malformed). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? '' : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', () => resolve(''));
    req.on('close', () => resolve(''));
  });
}

/** The body parsed as a JSON object; `undefined` for anything else (arrays and `null` included). */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
