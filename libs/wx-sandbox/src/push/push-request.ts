import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The app's answer, or why there was none. */
export type PushAnswer = { status: number; body: string } | 'timeout' | 'error';

/** More than any reply message; a larger answer is cut, as WeChat would not read it either. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface PushRequest {
  method: 'GET' | 'POST';
  url: string;
  /** XML for a POST. */
  body?: string;
  /** How long WeChat waits for the whole answer. */
  timeoutMs: number;
  /** Aborted when the sandbox closes. */
  signal: AbortSignal;
}

/**
 * One call from WeChat to the app, on a fresh connection so nothing lingers after the
 * sandbox or the app's server closes. Never rejects.
 */
export function sendPush({
  method,
  url,
  body,
  timeoutMs,
  signal,
}: PushRequest): Promise<PushAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: PushAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      resolve(answer);
    };
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'user-agent': 'Mozilla/4.0', accept: '*/*' };
    if (body !== undefined) {
      headers['content-type'] = 'text/xml';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = send(url, { method, headers, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      res.on('end', () =>
        settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', () => settle('error'));
    });
    const timer = setTimeout(() => {
      settle('timeout');
      req.destroy();
    }, timeoutMs);
    const abort = (): void => {
      settle('error');
      req.destroy();
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort);
    req.on('error', () => settle('error'));
    req.end(body);
  });
}
