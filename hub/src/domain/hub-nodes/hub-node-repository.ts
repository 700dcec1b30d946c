import type { Database } from '../../infra/index.js';

export interface HubNodeRow {
  id: string;
  hostname: string;
  pid: number;
  version: string;
  started_at: Date;
  last_seen_at: Date;
}

export class HubNodeRepository {
  constructor(private readonly db: Database) {}

  async upsert(node: Pick<HubNodeRow, 'id' | 'hostname' | 'pid' | 'version'>): Promise<void> {
    await this.db('hub_nodes').insert(node).onConflict('id').merge({ last_seen_at: this.db.fn.now() });
  }

  async touch(id: string): Promise<void> {
    await this.db('hub_nodes').where({ id }).update({ last_seen_at: this.db.fn.now() });
  }

  async remove(id: string): Promise<void> {
    await this.db('hub_nodes').where({ id }).delete();
  }

  /** Deletes nodes silent for longer than `staleSeconds`; returns their ids. */
  async removeStale(staleSeconds: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db('hub_nodes')
      .where('last_seen_at', '<', this.db.raw(`now() - make_interval(secs => ?)`, [staleSeconds]))
      .delete()
      .returning('id');
    return rows.map((r) => r.id);
  }

  list(): Promise<HubNodeRow[]> {
    return this.db('hub_nodes').select('*').orderBy('started_at');
  }
}
