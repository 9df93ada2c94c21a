/** What the sandbox's specs share: reading its answers and its pages. */

/** The `, rid: …` suffix WeChat puts on every errmsg. */
export const RID = /, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

/** WeChat's answers: HTTP 200 and JSON labelled text/plain, errors included. */
export const wxAnswer = async (res: Response): Promise<Record<string, any>> => {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain');
  return (await res.json()) as Record<string, any>;
};

/** Undoes the HTML escaping of the sandbox's pages. */
export const unescapeHtml = (value: string): string =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The fields of a user access token's answer that carries a unionid, sorted. */
export const TOKEN_FIELDS_WITH_UNIONID = [
  'access_token',
  'expires_in',
  'openid',
  'refresh_token',
  'scope',
  'unionid',
];

/**
 * A demo page's client of one of the sandbox's browser helpers under `prefix` (e.g.
 * `/sandbox/app/`), from another origin: `helper` and `postJson` send, `json` checks the
 * status and the headers every helper answer has, then reads it. `baseUrl` is read per
 * request, as the sandbox is started after the client is made.
 */
export function browserHelperClient(
  baseUrl: () => string,
  prefix: string,
): {
  helper(path: string, init?: RequestInit): Promise<Response>;
  postJson(path: string, body: unknown): Promise<Response>;
  json(res: Response, status: number): Promise<any>;
} {
  const helper = (path: string, init?: RequestInit): Promise<Response> =>
    fetch(`${baseUrl()}${prefix}${path}`, init);
  return {
    helper,
    postJson: (path, body) =>
      helper(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://demo.test:3000' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    json: async (res, status) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      return res.json();
    },
  };
}
