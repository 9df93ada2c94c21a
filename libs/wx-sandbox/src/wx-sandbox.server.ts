import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { readBody } from './handlers/request-body.js';
import { requestAppid } from './handlers/request-appid.js';
import { htmlPage, plainText, wxJson, type SandboxResponse } from './handlers/sandbox-response.js';
import { qrCodeId } from './handlers/follow-qr-handler.js';
import { randomRid } from './model/random-strings.js';
import type { SandboxFaults } from './model/sandbox-faults.js';
import { callerIp, weComErrorBody } from './model/wecom-errors.js';
import { wxErrorBody } from './model/wx-errors.js';
import { isWeComEndpoint } from './handlers/wecom-api-handler.js';
import {
  logPathOf,
  routeOf,
  zeroCounts,
  type SandboxRequest,
  type SandboxRoute,
  type SandboxRouteContext,
  type SandboxRouteName,
} from './wx-sandbox.routes.js';
import type { WxSandboxFault, WxSandboxRequestRecord, WxSandboxStats } from './wx-sandbox.types.js';

/** The network the sandbox stands behind, from the options. */
export interface SandboxLatency {
  /** Added to every back-channel answer. */
  latencyMs: number;
  /** Added once to a connection's first request, as a handshake costs a round trip. */
  connectionLatencyMs: number;
}

/**
 * The sandbox's HTTP side: each request routed through the route table, counted, held
 * back by the latency and the injected faults, then answered, and recorded for the
 * request log when asked to.
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
    private readonly onRequest?: (record: WxSandboxRequestRecord) => void,
  ) {
    server.on('connection', () => this.connections++);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const record: Partial<WxSandboxRequestRecord> = {};
      this.handle(req, res, record)
        .catch(() => {
          this.write(res, plainText(500, 'sandbox error'));
          record.status = 500;
        })
        .finally(() => this.record(req, record));
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

  /**
   * Answers the request; `record` gets what the request log shows of it, filled as the
   * request goes (its path and app before it is handled, its outcome once answered).
   */
  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    record: Partial<WxSandboxRequestRecord>,
  ): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const search = queryAt < 0 ? '' : target.slice(queryAt + 1);
    const route = routeOf(pathname);
    this.requests[route.name]++;
    // Only a request log reads the record's path and app: without one, neither is worked out.
    if (this.onRequest) record.path = logPathOf(route, pathname);
    const query = new URLSearchParams(search);
    // Parameters are read from the query, like WeChat; a body the route does not take is
    // drained, never parsed.
    const body = route.readsBody ? await readBody(req) : (req.resume(), '');
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      pathname,
      query,
      body,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
    };
    if (this.onRequest) record.appid = this.appidOf(route, request);

    let delayMs = 0;
    if (!this.warmSockets.has(req.socket)) {
      this.warmSockets.add(req.socket);
      delayMs += this.latency.connectionLatencyMs;
    }

    if (!route.api) {
      await this.sleep(delayMs);
      const response = await route.handle(request, this.context);
      this.write(res, response);
      Object.assign(record, outcomeOf(response));
      return;
    }

    delayMs += this.latency.latencyMs;
    const fault = this.faults.take(route.name);
    if (fault?.type === 'delay') delayMs += fault.ms;
    // A delayed request is handled on arrival (a code is used up even if the client gives
    // up waiting), as on WeChat.
    const response =
      fault && fault.type !== 'delay'
        ? this.faultResponse(fault, route, request)
        : await route.handle(request, this.context);
    await this.sleep(delayMs);
    if (response === 'reset') req.socket.destroy();
    else this.write(res, response);
    Object.assign(record, outcomeOf(response));
  }

  /** The app of a request, for the log: never anything but a registered app's appid. */
  private appidOf(route: SandboxRoute, request: SandboxRequest): string | undefined {
    const { apps, appTokens, grants, qrCodes, corps, weComGrants, components } = this.context;
    const authorizerAppid = (token: string): string | undefined => {
      const authorization = components.grants.findByAccessToken(token);
      return typeof authorization === 'number' ? undefined : authorization.authorizerAppid;
    };
    return requestAppid(
      {
        query: request.query,
        body: request.body,
        qrCodeId: route.name === 'follow_qr' ? qrCodeId(request.pathname) : undefined,
      },
      {
        app: (appid) => apps.app(appid) ?? corps.corp(appid),
        appTokens,
        grants,
        authorizerAppid,
        qrCodes,
        corpTokens: weComGrants,
      },
    );
  }

  /** Hands the request's record to `onRequest`, whose failure must not reach the server. */
  private record(req: IncomingMessage, record: Partial<WxSandboxRequestRecord>): void {
    if (!this.onRequest || record.status === undefined) return;
    try {
      this.onRequest({
        method: req.method ?? 'GET',
        path: record.path ?? '/',
        ...(record.appid === undefined ? {} : { appid: record.appid }),
        status: record.status,
        ...(record.errcode === undefined ? {} : { errcode: record.errcode }),
      });
    } catch {
      // The log is the app's: a throwing one loses its line, never the answer.
    }
  }

  private faultResponse(
    fault: Exclude<WxSandboxFault, { type: 'delay' }>,
    route: SandboxRoute,
    request: SandboxRequest,
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
        // Each in its own words: WeCom's errmsg ends with a hint and the caller's IP, WeChat's with a rid.
        return wxJson(
          isWeComEndpoint(route.name)
            ? weComErrorBody(
                fault.errcode,
                this.context.now(),
                callerIp(request.remoteAddress),
                fault.errmsg,
              )
            : wxErrorBody(fault.errcode, randomRid(this.context.now()), fault.errmsg),
        );
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

/** What the log shows of an answer: its status, and WeChat's errcode when it is an error. */
function outcomeOf(response: SandboxResponse | 'reset'): Partial<WxSandboxRequestRecord> {
  if (response === 'reset') return { status: 'reset' };
  return response.errcode === undefined
    ? { status: response.status }
    : { status: response.status, errcode: response.errcode };
}
