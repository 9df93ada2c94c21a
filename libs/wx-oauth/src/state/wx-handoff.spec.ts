import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import { WxMemoryStore } from '../store/wx-memory-store.js';
import { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { HANDOFF_TTL_MS, WxHandoff } from './wx-handoff.js';

const SPA = 'https://app.example.com';
const ALICE = { id: 'u1', name: 'Alice' };

/** What redeeming throws, as the app's exchange route would answer it. */
async function answerTo(
  redeem: Promise<unknown>,
): Promise<{ status: number; kind: string; message: string }> {
  const error = await redeem.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WxOAuthError);
  const { kind, message } = error as WxOAuthError;
  return { status: wxHttpException(error)!.getStatus(), kind, message };
}

describe('WxHandoff', () => {
  let clock: ManualClock;
  let handoff: WxHandoff;

  beforeEach(() => {
    clock = new ManualClock();
    handoff = new WxHandoff(new WxMemoryStore({}, clock));
  });

  it('hands the user over once, to the origin the code was issued to', async () => {
    const code = await handoff.issue(ALICE, SPA);

    await expect(handoff.redeem(code, SPA)).resolves.toEqual(ALICE);
    expect(await answerTo(handoff.redeem(code, SPA))).toEqual({
      status: 401,
      kind: 'invalid_handoff',
      message: 'The login handoff code was used; please log in again',
    });
  });

  it('spends a code tried from another origin', async () => {
    const code = await handoff.issue(ALICE, SPA);

    expect(await answerTo(handoff.redeem(code, 'https://evil.example'))).toMatchObject({
      status: 401,
      message: 'The login handoff code was issued to another origin; please log in again',
    });
    expect(await answerTo(handoff.redeem(code, SPA))).toMatchObject({ status: 401 });
  });

  it('refuses a code past its minute', async () => {
    const code = await handoff.issue(ALICE, SPA);
    clock.advance(HANDOFF_TTL_MS + 1);

    expect(await answerTo(handoff.redeem(code, SPA))).toMatchObject({
      status: 401,
      message: 'The login handoff code is unknown or expired; please log in again',
    });
  });

  it.each([undefined, null, ''])('answers a missing code (%p) with 401', async (code) => {
    expect(await answerTo(handoff.redeem(code, SPA))).toEqual({
      status: 401,
      kind: 'invalid_handoff',
      message: 'The login handoff code is missing; please log in again',
    });
  });

  it('answers a string that no handoff issued as unknown', async () => {
    expect(await answerTo(handoff.redeem('not-a-code', SPA))).toEqual({
      status: 401,
      kind: 'invalid_handoff',
      message: 'The login handoff code is unknown or expired; please log in again',
    });
  });

  // A body of {"code":123}: the front end sent the wrong thing, which logging in again would not fix.
  it.each([123, true, { code: 'x' }, ['x']])(
    'answers a code that is not a string (%p) with 400, naming what to send',
    async (code) => {
      expect(await answerTo(handoff.redeem(code, SPA))).toEqual({
        status: 400,
        kind: 'invalid_request',
        message: "The login handoff code must be the wx_handoff string from the redirect's URL",
      });
    },
  );
});
