import { newSessionKey } from './mini-program-crypto.js';

/**
 * The session_key of each (mini-program, user): a new one on every successful
 * jscode2session, as the key the user's next encrypted data is sealed with.
 */
export class SandboxSessions {
  private readonly keys = new Map<string, string>();

  /** Starts a new session and answers its key. */
  open(appid: string, userKey: string): string {
    const sessionKey = newSessionKey();
    this.keys.set(sessionOf(appid, userKey), sessionKey);
    return sessionKey;
  }

  /** The key of the user's latest session with the app; `undefined` before the first login. */
  keyOf(appid: string, userKey: string): string | undefined {
    return this.keys.get(sessionOf(appid, userKey));
  }
}

/** A newline cannot occur in an appid or user key sent over HTTP, so the pair stays unambiguous. */
function sessionOf(appid: string, userKey: string): string {
  return `${appid}\n${userKey}`;
}
