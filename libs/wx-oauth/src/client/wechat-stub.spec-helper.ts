import axios, {
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** One request the stub received, as WeChat would see it. */
export interface WeChatCall {
  method: string;
  /** The path, without the query: `/sns/oauth2/access_token`. */
  path: string;
  /** The query parameters, in the order sent. */
  params: Record<string, string>;
  /** The parsed JSON body of a POST. */
  body?: Record<string, unknown>;
  /** The query string as sent, for checking the parameters' order. */
  query: string;
}

/** A canned answer: WeChat's JSON (always HTTP 200, as WeChat answers its errors), or one built per call. */
export type WeChatAnswer =
  Record<string, unknown> | ((call: WeChatCall) => Record<string, unknown>);

/**
 * WeChat's API in the spec's hands: an axios instance (the module's `axios`
 * option, or `WXOAuth`'s) whose adapter records each request and answers the
 * canned JSON of its path, as text, as WeChat does. A path with no answer is
 * a 404, which the client reports as `bad_response`.
 */
export class WeChatStub {
  readonly calls: WeChatCall[] = [];
  readonly axios: AxiosInstance;
  private readonly answers = new Map<string, WeChatAnswer>();
  private readonly onceAnswers = new Map<string, WeChatAnswer[]>();

  constructor(answers: Record<string, WeChatAnswer> = {}) {
    for (const [path, answer] of Object.entries(answers)) this.answers.set(path, answer);
    this.axios = axios.create({ adapter: (config) => this.respond(config) });
  }

  /** Answers `path` with `answer` from now on. */
  on(path: string, answer: WeChatAnswer): this {
    this.answers.set(path, answer);
    return this;
  }

  /** Answers the next call of `path` with `answer`, then as before. */
  once(path: string, answer: WeChatAnswer): this {
    this.onceAnswers.set(path, [...(this.onceAnswers.get(path) ?? []), answer]);
    return this;
  }

  /** The calls made to `path`. */
  callsTo(path: string): WeChatCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  private async respond(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const url = new URL(config.url!);
    const call: WeChatCall = {
      method: (config.method ?? 'get').toUpperCase(),
      path: url.pathname,
      params: Object.fromEntries(url.searchParams),
      query: url.search.slice(1),
      ...(typeof config.data === 'string'
        ? { body: JSON.parse(config.data) as Record<string, unknown> }
        : {}),
    };
    this.calls.push(call);
    const answer = this.onceAnswers.get(call.path)?.shift() ?? this.answers.get(call.path);
    const json = typeof answer === 'function' ? answer(call) : answer;
    return {
      data: json === undefined ? 'not found' : JSON.stringify(json),
      status: json === undefined ? 404 : 200,
      statusText: json === undefined ? 'Not Found' : 'OK',
      // WeChat labels its JSON text/plain.
      headers: { 'content-type': 'text/plain' },
      config,
    };
  }
}
