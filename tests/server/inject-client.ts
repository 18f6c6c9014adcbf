import type { FastifyInstance, HTTPMethods } from 'fastify';

/** What a request may carry, as in Playwright's `APIRequestContext`. */
export interface RequestOptions {
  params?: Readonly<Record<string, string | number>>;
  headers?: Readonly<Record<string, string>>;
  /** An object goes out as JSON; a string goes out as it is, with the Content-Type in `headers`. */
  data?: unknown;
}

/** A response, read the way Playwright's `APIResponse` is read. */
export interface ApiResponse {
  status(): number;
  ok(): boolean;
  headers(): Record<string, string>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** The calls the server specs make; `InjectClient` answers them without a socket. */
export interface HttpClient {
  get(url: string, options?: RequestOptions): Promise<ApiResponse>;
  post(url: string, options?: RequestOptions): Promise<ApiResponse>;
  put(url: string, options?: RequestOptions): Promise<ApiResponse>;
  patch(url: string, options?: RequestOptions): Promise<ApiResponse>;
  delete(url: string, options?: RequestOptions): Promise<ApiResponse>;
}

/**
 * Sends requests through fastify's `inject()`: the whole server (hooks, parsers, routes, error
 * handlers) runs, but no port is opened and no socket is written. Tests of timeouts, dropped
 * connections and the command line need a real socket and use Playwright's `request` instead.
 */
export class InjectClient implements HttpClient {
  readonly #app: FastifyInstance;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  get(url: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.fetch('GET', url, options);
  }

  post(url: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.fetch('POST', url, options);
  }

  put(url: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.fetch('PUT', url, options);
  }

  patch(url: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.fetch('PATCH', url, options);
  }

  delete(url: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.fetch('DELETE', url, options);
  }

  async fetch(
    method: HTTPMethods,
    url: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | undefined;
    if (typeof options.data === 'string') {
      payload = options.data;
    } else if (options.data !== undefined) {
      payload = JSON.stringify(options.data);
      headers['content-type'] ??= 'application/json';
    }
    const query = new URLSearchParams(
      Object.entries(options.params ?? {}).map(([key, value]): [string, string] => [
        key,
        String(value),
      ]),
    ).toString();
    const response = await this.#app.inject({
      method,
      url: query === '' ? url : `${url}?${query}`,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    const responseHeaders = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : String(value),
      ]),
    );
    return {
      status: () => response.statusCode,
      ok: () => response.statusCode >= 200 && response.statusCode < 300,
      headers: () => responseHeaders,
      text: () => Promise.resolve(response.body),
      json: () => Promise.resolve(JSON.parse(response.body) as unknown),
    };
  }
}
