import type { SandboxClock } from './sandbox-clock.js';
import { randomAlnum, randomTicket } from './random-strings.js';

/** A temporary parametric QR code (临时二维码) of an official account. */
export interface SandboxQrCode {
  readonly appid: string;
  /** What `showqrcode` takes. */
  readonly ticket: string;
  /** The last path segment of `url`, the text the code holds. */
  readonly id: string;
  /** `QR_STR_SCENE`'s `scene_str`, `''` for a `QR_SCENE` code. */
  readonly sceneStr: string;
  /** `QR_SCENE`'s `scene_id`, 0 for a `QR_STR_SCENE` code. */
  readonly sceneId: number;
  readonly expiresAt: number;
}

/** Path prefix of the URL a QR code holds (WeChat's own is `http://weixin.qq.com/q/…`). */
export const QR_URL_PREFIX = '/q/';

/** Bounds memory under benchmarks, as `SandboxGrants` does: the oldest codes are forgotten. */
const MAX_ENTRIES = 100_000;

export class SandboxQrCodes {
  private readonly byTicket = new Map<string, SandboxQrCode>();
  private readonly byId = new Map<string, SandboxQrCode>();

  constructor(private readonly clock: SandboxClock) {}

  create(
    appid: string,
    scene: { sceneStr: string; sceneId: number },
    expireSeconds: number,
  ): SandboxQrCode {
    const code: SandboxQrCode = {
      appid,
      ticket: randomTicket(),
      id: randomAlnum(24),
      ...scene,
      expiresAt: this.clock.now() + expireSeconds * 1000,
    };
    this.byTicket.set(code.ticket, code);
    this.byId.set(code.id, code);
    if (this.byTicket.size > MAX_ENTRIES) {
      const oldest = this.byTicket.values().next().value as SandboxQrCode;
      this.byTicket.delete(oldest.ticket);
      this.byId.delete(oldest.id);
    }
    return code;
  }

  /** The live code with this ticket; an expired one is as unknown. */
  byTicketLive(ticket: string): SandboxQrCode | undefined {
    return this.live(this.byTicket.get(ticket));
  }

  /** The live code whose URL ends in `id`. */
  byIdLive(id: string): SandboxQrCode | undefined {
    return this.live(this.byId.get(id));
  }

  /** Forgets the app's codes: a removed app's lead nowhere from then on. */
  forgetApp(appid: string): void {
    for (const code of this.byTicket.values()) {
      if (code.appid !== appid) continue;
      this.byTicket.delete(code.ticket);
      this.byId.delete(code.id);
    }
  }

  private live(code: SandboxQrCode | undefined): SandboxQrCode | undefined {
    return code && this.clock.now() < code.expiresAt ? code : undefined;
  }
}

/** The code's `EventKey` without the `qrscene_` prefix of a subscribe. */
export function sceneOf(code: Pick<SandboxQrCode, 'sceneStr' | 'sceneId'>): string {
  return code.sceneStr || String(code.sceneId);
}
