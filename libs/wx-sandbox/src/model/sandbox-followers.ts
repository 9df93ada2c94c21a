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
  /** Per appid, so a removed account's followers go at once. */
  private readonly follows = new Map<string, Map<string, SandboxFollow>>();

  get(appid: string, userKey: string): SandboxFollow | undefined {
    return this.follows.get(appid)?.get(userKey);
  }

  follow(appid: string, userKey: string, follow: SandboxFollow): void {
    let followers = this.follows.get(appid);
    if (!followers) this.follows.set(appid, (followers = new Map()));
    followers.set(userKey, follow);
  }

  unfollow(appid: string, userKey: string): void {
    this.follows.get(appid)?.delete(userKey);
  }

  /** Forgets everyone who followed the account. */
  forgetApp(appid: string): void {
    this.follows.delete(appid);
  }
}
