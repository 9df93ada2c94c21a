import type { ServerResponse } from 'node:http';

// Passport hands a strategy the request only. Express links it to its response
// (`req.res`); on Fastify `WxAuthGuard` links the two here before passport runs.
const responses = new WeakMap<object, ServerResponse>();

/** Links a request to the node response the strategy sets the state cookie on. */
export function bindLoginResponse(req: object, res: ServerResponse): void {
  responses.set(req, res);
}

/** The node response of a request: Express's, or the one `WxAuthGuard` linked (Fastify). */
export function loginResponseOf(req: object): ServerResponse {
  const res = (req as { res?: ServerResponse }).res ?? responses.get(req);
  if (!res) throw new Error("WxStrategy needs the response: on Fastify, guard the route with WxAuthGuard, not AuthGuard('wechat')");
  return res;
}
