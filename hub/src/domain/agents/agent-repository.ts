import type { AgentKind, HostFacts } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { SecretBox } from '../../infra/secret-box.js';

export interface AgentIdentity {
  agentId: string;
  vendorId: string;
  customerId: string;
  installationId: string;
  agentKind: AgentKind;
}

export interface AgentAuthRow extends AgentIdentity {
  secretHash: Buffer;
  /** The address of the installation's latest session (its site's address, for the per-address limit). */
  lastIp: string | null;
}

/** The `hub_node` of HTTP polling sessions (they belong to no hub process). */
export const POLLING_NODE = 'http-poll';

// Statements that update many installations lock them in id order first (\`l\` CTEs): a rollout step
// and a status batch lock them in that order too, so concurrent batches wait instead of deadlocking.

/** First key of the advisory locks that serialize the session opens of one agent. */
const SESSION_LOCK_SPACE = 0x466c6f61;

export interface OpenedSession {
  sessionId: number;
  /** Hub nodes holding another open websocket session of the agent when this one opened. */
  otherNodes: string[];
}

export class AgentRepository {
  constructor(
    private readonly db: Database,
    /** Seals the agent secret an unused install link holds (it must be readable once, for the manifest). */
    private readonly box: SecretBox,
  ) {}

  /** Replaces the installation's agent credentials (id + secret hash) in one transaction. */
  async replaceCredentials(vendorId: string, installationId: string, agentId: string, secretHash: Buffer): Promise<string | undefined> {
    return this.db.transaction(async (trx) => {
      const old: { id: string } | undefined = await trx('agents').where({ vendor_id: vendorId, installation_id: installationId }).first('id');
      if (old) await trx('agents').where({ id: old.id }).delete();
      await trx('agents').insert({ id: agentId, vendor_id: vendorId, installation_id: installationId, secret_hash: secretHash });
      return old?.id;
    });
  }

  /** `findForAuth` for many agents in one query (a reconnect storm is thousands of handshakes). */
  async findForAuthMany(agentIds: readonly string[]): Promise<Map<string, AgentAuthRow>> {
    const rows: { id: string; vendor_id: string; installation_id: string; secret_hash: Buffer; customer_id: string; agent_kind: AgentKind; last_ip: string | null }[] = await this.db('agents as a')
      .join('installations as i', 'i.id', 'a.installation_id')
      .whereIn('a.id', [...new Set(agentIds)])
      .select('a.id', 'a.vendor_id', 'a.installation_id', 'a.secret_hash', 'i.customer_id', 'i.agent_kind')
      // agent_sessions (installation_id, connected_at) index: one row read per agent.
      .select(this.db.raw('(SELECT s.ip FROM agent_sessions s WHERE s.installation_id = a.installation_id AND s.agent_id = a.id ORDER BY s.connected_at DESC LIMIT 1) AS last_ip'));
    return new Map(
      rows.map((row) => [
        row.id,
        { agentId: row.id, vendorId: row.vendor_id, customerId: row.customer_id, installationId: row.installation_id, agentKind: row.agent_kind, secretHash: row.secret_hash, lastIp: row.last_ip },
      ]),
    );
  }

  async findForAuth(agentId: string): Promise<AgentAuthRow | undefined> {
    return (await this.findForAuthMany([agentId])).get(agentId);
  }


  async recordHello(agentId: string, agentVersion: string, host: HostFacts): Promise<void> {
    await this.db('agents').where({ id: agentId }).update({ agent_version: agentVersion, host: JSON.stringify(host) });
  }

  async createInstallToken(t: { tokenHash: string; vendorId: string; installationId: string; agentId: string; secret: string; expiresAt: Date }): Promise<void> {
    await this.db('agent_install_tokens').insert({
      token_hash: t.tokenHash,
      vendor_id: t.vendorId,
      installation_id: t.installationId,
      agent_id: t.agentId,
      secret: this.box.seal(t.secret),
      expires_at: t.expiresAt,
    });
  }

