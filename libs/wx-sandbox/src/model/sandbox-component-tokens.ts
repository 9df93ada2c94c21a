import type { SandboxClock } from './sandbox-clock.js';
import { randomToken } from './random-strings.js';
import { APP_TOKEN_TTL_SECONDS } from './sandbox-app-tokens.js';

/** A platform's `component_access_token`. */
export interface SandboxComponentToken {
  readonly componentAppid: string;
  readonly token: string;
  readonly expiresAt: number;
}

/** Bounds memory under benchmarks: past this many tokens the oldest are forgotten. */
const MAX_TOKENS = 10_000;

/**
 * The platforms' tokens: a new one at every `api_component_token`, each good for its 7200 s
 * (an earlier one is not revoked by the next), counted per platform.
 */
export class SandboxComponentTokens {
  private readonly byToken = new Map<string, SandboxComponentToken>();
  private readonly minted = new Map<string, number>();

  constructor(private readonly clock: SandboxClock) {}

  issue(componentAppid: string): SandboxComponentToken {
    const token: SandboxComponentToken = {
      componentAppid,
      token: randomToken(),
      expiresAt: this.clock.now() + APP_TOKEN_TTL_SECONDS * 1000,
    };
    this.byToken.set(token.token, token);
    if (this.byToken.size > MAX_TOKENS)
      this.byToken.delete(this.byToken.keys().next().value as string);
    this.minted.set(componentAppid, this.issued(componentAppid) + 1);
    return token;
  }

  /** The live token; 40001 for an unknown one (a message Token, an app token), 42001 once expired. */
  find(token: string): SandboxComponentToken | 40001 | 42001 {
    const found = this.byToken.get(token);
    if (!found) return 40001;
    return this.clock.now() >= found.expiresAt ? 42001 : found;
  }

  /** How many tokens the platform has been given. */
  issued(componentAppid: string): number {
    return this.minted.get(componentAppid) ?? 0;
  }
}
