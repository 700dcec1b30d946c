import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredComponent } from '@flotilla/protocol';
import { createDatabase, type Database } from '../src/infra/database.js';
import { migrateLatest } from '../src/migrate.js';
import { DesiredStateRepository } from '../src/domain/installations/desired-state-repository.js';
import { seedCustomers, seedInstallations, type SeededAgent } from '../src/dev/fleet-seed.js';
import { createTestDatabase, withSeedQuery, type TestDatabase } from './helpers.js';

// The repository every deploy and rollout stage writes through, on real PostgreSQL: revisions are
// gap-free and distinct under concurrency, a wave is one statement, installations being
// uninstalled are left out, and what the inputs share is stored for each of them.

let tdb: TestDatabase;
let db: Database;
let repo: DesiredStateRepository;
let vendorId: string;
let installations: SeededAgent[];
let withoutAgent: string;

const web = (version: string): DesiredComponent => ({ name: 'web', kind: 'compose', version, stage: 1, spec: { file: `services: {web: {image: 'web:${version}'}}` } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateLatest(db);
  repo = new DesiredStateRepository(db);
  [{ id: vendorId }] = await db('vendors').insert({ name: 'Vendor' }).returning('id');
  await withSeedQuery(tdb.url, async (query) => {
    const customers = await seedCustomers(query, vendorId, 2, 'Customer');
    installations = await seedInstallations(query, { vendorId, customerIds: customers, count: 6, namePrefix: 'site', agents: { count: 5, secretPrefix: 's' } });
  });
  const all: { id: string }[] = await db('installations').where({ vendor_id: vendorId }).select('id');
  withoutAgent = all.map((r) => r.id).find((id) => !installations.some((i) => i.installationId === id)) ?? '';
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

/** The i-th seeded installation with an agent (there are five). */
const seeded = (i: number): SeededAgent => {
  const agent = installations[i];
  if (!agent) throw new Error(`no seeded installation ${i}`);
  return agent;
};

const row = (id: string) => db('installations').where({ id }).first('desired_revision', 'desired_version', 'desired_components', 'release_id');

describe('DesiredStateRepository', () => {
  it('appends a wave in one go: each installation its next revision, row, event and agent; shared content stored for each', async () => {
    const [a, b, c, uninstalling] = [seeded(0), seeded(1), seeded(2), seeded(3)];
    await db('installations').where({ id: uninstalling.installationId }).update({ lifecycle: 'uninstalling' });
    const before = new Map((await db('installations').whereIn('id', [a, b, c, uninstalling].map((i) => i.installationId)).select('id', 'desired_revision')).map((r: { id: string; desired_revision: number }) => [r.id, r.desired_revision]));
    const stage = { components: [web('2.0.0')], source: { rolloutId: 'r1', stage: 1 }, desiredVersion: '2.0.0', createdBy: null };
    const appended = await db.transaction((trx) =>
      repo.appendMany(
        vendorId,
        [
          { ...stage, installationId: a.installationId },
          { ...stage, installationId: b.installationId },
          { components: [], source: { rolloutId: 'r1', rollback: true }, desiredVersion: null, createdBy: null, installationId: c.installationId },
          { ...stage, installationId: uninstalling.installationId },
          { ...stage, installationId: withoutAgent },
        ],
        trx,
      ),
    );
    expect([...appended.keys()].sort()).toEqual([a.installationId, b.installationId, c.installationId, withoutAgent].sort());
    expect(appended.get(a.installationId)).toMatchObject({ revision: (before.get(a.installationId) ?? 0) + 1, agentId: a.agentId });
    expect(appended.get(c.installationId)).toMatchObject({ revision: (before.get(c.installationId) ?? 0) + 1, agentId: c.agentId });
    expect(appended.get(withoutAgent)?.agentId).toBeNull();

    for (const i of [a, b]) {
      const revision = appended.get(i.installationId)?.revision;
      expect(await repo.current(vendorId, i.installationId)).toEqual({ installationId: i.installationId, revision, components: [web('2.0.0')] });
      expect(await row(i.installationId)).toMatchObject({ desired_revision: revision, desired_version: '2.0.0', desired_components: { web: '2.0.0' }, release_id: null });
      const events = await db('installation_events').where({ installation_id: i.installationId, type: 'deployed' }).select('message', 'data');
      expect(events).toEqual([{ message: `revision ${revision}: 2.0.0`, data: { rolloutId: 'r1', stage: 1 } }]);
    }
    expect(await row(c.installationId)).toMatchObject({ desired_version: null, desired_components: {} });
    expect((await db('installation_events').where({ installation_id: c.installationId, type: 'deployed' }).first('message')).message).toMatch(/: no components$/);
    // Left as it was: no revision, no event.
    expect((await row(uninstalling.installationId)).desired_revision).toBe(before.get(uninstalling.installationId));
    expect(await db('desired_states').where({ installation_id: uninstalling.installationId }).select('revision')).toEqual([]);
  });

  it('gives concurrent appends to one installation distinct, gap-free revisions', async () => {
    const { installationId } = seeded(4);
    const { desired_revision: start } = await row(installationId);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, n) => repo.append(vendorId, installationId, { components: [web(`3.0.${n}`)], source: { n }, desiredVersion: `3.0.${n}`, createdBy: null })),
    );
    const revisions = results.map((r) => r?.revision ?? 0).sort((x, y) => x - y);
    expect(revisions).toEqual(Array.from({ length: 12 }, (_, n) => start + n + 1));
    const last = await repo.current(vendorId, installationId);
    expect(last?.revision).toBe(start + 12);
    // The row names the version of the revision that won the lock last.
    const stored: { source: { n: number } } = await db('desired_states').where({ installation_id: installationId, revision: start + 12 }).first('source');
    expect((await row(installationId)).desired_version).toBe(`3.0.${stored.source.n}`);
  });

  it('returns nothing for an installation of another vendor', async () => {
    const [{ id: other }] = await db('vendors').insert({ name: 'Other' }).returning('id');
    expect(await repo.append(other, seeded(0).installationId, { components: [], source: {}, desiredVersion: null, createdBy: null })).toBeUndefined();
  });
});
