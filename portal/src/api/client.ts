import { ApiError, networkError, toApiError } from './errors';

export const API_BASE = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

type UnauthorizedListener = (err: ApiError) => void;
let onUnauthorized: UnauthorizedListener | null = null;

/** Called for every 401 except on the auth routes themselves (the app sends the user to /login). */
export function setUnauthorizedHandler(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

/**
 * One typed call to the hub's REST API, same origin, session cookie included.
 * Resolves with the parsed JSON body (undefined for 204); throws ApiError otherwise.
 */
export async function request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
  };
  if (body !== undefined) init.body = JSON.stringify(body);

  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, init);
  } catch (cause) {
    throw networkError(cause);
  }

  const payload = await readJson(res);
  if (!res.ok) {
    const err = toApiError(res.status, res.statusText, payload);
    if (res.status === 401 && !path.startsWith('/auth/') && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  return payload as T;
}

async function readJson(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `?a=1&b=2` from the defined entries, or '' when there are none. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export { ApiError };
