import { createServer, request } from 'node:http';
import { connect } from 'node:net';

/** What the proxy saw: the method and the URL (absolute form) or host:port (CONNECT). */
export interface ProxiedRequest {
  method: string;
  target: string;
}

/** A small forward proxy, as an outbound corporate one: absolute-form HTTP requests, and CONNECT tunnels for HTTPS. */
export async function startForwardProxy(): Promise<{
  url: string;
  seen: ProxiedRequest[];
  close(): Promise<void>;
}> {
  const seen: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '' });
    const upstream = request(
      req.url ?? '',
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    seen.push({ method: 'CONNECT', target: req.url ?? '' });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    // As a real proxy does: a 502 to the CONNECT when the origin cannot be reached.
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