  /**
   * Marks an install token used and returns what the manifest needs, atomically: of two concurrent
   * fetches only one gets the secret. Expired or used tokens return undefined.
   */
  async consumeInstallToken(tokenHash: string): Promise<{ agentId: string; secret: string; installationId: string; vendorId: string } | undefined> {
    const result: { rows: { agent_id: string; installation_id: string; vendor_id: string; secret: string | null }[] } = await this.db.raw(
      `UPDATE agent_install_tokens t SET used_at = now(), secret = NULL
         FROM (SELECT token_hash, secret FROM agent_install_tokens
                WHERE token_hash = ? AND used_at IS NULL AND expires_at > now() FOR UPDATE) old
        WHERE t.token_hash = old.token_hash
        RETURNING t.agent_id, t.installation_id, t.vendor_id, old.secret`,
      [tokenHash],
    );
    const r = result.rows[0];
    return r?.secret ? { agentId: r.agent_id, secret: this.box.open(r.secret), installationId: r.installation_id, vendorId: r.vendor_id } : undefined;
  }

  /** Forgets secrets of expired, unused install tokens. */
  async purgeExpiredInstallSecrets(): Promise<number> {
    return this.db('agent_install_tokens').whereNotNull('secret').where('expires_at', '<=', this.db.fn.now()).update({ secret: null });
  }

  /**
   * Opens many sessions in one statement (a reconnect storm is thousands at once): the sessions,
   * their `connected` events, and the installations marked online. Returns, in the order given, each
   * session's id and the hub nodes that still hold another websocket session of the same agent (a
   * socket they have not noticed is dead yet, to be dropped). The sessions of one agent open one at
   * a time (a lock per agent, then the statement's fresh snapshot): of two concurrent opens, the
   * later one sees the earlier one, and has the higher id.
   */
  async openSessions(items: readonly { identity: AgentIdentity; hubNode: string; ip: string | undefined; agentVersion: string; message: string }[]): Promise<OpenedSession[]> {
    const records = items.map((it) => ({ vendor_id: it.identity.vendorId, installation_id: it.identity.installationId, agent_id: it.identity.agentId, hub_node: it.hubNode, ip: it.ip ?? null, agent_version: it.agentVersion, message: it.message }));
    type Row = { id: number; ord: number; others: string[] | null };
    const result = await this.db.transaction(async (trx): Promise<{ rows: Row[] }> => {
      // In agent id order, so two batches never wait for each other in a circle.
      await trx.raw(`SELECT pg_advisory_xact_lock(${SESSION_LOCK_SPACE}, hashtext(a)) FROM (SELECT DISTINCT a FROM unnest(?::text[]) AS a ORDER BY a) s`, [records.map((r) => r.agent_id)]);
      return trx.raw(
        // Typed arrays, not a JSON document: unnest tells the planner how many rows come, so it
        // looks up each installation instead of scanning them all. Open sessions are filtered on
        // the array itself (hashed): during a storm agent_sessions grows from empty faster than
        // its statistics, and a join with v was planned as a nested loop over every open session
        // (55 of a batch's 57 ms at 5 700 open sessions).
        `WITH v AS (SELECT v.*, (v.n - 1)::int AS ord FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                      WITH ORDINALITY AS v(vendor_id, installation_id, agent_id, hub_node, ip, agent_version, message, n)),
              prev AS (SELECT agent_id, array_agg(DISTINCT hub_node) AS nodes FROM agent_sessions
                        WHERE agent_id = ANY(?::text[]) AND disconnected_at IS NULL AND poll_expires_at IS NULL GROUP BY agent_id),
              s AS (INSERT INTO agent_sessions (vendor_id, installation_id, agent_id, hub_node, ip, agent_version)
                    SELECT vendor_id, installation_id, agent_id, hub_node, ip, agent_version FROM v ORDER BY ord RETURNING id, agent_id),
              e AS (INSERT INTO installation_events (vendor_id, installation_id, type, message) SELECT vendor_id, installation_id, 'connected', message FROM v ORDER BY ord),
              l AS (SELECT id FROM installations WHERE id IN (SELECT installation_id FROM v) ORDER BY id FOR NO KEY UPDATE),
              u AS (UPDATE installations i SET online = true, last_seen_at = now(), status_updated_at = now(), first_connected_at = COALESCE(i.first_connected_at, now()) FROM l WHERE i.id = l.id)
         SELECT s.id, min(v.ord) AS ord, min(prev.nodes) AS others
           FROM s JOIN v ON v.agent_id = s.agent_id LEFT JOIN prev ON prev.agent_id = s.agent_id
          GROUP BY s.id ORDER BY s.id`,
        [records.map((r) => r.vendor_id), records.map((r) => r.installation_id), records.map((r) => r.agent_id), records.map((r) => r.hub_node), records.map((r) => r.ip), records.map((r) => r.agent_version), records.map((r) => r.message), records.map((r) => r.agent_id)] as Knex.Value[],
      );
    });
    // Ids are increasing in insertion order, and inserted in \`ord\` order: pair them up per agent.
    const byAgent = new Map<string, OpenedSession[]>();
    for (const row of result.rows) {
      const agentId = records[row.ord]?.agent_id ?? '';
      byAgent.set(agentId, [...(byAgent.get(agentId) ?? []), { sessionId: Number(row.id), otherNodes: row.others ?? [] }]);
    }
    return records.map((r) => byAgent.get(r.agent_id)?.shift() ?? { sessionId: 0, otherNodes: [] });
  }

