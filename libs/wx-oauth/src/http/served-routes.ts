import type { AbstractHttpAdapter } from '@nestjs/core';

interface ExpressLayer {
  route?: { methods?: Record<string, boolean> };
  match(path: string): boolean;
}
interface RouteFinder {
  findRoute?(options: { method: string; url: string }): unknown;
}

/**
 * Whether a GET route serves `path`, or one of its tails for a proxy that
 * strips a prefix (as `isCallbackRoute` matches them); undefined where the
 * router cannot tell. For the start-up checks of the callback routes.
 */
export function servesGet(adapter: AbstractHttpAdapter, path: string): boolean | undefined {
  const paths = [path, ...tailsOf(path)];
  const instance: unknown = adapter.getInstance();
  switch (adapter.getType()) {
    case 'fastify': {
      const { findRoute } = instance as RouteFinder;
      if (typeof findRoute !== 'function') return undefined;
      return paths.some((url) => findRoute.call(instance, { method: 'GET', url }) != null);
    }
    case 'express': {
      const stack = (instance as { router?: { stack?: ExpressLayer[] } }).router?.stack;
      if (!Array.isArray(stack)) return undefined;
      const routes = stack.filter((layer) => layer.route?.methods?.get);
      return paths.some((url) => routes.some((layer) => layer.match(url)));
    }
    default:
      return undefined;
  }
}

/** `/a/b/c` → `/b/c`, `/c`. */
function tailsOf(path: string): string[] {
  const tails: string[] = [];
  for (let slash = path.indexOf('/', 1); slash !== -1; slash = path.indexOf('/', slash + 1))
    tails.push(path.slice(slash));
  return tails;
}
