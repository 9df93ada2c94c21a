import type { ServerResponse } from 'node:http';

// Passport hands a strategy the request only. Express links it to its response
// (`req.res`); on Fastify `WxAuthGuard` links the two here before passport runs.
const responses = new WeakMap<object, ServerResponse>();

/** Links a request to the node response the strategy sets the state cookie on. */
export function bindLoginResponse(req: object, res: ServerResponse): void {
  responses.set(req, res);
}

/** The node response of a request, or undefined when neither Express nor `WxAuthGuard` gave one. */
export function loginResponseOf(req: object): ServerResponse | undefined {
  return (req as { res?: ServerResponse }).res ?? responses.get(req);
}
