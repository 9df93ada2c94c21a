import type { SandboxFollowers } from './sandbox-followers.js';
import { sceneOf, type SandboxQrCode } from './sandbox-qr-codes.js';

/** The event a scan raises, before it is pushed. */
export interface FollowScanEvent {
  event: 'subscribe' | 'SCAN';
  eventKey: string;
  /** Seconds. */
  createTime: number;
}

/**
 * A user scans an official account's parametric code: someone not following follows
 * through it (`subscribe`, `qrscene_` + scene); a follower just scans (`SCAN`, the scene).
 */
export function followScan(
  code: SandboxQrCode,
  userKey: string,
  followers: SandboxFollowers,
  nowMs: number,
): FollowScanEvent {
  const createTime = Math.floor(nowMs / 1000);
  if (followers.get(code.appid, userKey)) {
    return { event: 'SCAN', eventKey: sceneOf(code), createTime };
  }
  followers.follow(code.appid, userKey, {
    subscribeTime: createTime,
    scene: 'ADD_SCENE_QR_CODE',
    qrScene: code.sceneId,
    qrSceneStr: code.sceneStr,
  });
  return { event: 'subscribe', eventKey: `qrscene_${sceneOf(code)}`, createTime };
}
