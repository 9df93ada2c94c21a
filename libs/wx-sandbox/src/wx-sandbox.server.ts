import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { readBody } from './handlers/request-body.js';
import { htmlPage, plainText, wxJson, type SandboxResponse } from './handlers/sandbox-response.js';
import { randomRid } from './model/random-strings.js';
import type { SandboxFaults } from './model/sandbox-faults.js';
import { wxErrorBody } from './model/wx-errors.js';
import {
  routeOf,
  zeroCounts,
  type SandboxRouteContext,
  type SandboxRouteName,
} from './wx-sandbox.routes.js';
import type { WxSandboxFault, WxSandboxStats } from './wx-sandbox.types.js';

/** The network the sandbox stands behind, from the options. */
export interface SandboxLatency {
  /** Added to every back-channel answer. */
  latencyMs: number;
  /** Added once to a connection's first request, as a handshake costs a round trip. */
  connectionLatencyMs: number;
}

/**
 * The sandbox's HTTP side: each request routed through the route table, counted, held
 * back by the latency and the injected faults, then answered.
 */
export class SandboxServer {
  private requests: Record<SandboxRouteName, number> = zeroCounts();
  private connections = 0;
  /** Sockets that have already paid `connectionLatencyMs`. */
  private readonly warmSockets = new WeakSet<Socket>();
  /** Pending delays, released by `close()` so no timer outlives the server. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server | HttpsServer,
    private readonly latency: SandboxLatency,
    private readonly faults: SandboxFaults,
    private readonly context: SandboxRouteContext,
  ) {
    server.on('connection', () => this.connections++);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => this.write(res, plainText(500, 'sandbox error')));
    });
  }

  get stats(): WxSandboxStats {
    return { requests: { ...this.requests }, connections: this.connections };
  }

  resetStats(): void {
    this.requests = zeroCounts();
    this.connections = 0;
  }

  /** Stops listening and destroys every open socket, keep-alive ones included. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const [timer, release] of this.timers) {
        clearTimeout(timer);
        release();
      }
      this.timers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const search = queryAt < 0 ? '' : target.slice(queryAt + 1);
    const route = routeOf(pathname);
    this.requests[route.name]++;
    const query = new URLSearchParams(search);
    // Parameters are read from the query, like WeChat; a body the route does not take is
    // drained, never parsed.
    const body = route.readsBody ? await readBody(req) : (req.resume(), '');
    const request = { method: req.method ?? 'GET', pathname, query, body };

    let delayMs = 0;
    if (!this.warmSockets.has(req.socket)) {
      this.warmSockets.add(req.socket);
      delayMs += this.latency.connectionLatencyMs;
    }

    if (!route.api) {
      await this.sleep(delayMs);
      this.write(res, await route.handle(request, this.context));
      return;
    }

    delayMs += this.latency.latencyMs;
    const fault = this.faults.take(route.name);
    if (fault?.type === 'delay') delayMs += fault.ms;
    // A delayed request is handled on arrival (a code is used up even if the client gives
    // up waiting), as on WeChat.
    const response =
      fault && fault.type !== 'delay'
        ? this.faultResponse(fault)
        : await route.handle(request, this.context);
    await this.sleep(delayMs);
    if (response === 'reset') req.socket.destroy();
    else this.write(res, response);
  }

  private faultResponse(
    fault: Exclude<WxSandboxFault, { type: 'delay' }>,
  ): SandboxResponse | 'reset' {
    switch (fault.type) {
      case 'http500':
        return plainText(500, 'Internal Server Error');
      case 'nonJson':
        return htmlPage(
          200,
          '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
        );
      case 'reset':
        return 'reset';
      case 'errcode':
        return wxJson(wxErrorBody(fault.errcode, randomRid(this.context.now()), fault.errmsg));
    }
  }

  private write(res: ServerResponse, response: SandboxResponse): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(response.body);
  }

  /** A timer-based wait, so a slow answer never blocks the others. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }
}