  /**
   * Closes many sessions in one statement: `disconnected` events, and each installation's online
   * flag recomputed (still online when another session of it is open, e.g. a reconnect that won the race).
   */
  async closeSessions(items: readonly { sessionId: number; vendorId: string; installationId: string; message: string }[]): Promise<void> {
    const records = items.map((it) => ({ session_id: it.sessionId, vendor_id: it.vendorId, installation_id: it.installationId, message: it.message }));
    // (typed arrays: see openSessions)
    // Sessions are locked and closed (c) before the installations (l reads c): the same order as
    // closeOpenSessions, so the two never deadlock. A session already closed (its hub process shut
    // down meanwhile) gets no second event and changes nothing.
    await this.db.transaction(async (trx) => {
      const result: { rows: { id: string }[] } = await trx.raw(
        `WITH v AS (SELECT * FROM unnest(?::bigint[], ?::uuid[], ?::uuid[], ?::text[]) AS v(session_id, vendor_id, installation_id, message)),
              ls AS (SELECT id FROM agent_sessions WHERE id IN (SELECT session_id FROM v) ORDER BY id FOR NO KEY UPDATE),
              c AS (UPDATE agent_sessions s SET disconnected_at = now() FROM ls WHERE s.id = ls.id AND s.disconnected_at IS NULL RETURNING s.id, s.installation_id),
              e AS (INSERT INTO installation_events (vendor_id, installation_id, type, message) SELECT v.vendor_id, v.installation_id, 'disconnected', v.message FROM v JOIN c ON c.id = v.session_id)
         SELECT id FROM installations WHERE id IN (SELECT installation_id FROM c) ORDER BY id FOR NO KEY UPDATE`,
        [records.map((r) => r.session_id), records.map((r) => r.vendor_id), records.map((r) => r.installation_id), records.map((r) => r.message)],
      );
      await refreshOnline(trx, result.rows.map((r) => r.id));
    });
  }

  /** Records many hellos (agent version and host facts) in one statement. */
  async recordHellos(items: readonly { agentId: string; agentVersion: string; host: HostFacts }[]): Promise<void> {
    await this.db.raw(
      // (typed arrays: see openSessions)
      `UPDATE agents a SET agent_version = v.agent_version, host = v.host
         FROM unnest(?::text[], ?::text[], ?::jsonb[]) AS v(agent_id, agent_version, host)
        WHERE a.id = v.agent_id`,
      [items.map((i) => i.agentId), items.map((i) => i.agentVersion), items.map((i) => JSON.stringify(i.host))],
    );
  }

  /**
   * Closes every open session of hub processes that stopped (crashed, or this one shutting down),
   * in one statement whatever their number; returns the installations affected.
   */
  closeSessionsOfNodes(nodeIds: string[], message: string): Promise<string[]> {
    return this.closeOpenSessions(this.db.raw('hub_node = ANY(?::text[])', [nodeIds]), message);
  }

