import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLLOUT_STRATEGY } from '@flotilla/protocol';
import { createDatabase, type Database } from '../src/infra/database.js';
import { migrateLatest } from '../src/migrate.js';
import { RolloutRepository } from '../src/rollouts/rollout-repository.js';
import { TargetSnapshots } from '../src/rollouts/target-snapshots.js';
import { seedCustomers, seedInstallations, type SeededAgent } from '../src/dev/fleet-seed.js';
import { createTestDatabase, untilOlderTransactionsEnd, withSeedQuery, type TestDatabase } from './helpers.js';

// An advance reads its rollout's targets through a per-process copy that only reads what changed
// since (by the transaction that wrote each row). On real PostgreSQL: changes by anyone, in any
// of the joined tables, deletions, and a writer whose transaction spans the copy's read are all
// seen, and an unchanged rollout reads no row.

let tdb: TestDatabase;
let db: Database;
let repo: RolloutRepository;
let vendorId: string;
let customerIds: string[];
let installations: SeededAgent[];
let rolloutId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateLatest(db);
  repo = new RolloutRepository(db);
  [{ id: vendorId }] = await db('vendors').insert({ name: 'Vendor' }).returning('id');
  await withSeedQuery(tdb.url, async (query) => {
    customerIds = await seedCustomers(query, vendorId, 2, 'Customer');
    installations = await seedInstallations(query, { vendorId, customerIds, count: 8, namePrefix: 'site', agents: { count: 8, secretPrefix: 's' } });
  });
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

beforeEach(async () => {
  const [{ id: trackId }] = await db('tracks').insert({ vendor_id: vendorId, name: `track-${Date.now()}-${Math.random()}` }).returning('id');
  const [{ id: releaseId }] = await db('releases').insert({ vendor_id: vendorId, track_id: trackId, version: '1.0.0', status: 'ready' }).returning('id');
  const byInstallation = new Map((await db('installations').whereIn('id', installations.map((i) => i.installationId)).select('id', 'customer_id')).map((r: { id: string; customer_id: string }) => [r.id, r.customer_id]));
  rolloutId = await repo.create(
    { vendorId, releaseId, strategy: { ...DEFAULT_ROLLOUT_STRATEGY, waves: [{ percent: 100 }] }, stageCount: 1, createdBy: null },
    installations.map((i) => ({ installationId: i.installationId, customerId: byInstallation.get(i.installationId) ?? '', wave: 0, steps: [] })),
  );
  // Otherwise a transaction open in another test's database keeps the watermark below this
  // setup's writes, and the first delta reads them again.
  await untilOlderTransactionsEnd(db);
});

/** Reads through `snapshots` inside a transaction (as an advance does), with what the delta returned. */
async function readThrough(snapshots: TargetSnapshots, spy: { deltaRows: number[] }) {
  return db.transaction(async (trx) => {
    const rows = await snapshots.read(trx, rolloutId);
    return { rows, deltaRows: spy.deltaRows.at(-1) };
  });
}

/** A copy whose reads are counted: the size of each delta (changed rows), or 'full'. */
function countingSnapshots(maxAgeMs?: number) {
  const spy = { deltaRows: [] as number[], full: 0 };
  const counting = {
    readTargets: async (...args: Parameters<RolloutRepository['readTargets']>) => {
      const read = await repo.readTargets(...args);
      if (args[2] === null) spy.full += 1;
      else spy.deltaRows.push(read.rows.length);
      return read;
    },
  };
  return { snapshots: new TargetSnapshots(counting, maxAgeMs), spy };
}

const idOf = (i: number): string => installations[i]?.installationId ?? '';

