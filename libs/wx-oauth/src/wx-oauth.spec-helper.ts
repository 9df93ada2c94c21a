import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import type { WxOAuthModuleOptions } from './interfaces/wx-oauth-module-options.interface.js';
import type { LoginRequest } from './login/login-request.js';
import { ManualClock } from './utils/manual-clock.spec-helper.js';
import { WX_OAUTH_CLOCK } from './wx-oauth.constants.js';
import { WxOAuthModule } from './wx-oauth.module.js';

/** The module as an app registers it, on a clock the spec moves. */
export async function compileWxOAuth(
  options: WxOAuthModuleOptions,
  clock = new ManualClock(),
): Promise<{ moduleRef: TestingModule; clock: ManualClock }> {
  const moduleRef = await Test.createTestingModule({ imports: [WxOAuthModule.forRoot(options)] })
    .overrideProvider(WX_OAUTH_CLOCK)
    .useValue(clock)
    .compile();
  return { moduleRef, clock };
}

export interface FakeExchange {
  req: LoginRequest & { query: Record<string, string> };
  res: ServerResponse;
}

/** An Express-like request (its `query` parsed, `res` linked) with node's own response. */
export function fakeRequest(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): FakeExchange {
  const incoming = new IncomingMessage(new Socket());
  const res = new ServerResponse(incoming);
  const parsed = new URL(url, 'http://app.test');
  const req = Object.assign(incoming, {
    method,
    url,
    originalUrl: url,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    query: Object.fromEntries(parsed.searchParams),
    res,
  });
  return { req, res };
}

/** The Set-Cookie headers a response carries, as `name=value` pairs and whole. */
export function setCookies(res: ServerResponse): string[] {
  return ([] as string[]).concat((res.getHeader('Set-Cookie') as string[] | undefined) ?? []);
}

/** The Cookie header a browser sends back after `res`, keeping only live cookies. */
export function cookieHeader(...responses: ServerResponse[]): string {
  const jar = new Map<string, string>();
  for (const res of responses) {
    for (const cookie of setCookies(res)) {
      const [pair] = cookie.split(';');
      const [name, value] = pair.split('=');
      if (/Max-Age=0/.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
