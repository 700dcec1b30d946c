import type { CommandLogChunk, CommandStatus, InstallationCommand } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { Scope } from '../access/roles.js';
import { paginate, type Page, type PageRequest } from '../shared/pagination.js';
import { canMove, UNFINISHED, type CommandPayload } from './command-rules.js';

export interface CommandRow {
  id: string;
  vendor_id: string;
  installation_id: string;
  customer_id: string;
  type: string;
  payload: CommandPayload;
  status: CommandStatus;
  message: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export function toCommand(r: CommandRow): InstallationCommand {
  return {
    id: r.id,
    installationId: r.installation_id,
    customerId: r.customer_id,
    type: r.type,
    status: r.status,
    message: r.message,
    targets: r.payload.targets ?? null,
    image: r.payload.image ?? null,
    agentVersion: r.payload.agentVersion ?? null,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

/** Lines kept per command: an agent cannot fill the database through one collect-logs. */
export const MAX_LOG_LINES_PER_COMMAND = 50_000;

/**
 * A command's entry on its installation's timeline (`installation_events`, type `command`), written
 * by the statement that creates or finishes it: "restart created", "restart succeeded: …".
 */
const EVENT_MESSAGE = `c.type || ' ' || CASE WHEN c.status = 'pending' THEN 'created' ELSE c.status END || COALESCE(': ' || c.message, '')`;
const EVENT_DATA = `jsonb_build_object('commandId', c.id, 'type', c.type, 'status', c.status)`;

export class CommandRepository {
  constructor(private readonly db: Database) {}

  /** Creates a command and its `command` event on the installation's timeline, in one statement. */
  async create(c: { vendorId: string; installationId: string; customerId: string; type: string; payload: CommandPayload; createdBy: string | null }, trx?: Knex.Transaction): Promise<CommandRow> {
    const result: { rows: CommandRow[] } = await (trx ?? this.db).raw(
      `WITH c AS (INSERT INTO commands (vendor_id, installation_id, customer_id, type, payload, created_by) VALUES (?, ?, ?, ?, ?::jsonb, ?) RETURNING *),
            e AS (INSERT INTO installation_events (vendor_id, installation_id, type, message, data)
                  SELECT vendor_id, installation_id, 'command', ${EVENT_MESSAGE}, ${EVENT_DATA} FROM c)
       SELECT * FROM c`,
      [c.vendorId, c.installationId, c.customerId, c.type, JSON.stringify(c.payload), c.createdBy],
    );
    const row = result.rows[0];
    if (!row) throw new Error('insert returned no row');
    return row;
  }

  /** A command of an installation the scope may see (customers: only their own). */
  async get(scope: Scope, installationId: string, id: string): Promise<CommandRow | undefined> {
    const q = this.db('commands').where({ vendor_id: scope.vendorId, installation_id: installationId, id });
    if (scope.customerId !== null) q.where('customer_id', scope.customerId);
    return q.first();
  }

  /** For agent-side events, which name commands by id only: the command must belong to the agent's installation. */
  async getForInstallation(installationId: string, id: string): Promise<CommandRow | undefined> {
    return this.db('commands').where({ installation_id: installationId, id }).first();
  }

  /** The newest unfinished command of a type for an installation (e.g. the uninstall under way). */
  async unfinishedOfType(installationId: string, type: string): Promise<CommandRow | undefined> {
    return this.db('commands').where({ installation_id: installationId, type }).whereIn('status', UNFINISHED).orderBy('created_at', 'desc').first();
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(scope: Scope, installationId: string, page: PageRequest): Promise<Page<CommandRow>> {
    const q = this.db('commands').where({ vendor_id: scope.vendorId, installation_id: installationId }).select('commands.*');
    if (scope.customerId !== null) q.where('customer_id', scope.customerId);
    return paginate(q, page, (r: CommandRow) => r, 'commands', 'desc');
  }

  /** Commands the agent has not finished, oldest first (what a hello or a poll hands it). */
  /** Commands still to run or running, per installation, oldest first (hellos come in storms: one query for many). */
  async unfinishedMany(installationIds: readonly string[]): Promise<Map<string, CommandRow[]>> {
    const rows: CommandRow[] = await this.db('commands').whereIn('installation_id', [...new Set(installationIds)]).whereIn('status', UNFINISHED).orderBy([{ column: 'created_at' }, { column: 'id' }]);
    const byInstallation = new Map<string, CommandRow[]>();
    for (const row of rows) byInstallation.set(row.installation_id, [...(byInstallation.get(row.installation_id) ?? []), row]);
    return byInstallation;
  }

  /**
   * Moves a command forward under a row lock; returns the updated row, or undefined when the move
   * is not forward (a late ack after progress, anything after the end).
   */
  async move(id: string, status: CommandStatus, message: string | null | undefined, finished: boolean): Promise<CommandRow | undefined> {
    return this.db.transaction(async (trx) => {
      const current: CommandRow | undefined = await trx('commands').where({ id }).forUpdate().first();
      if (!current || !canMove(current.status, status)) return undefined;
      return this.update(trx, id, status, message, finished);
    });
  }

  /** Updates the message of a command that keeps its status (e.g. a self-update waiting for the new agent). */
  async setMessage(id: string, message: string): Promise<CommandRow | undefined> {
    const [row] = (await this.db('commands').where({ id }).whereIn('status', UNFINISHED).update({ message, updated_at: this.db.fn.now() }).returning('*')) as CommandRow[];
    return row;
  }

  /** Moves the command; a finish also goes on the installation's timeline, in the same statement. */
  private async update(trx: Knex.Transaction, id: string, status: CommandStatus, message: string | null | undefined, finished: boolean): Promise<CommandRow | undefined> {
    const result: { rows: CommandRow[] } = await trx.raw(
      `WITH c AS (UPDATE commands SET status = ?, message = CASE WHEN ? THEN ? ELSE message END, updated_at = now(),
                                      finished_at = CASE WHEN ? THEN now() ELSE finished_at END
                   WHERE id = ? RETURNING *),
            e AS (INSERT INTO installation_events (vendor_id, installation_id, type, message, data)
                  SELECT vendor_id, installation_id, 'command', ${EVENT_MESSAGE}, ${EVENT_DATA} FROM c WHERE ?)
       SELECT * FROM c`,
      [status, message !== undefined, message ?? null, finished, id, finished],
    );
    return result.rows[0];
  }

  /** Self-updates whose old agent started the replacement, waiting for an agent of `agentVersion`. */
  /** Stores a chunk of collected log lines, truncated at the per-command limit. Returns the lines kept. */
  async appendLogs(commandId: string, chunk: { component: string | null; lines: string[]; done: boolean }): Promise<number> {
    return this.db.transaction(async (trx) => {
      await trx('commands').where({ id: commandId }).forUpdate().first('id');
      const stored: { total?: string | null } | undefined = await trx('command_logs').where({ command_id: commandId }).sum({ total: 'line_count' }).first();
      const room = Math.max(0, MAX_LOG_LINES_PER_COMMAND - Number(stored?.total ?? 0));
      const lines = chunk.lines.slice(0, room);
      if (lines.length === 0 && !chunk.done) return 0;
      await trx('command_logs').insert({ command_id: commandId, component: chunk.component, lines: JSON.stringify(lines), line_count: lines.length, done: chunk.done });
      return lines.length;
    });
  }

  async logs(commandId: string): Promise<{ chunks: CommandLogChunk[]; complete: boolean }> {
    const rows: { component: string | null; lines: string[]; done: boolean }[] = await this.db('command_logs').where({ command_id: commandId }).orderBy('id').select('component', 'lines', 'done');
    // Consecutive chunks of one component are shown as one block.
    const chunks: CommandLogChunk[] = [];
    for (const r of rows) {
      const last = chunks.at(-1);
      if (last && last.component === r.component) last.lines.push(...r.lines);
      else if (r.lines.length > 0) chunks.push({ component: r.component, lines: [...r.lines] });
    }
    return { chunks, complete: rows.some((r) => r.done) };
  }
}