describe('TargetSnapshots', () => {
  it('reads in full once, then only the targets whose row, installation or customer changed', async () => {
    const { snapshots, spy } = countingSnapshots();
    const first = await readThrough(snapshots, spy);
    expect(first.rows.map((r) => r.installation_id)).toEqual(installations.map((i) => i.installationId));
    expect(spy.full).toBe(1);

    // Nothing changed: nothing is read, the copy is returned as it was.
    const same = await readThrough(snapshots, spy);
    expect(same.deltaRows).toBe(0);
    expect(same.rows).toEqual(first.rows);

    // Agents report (their installations: one with a stage in flight, one not yet sent one),
    // another process advances a target (its row), a customer is renamed.
    await db('rollout_targets').where({ rollout_id: rolloutId, installation_id: idOf(1) }).update({ status: 'deploying', stage: 1 });
    for (const i of [1, 2]) await db('installations').where({ id: idOf(i) }).update({ applied_revision: 7, components: JSON.stringify([{ name: 'web', version: '1.0.0', health: 'failed' }]) });
    await db('rollout_targets').where({ rollout_id: rolloutId, installation_id: idOf(4) }).update({ status: 'waiting', waiting_for: 'approval' });
    const customerOf6 = first.rows[6]?.customer_id ?? '';
    await db('customers').where({ id: customerOf6 }).update({ name: 'Renamed' });
    const changed = await readThrough(snapshots, spy);
    const renamed = first.rows.filter((r) => r.customer_id === customerOf6).map((r) => r.installation_id);
    expect(changed.deltaRows).toBe(new Set([idOf(1), idOf(2), idOf(4), ...renamed]).size);
    expect(spy.full).toBe(1);
    const byId = new Map(changed.rows.map((r) => [r.installation_id, r]));
    expect(byId.get(idOf(1))).toMatchObject({ applied_revision: 7, any_failed: true, all_healthy: false, unhealthy: [{ name: 'web', health: 'failed' }] });
    // A stage's health is read only while one is in flight (the planner reads it of no other).
    expect(byId.get(idOf(2))).toMatchObject({ applied_revision: 7, any_failed: false, unhealthy: null });
    expect(byId.get(idOf(4))).toMatchObject({ status: 'waiting', waiting_for: 'approval' });
    expect(byId.get(idOf(6))?.customer_name).toBe('Renamed');
    // Order stays the targets' positions; the copy equals a full read.
    expect(changed.rows).toEqual((await repo.readTargets(rolloutId, db, null)).rows);
  });

  it('sees a change whose transaction began before a read and committed after it', async () => {
    const { snapshots, spy } = countingSnapshots();
    await readThrough(snapshots, spy);
    // A writer holds its transaction open across the copy's next read: that read cannot see the
    // change, and the one after must (a "changed since" by time or by id would lose it).
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written: () => void = () => undefined;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const writer = db.transaction(async (trx) => {
      await trx('installations').where({ id: idOf(2) }).update({ applied_revision: 42 });
      written();
      await held;
    });
    await wrote;
    const during = await readThrough(snapshots, spy);
    expect(during.rows.find((r) => r.installation_id === idOf(2))?.applied_revision).not.toBe(42);
    release();
    await writer;
    const after = await readThrough(snapshots, spy);
    expect(after.rows.find((r) => r.installation_id === idOf(2))?.applied_revision).toBe(42);
    expect(spy.full).toBe(1);
  });

  it('reads in full again when a target was deleted, after it forgets, and once the copy is old', async () => {
    const { snapshots, spy } = countingSnapshots();
    await readThrough(snapshots, spy);
    await db('installations').where({ id: idOf(3) }).delete();
    installations = installations.filter((i) => i.installationId !== idOf(3));
    const after = await readThrough(snapshots, spy);
    expect(after.rows.map((r) => r.installation_id)).toEqual(installations.map((i) => i.installationId));
    expect(spy.full).toBe(2);

    snapshots.forget(rolloutId);
    await readThrough(snapshots, spy);
    expect(spy.full).toBe(3);

    const aged = countingSnapshots(60_000);
    await db.transaction((trx) => aged.snapshots.read(trx, rolloutId, 1000));
    await db.transaction((trx) => aged.snapshots.read(trx, rolloutId, 61_000));
    expect(aged.spy.full).toBe(1);
    await db.transaction((trx) => aged.snapshots.read(trx, rolloutId, 61_001));
    expect(aged.spy.full).toBe(2);
  });
});
