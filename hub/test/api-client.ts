import type { AgentCredentials } from '@flotilla/protocol';
import { validatorFor } from './openapi-validator.js';

/**
 * A tiny cookie-keeping REST client for tests, speaking the hub's JSON API. Every exchange is
 * checked against the OpenAPI document the hub serves: an undocumented status or a body that does
 * not match its schema fails the test.
 */
export class ApiClient {
  private cookie: string | undefined;

  constructor(readonly base: string) {}

  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('flotilla_session='));
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    const contentType = res.headers.get('content-type');
    const parsed: unknown = text && contentType?.includes('json') ? JSON.parse(text) : text || undefined;
    const problems = (await validatorFor(this.base)).check(method, path, res.status, parsed, contentType, body);
    if (problems.length > 0) throw new Error(`The hub's answer does not match its OpenAPI document:\n${problems.join('\n')}`);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.call<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown = {}) {
    return this.call<T>('POST', path, body);
  }

  patch<T = Record<string, unknown>>(path: string, body: unknown) {
    return this.call<T>('PATCH', path, body);
  }

  delete<T = Record<string, unknown>>(path: string) {
    return this.call<T>('DELETE', path);
  }

  /** Signs up a fresh vendor and keeps its session. */
  async signup(suffix: string): Promise<{ vendorId: string; userId: string; email: string; password: string }> {
    const email = `admin-${suffix}@example.com`;
    const password = 'correct horse battery staple';
    const res = await this.post<{ user: { id: string }; vendor: { id: string } }>('/auth/signup', { email, password, name: 'Ada Admin', vendorName: `Vendor ${suffix}` });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { vendorId: res.body.vendor.id, userId: res.body.user.id, email, password };
  }
}

export const COMPOSE_V1 = 'services:\n  web:\n    image: flotilla-test/web:v1\n    network_mode: host\n';

/** The id of what a POST created; anything but 201 fails the test with the hub's answer. */
export async function created(res: Promise<{ status: number; body: { id: string } }>): Promise<string> {
  const { status, body } = await res;
  if (status !== 201) throw new Error(`expected 201, got ${status}: ${JSON.stringify(body)}`);
  return body.id;
}

/**
 * The smallest fleet a test with one agent needs: application "shop" 1.0.0 deployed to the compose
 * installation "edge-1" of customer "Acme", and that installation's agent credentials.
 */
export async function deployedInstallation(api: ApiClient): Promise<{ versionId: string; customerId: string; installationId: string; creds: AgentCredentials }> {
  const app = await created(api.post<{ id: string }>('/applications', { name: 'shop', kind: 'compose' }));
  const versionId = await created(api.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } }));
  const customerId = await created(api.post<{ id: string }>('/customers', { name: 'Acme' }));
  const installationId = await created(api.post<{ id: string }>('/installations', { customerId, name: 'edge-1', environment: 'production', agentKind: 'compose' }));
  const deployed = await api.post(`/installations/${installationId}/deploy`, { versionId });
  if (deployed.status !== 202) throw new Error(`deploy answered ${deployed.status}: ${JSON.stringify(deployed.body)}`);
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  return { versionId, customerId, installationId, creds };
}
