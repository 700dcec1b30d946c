import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health } from '@flotilla/protocol';
import { createDatabase, type Database } from '../src/infra/database.js';
import { migrateLatest } from '../src/migrate.js';
import { InstallationRepository, type ObservedState } from '../src/domain/installations/installation-repository.js';
import { InstallationConfigRepository } from '../src/domain/desired-state/config-repository.js';
import { createSecretBox } from '../src/infra/secret-box.js';
import { seedCustomers, seedInstallations, type SeededAgent } from '../src/dev/fleet-seed.js';
import { createTestDatabase, withSeedQuery, type TestDatabase } from './helpers.js';

// The status write every agent report goes through, on real PostgreSQL: reports folded in order
// with their events, the live status's columns returned, and writers of the same installations at
// the same time never fold onto a state another has replaced (no lost transition, no deadlock).

let tdb: TestDatabase;
let db: Database;
let repo: InstallationRepository;
let vendorId: string;
let installations: SeededAgent[];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateLatest(db);
  repo = new InstallationRepository(db, new InstallationConfigRepository(db, createSecretBox(undefined)));
  [{ id: vendorId }] = await db('vendors').insert({ name: 'Vendor' }).returning('id');
  await withSeedQuery(tdb.url, async (query) => {
    const customers = await seedCustomers(query, vendorId, 1, 'Customer');
    installations = await seedInstallations(query, { vendorId, customerIds: customers, count: 6, namePrefix: 'site', agents: { count: 6, secretPrefix: 's' } });
  });
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

const idOf = (i: number): string => {
  const agent = installations[i];
  if (!agent) throw new Error(`no seeded installation ${i}`);
  return agent.installationId;
};

const observed = (revision: number, health: Health, version = '1.0.0'): ObservedState => ({
  appliedRevision: revision,
  components: [{ name: 'web', version, health, ...(health === 'healthy' ? {} : { message: `web is ${health}` }) }],
  health,
  runningVersion: version,
});

const healthEvents = async (installationId: string): Promise<(Health | null)[]> =>
  (await db('installation_events').where({ installation_id: installationId, type: 'health' }).orderBy('id').select('health')).map((e: { health: Health | null }) => e.health);

describe('InstallationRepository.saveObservedMany', () => {
  it('folds a batch in arrival order, records every transition, and returns the live status columns', async () => {
    const id = idOf(0);
    await db('agents').where({ installation_id: id }).update({ agent_version: '1.2.3', host: JSON.stringify({ hostname: 'edge-1' }) });
    const saved = await repo.saveObservedMany([
      { vendorId, id, observed: observed(1, 'degraded') },
      { vendorId, id, observed: observed(2, 'healthy', '1.1.0') },
    ]);
    const result = saved.get(id);
    expect(result?.progressed).toBe(true);
    expect(result?.row).toMatchObject({ id, applied_revision: 2, health: 'healthy', agent_version: '1.2.3', agent_host: { hostname: 'edge-1' }, agent_kind: 'compose' });
    expect(result?.row.components).toEqual([{ name: 'web', version: '1.1.0', health: 'healthy' }]);
    expect(result?.row.status_updated_at).toBeInstanceOf(Date);
    expect(result?.row.last_seen_at).toBeInstanceOf(Date);
    // Both transitions of the flap are on the timeline, in order.
    expect(await healthEvents(id)).toEqual(['degraded', 'healthy']);
    const stored = await db('installations').where({ id }).first('applied_revision', 'running_version', 'health_since');
    expect(stored).toMatchObject({ applied_revision: 2, running_version: '1.1.0' });
    expect(stored.health_since).toBeInstanceOf(Date);

    // The same state again changes nothing that shows; a late copy of an older revision is not stored.
    const again = await repo.saveObservedMany([{ vendorId, id, observed: observed(1, 'healthy', '1.1.0') }]);
    expect(again.get(id)?.progressed).toBe(false);
    expect(again.get(id)?.row.applied_revision).toBe(2);
    expect(await healthEvents(id)).toEqual(['degraded', 'healthy']);
  });

  it('leaves out deleted installations and those of another vendor', async () => {
    const [{ id: otherVendor }] = await db('vendors').insert({ name: 'Other' }).returning('id');
    const saved = await repo.saveObservedMany([
      { vendorId, id: '00000000-0000-4000-8000-000000000000', observed: observed(1, 'healthy') },
      { vendorId: otherVendor as string, id: idOf(1), observed: observed(1, 'degraded') },
      { vendorId, id: idOf(2), observed: observed(1, 'healthy') },
    ]);
    expect([...saved.keys()]).toEqual([idOf(2)]);
    expect((await db('installations').where({ id: idOf(1) }).first('health')).health).not.toBe('degraded');
  });

  it('writers of the same installations at once lose no transition and never deadlock', async () => {
    const ids = [idOf(3), idOf(4), idOf(5)];
    // 24 batches at once, each reporting all three (in a rotating order) with a health that
    // alternates from batch to batch: every stored state is folded onto the one stored before it.
    const writes = Array.from({ length: 24 }, (_, n) => {
      const health: Health = n % 2 === 0 ? 'degraded' : 'healthy';
      const order = [...ids.slice(n % 3), ...ids.slice(0, n % 3)];
      return repo.saveObservedMany(order.map((id) => ({ vendorId, id, observed: observed(1, health) })));
    });
    const results = await Promise.all(writes);
    for (const saved of results) expect([...saved.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const events = await healthEvents(id);
      const { health } = await db('installations').where({ id }).first('health');
      // A transition recorded twice in a row would mean two writers folded onto the same state.
      for (let k = 1; k < events.length; k++) expect(events[k], `${id} event ${k} of ${events.join(',')}`).not.toBe(events[k - 1]);
      expect(events.at(-1) ?? 'unknown').toBe(health);
    }
  });
});