  /**
   * Extends the agent's open HTTP polling session, or opens one (with its `connected` event). Returns
   * the session id and whether it was opened now (the agent just came online through polling).
   */
  async touchPollSession(identity: AgentIdentity, ttlSeconds: number, ip: string | undefined, agentVersion: string): Promise<{ sessionId: number; opened: boolean }> {
    const expires = this.db.raw(`now() + make_interval(secs => ?)`, [ttlSeconds]);
    const [extended] = (await this.db('agent_sessions')
      .where({ agent_id: identity.agentId })
      .whereNotNull('poll_expires_at')
      .whereNull('disconnected_at')
      .update({ poll_expires_at: expires })
      .returning('id')) as { id: number }[];
    if (extended) return { sessionId: extended.id, opened: false };
    // The session opened and its `connected` event, in one statement.
    const result: { rows: { id: number }[] } = await this.db.raw(
      `WITH s AS (INSERT INTO agent_sessions (vendor_id, installation_id, agent_id, hub_node, ip, agent_version, poll_expires_at)
                  VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))
                  ON CONFLICT (agent_id) WHERE poll_expires_at IS NOT NULL AND disconnected_at IS NULL DO NOTHING
                  RETURNING id, vendor_id, installation_id, agent_version),
            e AS (INSERT INTO installation_events (vendor_id, installation_id, type, message)
                  SELECT vendor_id, installation_id, 'connected', 'agent ' || agent_version || ' via HTTP polling' FROM s),
            f AS (UPDATE installations SET first_connected_at = now() WHERE id IN (SELECT installation_id FROM s) AND first_connected_at IS NULL)
       SELECT id FROM s`,
      [identity.vendorId, identity.installationId, identity.agentId, POLLING_NODE, ip ?? null, agentVersion, ttlSeconds],
    );
    const inserted = result.rows[0];
    if (!inserted) return this.touchPollSession(identity, ttlSeconds, ip, agentVersion); // a concurrent poll opened it
    await refreshOnline(this.db, [identity.installationId]);
    return { sessionId: inserted.id, opened: true };
  }

  /** Closes polling sessions whose agent stopped polling; returns the installations affected. */
  closeExpiredPollSessions(): Promise<string[]> {
    return this.closeOpenSessions(this.db.raw('poll_expires_at < now()'), 'agent stopped polling');
  }

  /**
   * Closes the open sessions matching `where`: a `disconnected` event per installation, and its
   * online flag recomputed (another session of it may still be open).
   */
  private closeOpenSessions(where: Knex.Raw, message: string): Promise<string[]> {
    return this.db.transaction(async (trx) => {
      const result: { rows: { id: string }[] } = await trx.raw(
        `WITH ls AS (SELECT id FROM agent_sessions WHERE disconnected_at IS NULL AND ? ORDER BY id FOR NO KEY UPDATE),
              c AS (UPDATE agent_sessions s SET disconnected_at = now() FROM ls WHERE s.id = ls.id AND s.disconnected_at IS NULL RETURNING s.id, s.vendor_id, s.installation_id),
              d AS (SELECT DISTINCT vendor_id, installation_id FROM c),
              e AS (INSERT INTO installation_events (vendor_id, installation_id, type, message) SELECT vendor_id, installation_id, 'disconnected', ? FROM d)
         SELECT id FROM installations WHERE id IN (SELECT installation_id FROM d) ORDER BY id FOR NO KEY UPDATE`,
        [where, message],
      );
      const ids = result.rows.map((r) => r.id);
      await refreshOnline(trx, ids);
      return ids;
    });
  }
}

/**
 * Recomputes the online flag of installations (online = some session still open) after sessions
 * were opened or closed; those closed in bulk are locked by the caller's transaction. A statement
 * of its own, so that it sees sessions opened since the closing statement began: within that
 * statement a concurrent reconnect's new session would be missed, and the installation shown
 * offline while its agent is connected.
 */
async function refreshOnline(db: Knex | Knex.Transaction, installationIds: readonly string[]): Promise<void> {
  if (installationIds.length === 0) return;
  await db.raw(
    `UPDATE installations i
        SET online = EXISTS (SELECT 1 FROM agent_sessions s WHERE s.installation_id = i.id AND s.disconnected_at IS NULL),
            last_seen_at = now(), status_updated_at = now()
      WHERE i.id = ANY(?::uuid[])`,
    [[...installationIds]],
  );
}
