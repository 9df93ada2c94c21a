import { newSessionKey } from './mini-program-crypto.js';

/**
 * The session_key of each (mini-program, user): a new one on every successful
 * jscode2session, as the key the user's next encrypted data is sealed with.
 */
export class SandboxSessions {
  /** Per appid, so a removed app's sessions go at once. */
  private readonly keys = new Map<string, Map<string, string>>();

  /** Starts a new session and answers its key. */
  open(appid: string, userKey: string): string {
    const sessionKey = newSessionKey();
    let appKeys = this.keys.get(appid);
    if (!appKeys) this.keys.set(appid, (appKeys = new Map()));
    appKeys.set(userKey, sessionKey);
    return sessionKey;
  }

  /** The key of the user's latest session with the app; `undefined` before the first login. */
  keyOf(appid: string, userKey: string): string | undefined {
    return this.keys.get(appid)?.get(userKey);
  }

  /** Ends every session with the app. */
  forgetApp(appid: string): void {
    this.keys.delete(appid);
  }
}
