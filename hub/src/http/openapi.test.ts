import { describe, expect, it } from 'vitest';
import { API, type RouteContract } from '@flotilla/protocol';
import { ROUTES, type RouteKey } from './route-access.js';
import { errorsOf, openApiDocument, openApiPath } from './openapi.js';

type Json = Record<string, unknown>;
const doc = openApiDocument({ version: '1.2.3', publicUrl: 'https://hub.example.com' });
const paths = doc.paths as Record<string, Record<string, Json>>;
const keys = Object.keys(ROUTES) as RouteKey[];

describe('OpenAPI document', () => {
  it('has one operation per route of the role matrix, and nothing else', () => {
    const documented = Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(keys.map((k) => `${k.split(' ')[0]} ${openApiPath(k.split(' ')[1] as string)}`).sort());
    expect(doc.openapi).toBe('3.1.0');
    expect((doc.servers as Json[])[0]).toEqual({ url: 'https://hub.example.com/api/v1' });
  });

  it('gives every operation a unique id, its roles, its errors, and every path parameter', () => {
    const ids = new Set<string>();
    for (const key of keys) {
      const [method, path] = key.split(' ') as [string, string];
      const op = paths[openApiPath(path)]?.[method.toLowerCase()] as Json;
      expect(ids.has(op.operationId as string), `${key} operationId`).toBe(false);
      ids.add(op.operationId as string);
      expect(op.description, key).toContain('**Who may call it:**');
      expect((op['x-flotilla-access'] as Json).kind).toBe(ROUTES[key].access.kind);
      const responses = op.responses as Record<string, Json>;
      const errorCodes = Object.values(responses).flatMap((r) => (typeof r.$ref === 'string' ? [r.$ref.split('/').at(-1)] : Object.keys(((r.content as Record<string, Json> | undefined)?.['application/json']?.examples ?? {}) as Json)));
      for (const code of errorsOf(key)) expect(errorCodes, `${key} documents ${code}`).toContain(code);
      const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
      expect(params, key).toEqual([...path.matchAll(/:(\w+)/g)].map((m) => m[1]));
    }
  });

  it('documents the roles a release manager token needs, and the tenant rule for customers', () => {
    const post = paths['/rollouts']?.post as Json;
    expect(post['x-flotilla-access']).toEqual({ kind: 'vendor', vendorRole: 'release-manager' });
    expect(post.description).toContain('vendor release-manager+');
    expect(post.security).toEqual([{ token: [] }, { session: [] }]);
    expect((paths['/auth/login']?.post as Json).security).toEqual([]);
    expect((paths['/agent/state']?.get as Json).security).toEqual([{ agent: [] }]);
  });

  it('resolves every $ref', () => {
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(100);
    for (const id of new Set(refs)) expect(schemas[id], id).toBeDefined();
  });

  it('shows request examples that the hub itself accepts', () => {
    const contracts = Object.entries(API as Record<string, RouteContract>);
    // Every body a person or a pipeline sends has an example (the agents' own routes are for agents).
    expect(contracts.filter(([, c]) => c.body && !c.agentAuth && c.example === undefined).map(([k]) => k)).toEqual([]);
    const withExamples = contracts.filter(([, c]) => c.example !== undefined);
    for (const [key, c] of withExamples) {
      const parsed = c.body?.safeParse(c.example);
      expect(parsed?.success, `${key}: ${parsed?.error?.message}`).toBe(true);
    }
    const create = (paths['/applications/{id}/versions']?.post as { requestBody: { content: Record<string, Json> } }).requestBody.content['application/json'];
    expect(create?.example).toEqual({ version: '1.2.0', compose: { file: 'services:\n  web:\n    image: nginx:1.27\n' } });
  });

  it('generates request bodies as inputs (defaults optional) and responses as outputs', () => {
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    const body = schemas.CreateRolloutBody as { required: string[] };
    expect(body.required).toEqual(['releaseId', 'targets']);
    const rollout = schemas.Rollout as { properties: Json; required: string[] };
    expect(rollout.required).toContain('strategy');
    expect(rollout.properties.strategy).toEqual({ $ref: '#/components/schemas/RolloutStrategy' });
  });
});
