/** How a follower came to follow, as `/cgi-bin/user/info` tells it. */
export interface SandboxFollow {
  /** Seconds, sandbox clock. */
  readonly subscribeTime: number;
  /** `ADD_SCENE_QR_CODE` through a scan, `ADD_SCENE_OTHERS` when a test set it. */
  readonly scene: 'ADD_SCENE_QR_CODE' | 'ADD_SCENE_OTHERS';
  readonly qrScene: number;
  readonly qrSceneStr: string;
}

/** Which test users follow which official account: nobody, until a test or a scan says so. */
export class SandboxFollowers {
  private readonly follows = new Map<string, SandboxFollow>();

  get(appid: string, userKey: string): SandboxFollow | undefined {
    return this.follows.get(keyOf(appid, userKey));
  }

  follow(appid: string, userKey: string, follow: SandboxFollow): void {
    this.follows.set(keyOf(appid, userKey), follow);
  }

  unfollow(appid: string, userKey: string): void {
    this.follows.delete(keyOf(appid, userKey));
  }
}

function keyOf(appid: string, userKey: string): string {
  return JSON.stringify([appid, userKey]);
}
