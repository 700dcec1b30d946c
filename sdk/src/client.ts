import type { ApiRouteKey, LoginResponse } from '@flotilla/protocol';
import { FlotillaError, errorFromResponse } from './errors.js';
import { retryingReads } from './retry-reads.js';
import type { ItemOf, PagedRouteKey, RequestArgs, RequestOptions, ResponseOf } from './types.js';

export interface ClientOptions {
  /** The hub's URL, e.g. `https://hub.example.com` (the API is under `/api/v1`); `''` in a page the hub serves (same origin). */
  url: string;
  /** An API token (`flt_…`); without one, the client uses a session (`login`, or the browser's cookie). */
  token?: string;
  /** Acts in this vendor when the user belongs to several (`X-Flotilla-Vendor`). */
  vendorId?: string;
  /** Defaults to the global fetch (Node 20+, browsers). A read that fails at the network is asked again once (retry-reads). */
  fetch?: typeof fetch;
  /**
   * Whether a browser sends its cookies: `same-origin` (the default: a page the hub serves) or
   * `include` (a page on another origin the hub's CORS allows). A session's writes must come from an
   * origin the hub trusts (its CSRF check reads the Origin header the browser sets).
   */
  credentials?: RequestCredentials;
  /** Headers added to every call (e.g. a proxy's CSRF header), read at each call. */
  headers?: () => Record<string, string>;
  /**
   * Sees every error before it is thrown, e.g. a page sends the user to sign in on a 401. The error
   * is thrown all the same.
   */
  onError?: (err: FlotillaError) => void;
}

const SESSION_COOKIE = 'flotilla_session';

/**
 * Typed REST client for every route of the hub: `request('POST /rollouts', {body})` takes and
 * answers the protocol's types. Token auth (`Authorization: Bearer`), or a session: in a browser
 * the cookie goes along by itself; in Node `login()` keeps it.
 */
export class FlotillaClient {
  readonly url: string;
  private token: string | undefined;
  private cookie: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: ClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
    this.fetchFn = retryingReads(opts.fetch ?? ((...args) => globalThis.fetch(...args)));
  }

  /** Signs in with a password; later calls use the session (Node keeps its cookie). */
  async login(email: string, password: string): Promise<LoginResponse> {
    this.token = undefined;
    return this.request('POST /auth/login', { body: { email, password } });
  }

  /** Calls one route; resolves with its answer's body, throws FlotillaError on an error answer. */
  async request<K extends ApiRouteKey>(key: K, ...[options]: RequestArgs<K>): Promise<ResponseOf<K>> {
    const res = await this.send(key, options as RequestOptions<K> | undefined, 'application/json');
    const payload = await readBody(res);
    if (!res.ok) throw this.failed(errorFromResponse(key, res.status, payload, res.statusText));
    return payload as ResponseOf<K>;
  }

  /**
   * Calls a route whose answer is a file, not JSON (a support bundle's archive): resolves with the
   * Response to read or stream; throws FlotillaError on an error answer.
   */
  async fetchFile<K extends ApiRouteKey>(key: K, ...[options]: RequestArgs<K>): Promise<Response> {
    const res = await this.send(key, options as RequestOptions<K> | undefined, '*/*');
    if (!res.ok) throw this.failed(errorFromResponse(key, res.status, await readBody(res), res.statusText));
    return res;
  }

  /** A support bundle's archive: its bytes and the file name the hub gives it. */
  async downloadSupportBundle(id: string): Promise<{ filename: string; data: Uint8Array }> {
    const res = await this.fetchFile('GET /support-bundles/:id/download', { params: { id } } as RequestArgs<'GET /support-bundles/:id/download'>[0]);
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `support-bundle-${id}.tar.gz`;
    return { filename, data: new Uint8Array(await res.arrayBuffer()) };
  }

  private async send<K extends ApiRouteKey>(key: K, options: RequestOptions<K> | undefined, accept: string): Promise<Response> {
    const o = (options ?? {}) as RequestOptions<K> & { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
    const [method, template] = key.split(' ') as [string, string];
    const url = `${this.url}/api/v1${fillPath(template, o.params ?? {})}${queryString(o.query)}`;
    const headers: Record<string, string> = { ...this.opts.headers?.(), accept };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    else if (this.cookie) headers.cookie = this.cookie;
    if (this.opts.vendorId) headers['x-flotilla-vendor'] = this.opts.vendorId;

    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        credentials: this.opts.credentials ?? 'same-origin',
        ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      if ((err as { name?: string }).name === 'AbortError') throw err;
      const where = this.url ? ` at ${this.url}` : '';
      throw this.failed(new FlotillaError('UNAVAILABLE', `Cannot reach the hub${where}: ${(err as Error).message}`, 0, undefined, key));
    }
    this.keepSession(res);
    return res;
  }

  /**
   * Every item of a paged list, fetching page after page as the loop asks for more. A page that
   * names the position it was asked for again ends the list (a hub bug must not loop forever).
   */
  async *paginate<K extends PagedRouteKey>(key: K, ...[options]: RequestArgs<K>): AsyncGenerator<ItemOf<K>, void, undefined> {
    const base = (options ?? {}) as { query?: Record<string, unknown> };
    let next: Record<string, unknown> = {};
    for (;;) {
      const args = [{ ...base, query: { ...base.query, ...next } }] as unknown as RequestArgs<K>;
      const page = (await this.request(key, ...args)) as { items: ItemOf<K>[]; nextCursor?: string | null; nextBefore?: unknown };
      yield* page.items;
      const following = nextPosition(page);
      if (!following || Object.entries(following).every(([k, v]) => next[k] === v)) return;
      next = following;
    }
  }

  /** Every item of a paged list, as one array. */
  async all<K extends PagedRouteKey>(key: K, ...args: RequestArgs<K>): Promise<ItemOf<K>[]> {
    const items: ItemOf<K>[] = [];
    for await (const item of this.paginate(key, ...args)) items.push(item);
    return items;
  }

  /** How the live client authenticates: the token, or the session cookie Node keeps. */
  liveAuth(): { auth?: { token: string }; headers?: Record<string, string> } {
    if (this.token) return { auth: { token: this.token } };
    if (this.cookie) return { headers: { cookie: this.cookie } };
    return {};
  }

  private failed(err: FlotillaError): FlotillaError {
    this.opts.onError?.(err);
    return err;
  }

  private keepSession(res: Response): void {
    const setCookies = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
    const session = setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!session) return;
    const pair = session.split(';')[0] as string;
    // Logging out answers an empty, expired cookie.
    this.cookie = pair === `${SESSION_COOKIE}=` ? undefined : pair;
  }
}

/**
 * The link to a support bundle's archive, for a page's download link (`url` '' in a page the hub
 * serves: the browser sends its session cookie and saves the file under the hub's name).
 */
export function supportBundleDownloadHref(url: string, id: string): string {
  return `${url.replace(/\/+$/, '')}/api/v1${fillPath('/support-bundles/:id/download', { id })}`;
}

/** `/applications/:id` + {id} → `/applications/<id, encoded>`. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(value);
  });
}

/** The query of the page after this one: `{cursor}` or `{before}`, or null on the last page. */
function nextPosition(page: { nextCursor?: string | null; nextBefore?: unknown }): Record<string, unknown> | null {
  if (page.nextCursor) return { cursor: page.nextCursor };
  if (page.nextBefore !== undefined && page.nextBefore !== null) return { before: page.nextBefore };
  return null;
}

function queryString(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  if (!(res.headers.get('content-type') ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
