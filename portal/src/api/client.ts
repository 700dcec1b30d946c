import { ApiError, networkError, toApiError } from './errors';

export const API_BASE = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

type UnauthorizedListener = (err: ApiError) => void;
let onUnauthorized: UnauthorizedListener | null = null;

/**
 * Whether a 401 from this path means "your session ended". Not for the public routes, where a 401
 * is an answer about the form (wrong password at login, wrong current password accepting an invite).
 */
export function endsSessionOn401(path: string): boolean {
  const bare = path.split('?')[0] ?? path;
  return !bare.startsWith('/auth/') && !/^\/invites\/[^/]+\/accept$/.test(bare);
}

/** Called for every 401 except on the public routes (the app sends the user to /login). */
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
    if (res.status === 401 && endsSessionOn401(path) && onUnauthorized) onUnauthorized(err);
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
