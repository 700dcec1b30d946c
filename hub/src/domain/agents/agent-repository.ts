import type { AgentKind, HostFacts } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';

export interface AgentIdentity {
  agentId: string;
  vendorId: string;
  customerId: string;
  installationId: string;
  agentKind: AgentKind;
}

export interface AgentAuthRow extends AgentIdentity {
  secretHash: Buffer;
}

/** The `hub_node` of HTTP polling sessions (they belong to no hub process). */
export const POLLING_NODE = 'http-poll';

export class AgentRepository {
  constructor(private readonly db: Database) {}

  /** Replaces the installation's agent credentials (id + secret hash) in one transaction. */
  async replaceCredentials(vendorId: string, installationId: string, agentId: string, secretHash: Buffer): Promise<string | undefined> {
    return this.db.transaction(async (trx) => {
      const old: { id: string } | undefined = await trx('agents').where({ vendor_id: vendorId, installation_id: installationId }).first('id');
      if (old) await trx('agents').where({ id: old.id }).delete();
      await trx('agents').insert({ id: agentId, vendor_id: vendorId, installation_id: installationId, secret_hash: secretHash });
      return old?.id;
    });
  }

  async findForAuth(agentId: string): Promise<AgentAuthRow | undefined> {
    const row: { id: string; vendor_id: string; installation_id: string; secret_hash: Buffer; customer_id: string; agent_kind: AgentKind } | undefined = await this.db('agents as a')
      .join('installations as i', 'i.id', 'a.installation_id')
      .where('a.id', agentId)
      .first('a.id', 'a.vendor_id', 'a.installation_id', 'a.secret_hash', 'i.customer_id', 'i.agent_kind');
    return row && { agentId: row.id, vendorId: row.vendor_id, customerId: row.customer_id, installationId: row.installation_id, agentKind: row.agent_kind, secretHash: row.secret_hash };
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
      secret: t.secret,
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
    return r?.secret ? { agentId: r.agent_id, secret: r.secret, installationId: r.installation_id, vendorId: r.vendor_id } : undefined;
  }

  /** Forgets secrets of expired, unused install tokens. */
  async purgeExpiredInstallSecrets(): Promise<number> {
    return this.db('agent_install_tokens').whereNotNull('secret').where('expires_at', '<=', this.db.fn.now()).update({ secret: null });
  }

  async openSession(identity: AgentIdentity, hubNode: string, ip: string | undefined, agentVersion: string): Promise<number> {
    const [row] = await this.db('agent_sessions')
      .insert({ vendor_id: identity.vendorId, installation_id: identity.installationId, agent_id: identity.agentId, hub_node: hubNode, ip: ip ?? null, agent_version: agentVersion })
      .returning('id');
    await this.refreshOnline(identity.installationId);
    return (row as { id: number }).id;
  }

  async closeSession(sessionId: number, installationId: string): Promise<void> {
    await this.db('agent_sessions').where({ id: sessionId }).whereNull('disconnected_at').update({ disconnected_at: this.db.fn.now() });
    await this.refreshOnline(installationId);
  }

  /** Closes sessions held by hub processes that died; returns the installations affected. */
  async closeSessionsOfNodes(nodeIds: string[]): Promise<string[]> {
    const rows: { installation_id: string }[] = await this.db('agent_sessions')
      .whereIn('hub_node', nodeIds)
      .whereNull('disconnected_at')
      .update({ disconnected_at: this.db.fn.now() })
      .returning('installation_id');
    const ids = [...new Set(rows.map((r) => r.installation_id))];
    for (const id of ids) await this.refreshOnline(id);
    return ids;
  }

  /**
   * Extends the agent's open HTTP polling session, or opens one. Returns the session id and whether
   * it was opened now (the agent just came online through polling).
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
    const result: { rows: { id: number }[] } = await this.db.raw(
      `INSERT INTO agent_sessions (vendor_id, installation_id, agent_id, hub_node, ip, agent_version, poll_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))
       ON CONFLICT (agent_id) WHERE poll_expires_at IS NOT NULL AND disconnected_at IS NULL DO NOTHING
       RETURNING id`,
      [identity.vendorId, identity.installationId, identity.agentId, POLLING_NODE, ip ?? null, agentVersion, ttlSeconds],
    );
    const inserted = result.rows[0];
    if (!inserted) return this.touchPollSession(identity, ttlSeconds, ip, agentVersion); // a concurrent poll opened it
    await this.refreshOnline(identity.installationId);
    return { sessionId: inserted.id, opened: true };
  }

  /** Closes polling sessions whose agent stopped polling; returns the installations affected. */
  async closeExpiredPollSessions(): Promise<string[]> {
    const rows: { installation_id: string }[] = await this.db('agent_sessions')
      .whereNotNull('poll_expires_at')
      .whereNull('disconnected_at')
      .where('poll_expires_at', '<', this.db.fn.now())
      .update({ disconnected_at: this.db.fn.now() })
      .returning('installation_id');
    const ids = [...new Set(rows.map((r) => r.installation_id))];
    for (const id of ids) await this.refreshOnline(id);
    return ids;
  }

  /** Online = some session still open (a reconnect can overlap the old socket's disconnect). */
  private async refreshOnline(installationId: string): Promise<void> {
    await this.db('installations')
      .where({ id: installationId })
      .update({
        online: this.db.raw('EXISTS (SELECT 1 FROM agent_sessions s WHERE s.installation_id = ? AND s.disconnected_at IS NULL)', [installationId]),
        last_seen_at: this.db.fn.now(),
        status_updated_at: this.db.fn.now(),
      });
  }
}
