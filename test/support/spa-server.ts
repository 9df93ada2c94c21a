import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

/** A running SPA server. */
export interface ServedSpa {
  close(): Promise<void>;
}

/**
 * The README's SPA (test/support/spa), served on loopback `port` as Vite
 * would serve its build: index.html for every page, calling the API at `apiUrl`.
 */
export async function serveSpa(port: number, apiUrl: string): Promise<ServedSpa> {
  const dir = new URL('./spa/', import.meta.url);
  const server = createServer((req, res) => {
    const script = req.url === '/wechat-login.js';
    void readFile(new URL(script ? 'wechat-login.js' : 'index.html', dir), 'utf8').then((text) => {
      res.writeHead(200, { 'Content-Type': script ? 'text/javascript' : 'text/html' });
      res.end(script ? text : text.replace('%API_URL%', apiUrl));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
