import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { HttpException, Provider } from '@nestjs/common';
import type { WxAccessToken } from './client/wx-oauth.types.js';
import type { WxProfile } from './profile/wx-profile.js';
import { WxValidator } from './profile/wx-validator.decorator.js';
import { Test, type TestingModule } from '@nestjs/testing';
import type { WxOAuthModuleOptions } from './options/wx-oauth-module-options.interface.js';
import type { LoginRequest } from './http/login-request.js';
import { ManualClock } from './utils/manual-clock.spec-helper.js';
import { WX_OAUTH_CLOCK } from './wx-oauth.constants.js';
import { WxOAuthModule } from './wx-oauth.module.js';

/**
 * The module as an app registers it, beside the app's own `providers` (its
 * `@WxValidator()`), on a clock the spec moves; initialised as the app's start
 * does, so that the validator is found and the logins listen for pushes.
 */
export async function compileWxOAuth(
  options: WxOAuthModuleOptions,
  clock = new ManualClock(),
  providers: Provider[] = [],
): Promise<{ moduleRef: TestingModule; clock: ManualClock }> {
  const moduleRef = await Test.createTestingModule({
    imports: [WxOAuthModule.forRoot(options)],
    providers,
  })
    .overrideProvider(WX_OAUTH_CLOCK)
    .useValue(clock)
    .compile();
  await moduleRef.init();
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

/** What a Passport strategy ended one request with. */
export type StrategyOutcome =
  | { redirect: string; status?: number }
  | { success: unknown; info: unknown }
  | { error: HttpException }
  | { fail: unknown; status?: number };

/** Runs a strategy on one request as passport does: on a copy of it given passport's actions. */
export function runStrategy(
  strategy: object,
  req: object,
  options?: object,
): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const copy = Object.create(strategy) as { authenticate(req: object, options?: object): void };
    Object.assign(copy, {
      redirect: (url: string, status?: number) => resolve({ redirect: url, status }),
      success: (user: unknown, info: unknown) => resolve({ success: user, info }),
      error: (error: HttpException) => resolve({ error }),
      fail: (challenge: unknown, status?: number) => resolve({ fail: challenge, status }),
      pass: () => resolve({ fail: 'pass' }),
    });
    copy.authenticate(req, options);
  });
}

/** The id a spec's user goes by: WeChat's openid, a WeCom person's id. */
export function idOf(profile: WxProfile): string {
  return profile.provider === 'wechat' ? profile.openid : profile.id;
}

/**
 * The app's validator in a spec: records what each login hands it, and
 * answers what the spec sets (`answer`; null refuses the login). Specs reset
 * both in `beforeEach`.
 */
@WxValidator()
export class RecordingValidator implements WxValidator {
  static seen: { profile: WxProfile; tokens: WxAccessToken | undefined }[] = [];
  static answer: (profile: WxProfile) => unknown = (profile) => ({ member: idOf(profile) });

  validate(profile: WxProfile, tokens: WxAccessToken | undefined): unknown {
    RecordingValidator.seen.push({ profile, tokens });
    return RecordingValidator.answer(profile);
  }
}
