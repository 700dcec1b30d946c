import type { Database } from '../../infra/index.js';
import type { AuditTargetType } from './audit-target.js';

/**
 * The name an audit entry gives its target, read once when the entry is written (so an entry keeps
 * the name the object had then, also after it is renamed or deleted): one indexed lookup by id,
 * scoped to the vendor where the table has one. Null when the type has no name or the row is gone.
 */
type Lookup = (db: Database, vendorId: string, id: string) => Promise<string | null>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function first(query: PromiseLike<{ name: string | null }[]>): Promise<string | null> {
  return (await query)[0]?.name ?? null;
}

const LOOKUPS: Readonly<Partial<Record<AuditTargetType, Lookup>>> = {
  vendor: (db, vendorId, id) => (id === vendorId ? first(db('vendors').where({ id }).select('name')) : Promise.resolve(null)),
  user: (db, _vendorId, id) => first(db('users').where({ id }).select('email as name')),
  token: (db, _vendorId, id) => first(db('api_tokens').where({ id }).select('name')),
  invite: (db, vendorId, id) => first(db('invites').where({ id, vendor_id: vendorId }).select('email as name')),
  customer: (db, vendorId, id) => first(db('customers').where({ id, vendor_id: vendorId }).select('name')),
  installation: (db, vendorId, id) =>
    first(db('installations as i').join('customers as c', 'c.id', 'i.customer_id').where({ 'i.id': id, 'i.vendor_id': vendorId }).select(db.raw(`i.name || ' (' || c.name || ')' as name`))),
  application: (db, vendorId, id) => first(db('applications').where({ id, vendor_id: vendorId }).select('name')),
  version: (db, vendorId, id) =>
    first(db('application_versions as v').join('applications as a', 'a.id', 'v.application_id').where({ 'v.id': id, 'a.vendor_id': vendorId }).select(db.raw(`a.name || ' ' || v.version as name`))),
  track: (db, vendorId, id) => first(db('tracks').where({ id, vendor_id: vendorId }).select('name')),
  release: (db, vendorId, id) =>
    first(db('releases as r').join('tracks as t', 't.id', 'r.track_id').where({ 'r.id': id, 'r.vendor_id': vendorId }).select(db.raw(`t.name || ' ' || r.version as name`))),
  entitlement: (db, vendorId, id) =>
    first(
      db('entitlements as e')
        .join('tracks as t', 't.id', 'e.track_id')
        .join('customers as c', 'c.id', 'e.customer_id')
        .where({ 'e.id': id, 'e.vendor_id': vendorId })
        .select(db.raw(`t.name || ' for ' || c.name as name`)),
    ),
  license: (db, vendorId, id) => first(db('licenses as l').join('customers as c', 'c.id', 'l.customer_id').where({ 'l.id': id, 'l.vendor_id': vendorId }).select(db.raw(`'license of ' || c.name as name`))),
  'alert-rule': (db, vendorId, id) => first(db('alert_rules').where({ id, vendor_id: vendorId }).select('name')),
  'support-bundle': (db, vendorId, id) =>
    first(db('support_bundles as b').join('installations as i', 'i.id', 'b.installation_id').where({ 'b.id': id, 'b.vendor_id': vendorId }).select(db.raw(`'support bundle of ' || i.name as name`))),
  webhook: (db, vendorId, id) => first(db('webhook_endpoints').where({ id, vendor_id: vendorId }).select(db.raw(`COALESCE(NULLIF(description, ''), url) as name`))),
  rollout: (db, vendorId, id) =>
    first(
      db('rollouts as o')
        .join('releases as r', 'r.id', 'o.release_id')
        .join('tracks as t', 't.id', 'r.track_id')
        .where({ 'o.id': id, 'o.vendor_id': vendorId })
        .select(db.raw(`t.name || ' ' || r.version as name`)),
    ),
};

export function auditTargetName(db: Database, vendorId: string, type: AuditTargetType | null, id: string | null): Promise<string | null> {
  const lookup = type ? LOOKUPS[type] : undefined;
  if (!lookup || !id || !UUID.test(id)) return Promise.resolve(null);
  return lookup(db, vendorId, id);
}
