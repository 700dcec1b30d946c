/**
 * A large fleet written straight into a hub's database in a few set-based statements (10 000
 * installations in well under a second, where the REST API takes a minute). For the bench and
 * browser tests only: nothing in the hub calls it. The vendor, its tracks and releases come from
 * the API; customers, installations and (optionally) agent credentials from here.
 */

/** Runs one statement with `$1…` parameters (a `pg` client's `query`). */
export type SeedQuery = (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** What a seeded installation runs: repeated slots weigh the mix (the chart shows it). */
export interface SeedSlot {
  trackId: string | null;
  releaseId: string | null;
  /** The release's version: the installation's desired and running version. */
  version: string | null;
}

export interface SeedFleetOptions {
  vendorId: string;
  customerIds: readonly string[];
  count: number;
  /** Installation names are `<prefix>-00001`…; unique per customer and environment. */
  namePrefix: string;
  /** Installation i runs slot i mod the number of slots (default: no track, nothing running). */
  slots?: readonly SeedSlot[];
  /** The first `agents` installations (by name) get credentials: agent `agt_seed_<n>`, secret `<secretPrefix><n>`. */
  agents?: { count: number; secretPrefix: string };
}

export interface SeededAgent {
  installationId: string;
  agentId: string;
  secret: string;
}

/** `count` customers named `<prefix> 001`…; returns their ids in name order. */
export async function seedCustomers(query: SeedQuery, vendorId: string, count: number, prefix: string): Promise<string[]> {
  const { rows } = await query(
    `INSERT INTO customers (vendor_id, name)
     SELECT $1::uuid, $2 || ' ' || lpad(g::text, 3, '0') FROM generate_series(1, $3::int) AS g
     RETURNING id, name`,
    [vendorId, prefix, count],
  );
  return rows.sort((a, b) => String(a.name).localeCompare(String(b.name))).map((r) => String(r.id));
}

/**
 * Installations spread over the customers, three environments, the slots, six health values (most
 * healthy) and online (nine in ten) with last-seen times in the last hour. Returns the agents made.
 */
export async function seedInstallations(query: SeedQuery, opts: SeedFleetOptions): Promise<SeededAgent[]> {
  const slots = opts.slots && opts.slots.length > 0 ? opts.slots : [{ trackId: null, releaseId: null, version: null }];
  await query(
    `INSERT INTO installations (vendor_id, customer_id, name, environment, agent_kind, track_id, release_id,
                                desired_revision, applied_revision, desired_version, running_version, desired_components, components,
                                health, online, last_seen_at, status_updated_at)
     SELECT $1::uuid, customer_id, name, environment, 'compose', track_id, release_id,
            -- A release deployed and converged (one component, "web", at the release's version); nothing without one.
            CASE WHEN version IS NULL THEN 0 ELSE 1 END, CASE WHEN version IS NULL THEN 0 ELSE 1 END, version, version,
            CASE WHEN version IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('web', version) END,
            CASE WHEN version IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('name', 'web', 'version', version, 'health', health)) END,
            health, g % 10 <> 0, now() - make_interval(secs => g % 3600), now()
     FROM (
       SELECT g,
              ($2::uuid[])[1 + g % cardinality($2::uuid[])] AS customer_id,
              $3 || '-' || lpad(g::text, 5, '0') AS name,
              (ARRAY['production', 'staging', 'development'])[1 + (g / 7) % 3] AS environment,
              ($4::uuid[])[1 + g % cardinality($4::uuid[])] AS track_id,
              ($5::uuid[])[1 + g % cardinality($5::uuid[])] AS release_id,
              ($6::text[])[1 + g % cardinality($6::text[])] AS version,
              (ARRAY['healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'degraded', 'failed', 'progressing', 'stopped'])[1 + (g * 7) % 10] AS health
       FROM generate_series(1, $7::int) AS g
     ) AS s`,
    [opts.vendorId, opts.customerIds, opts.namePrefix, slots.map((s) => s.trackId), slots.map((s) => s.releaseId), slots.map((s) => s.version), opts.count],
  );
  if (!opts.agents || opts.agents.count <= 0) return [];
  const { rows } = await query(
    `WITH chosen AS (
       SELECT id, vendor_id, row_number() OVER (ORDER BY name) AS n FROM installations
       WHERE vendor_id = $1::uuid AND name LIKE $2 || '-%' ORDER BY name LIMIT $3::int
     )
     INSERT INTO agents (id, vendor_id, installation_id, secret_hash)
     SELECT 'agt_seed_' || n, vendor_id, id, sha256(convert_to($4 || n, 'UTF8')) FROM chosen
     RETURNING id, installation_id`,
    [opts.vendorId, opts.namePrefix, opts.agents.count, opts.agents.secretPrefix],
  );
  const prefix = opts.agents.secretPrefix;
  return rows.map((r) => {
    const agentId = String(r.id);
    return { installationId: String(r.installation_id), agentId, secret: `${prefix}${agentId.slice('agt_seed_'.length)}` };
  });
}
