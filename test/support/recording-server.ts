import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A bare HTTP server that records each request and answers with a fixed body, to see exactly what the client sends. */
export async function startRecordingServer(answer: {
  status?: number;
  contentType?: string;
  body: string;
}): Promise<{ url: string; requests: IncomingMessage[]; close(): Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    res.writeHead(answer.status ?? 200, { 'Content-Type': answer.contentType ?? 'text/plain' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
