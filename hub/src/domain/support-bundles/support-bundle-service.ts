import { createHash } from 'node:crypto';
import type { BundleChunk, BundleEnd, BundleFailed, CreateSupportBundleBody, OkAck, SupportBundle, SupportBundleDetail, SupportBundleList, SupportBundlePolicy, UpdateSupportBundlePolicyBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Actor, Scope } from '../access/roles.js';
import type { AgentIdentity } from '../agents/agent-repository.js';
import type { InstallationService } from '../installations/installation-service.js';
import { Batcher, STORM_BATCHING } from '../shared/batcher.js';
import { isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import { DEFAULT_BUNDLE_LOG_LINES, type SupportBundleSettings } from './settings.js';
import { toSupportBundle, toSupportBundleDetail, type SupportBundleRow, type SupportBundleRepository } from './support-bundle-repository.js';

const OK: OkAck = { ok: true };

/** A ready archive to stream out. */
export interface BundleDownload {
  filename: string;
  bytes: number;
  body: AsyncIterable<Buffer>;
}

/**
 * Support bundles: asked for by the vendor or the customer's admins (approved first when the customer
 * requires it), collected by the installation's agent, which streams the archive back in chunks
 * stored here in order within the size limit. A bundle fails clearly when its agent refuses, goes
 * offline or silent, or sends too much; bundles are deleted after the retention period.
 */
export class SupportBundleService {
  constructor(
    private readonly repo: SupportBundleRepository,
    private readonly installations: Pick<InstallationService, 'row'>,
    private readonly notifier: Notifier,
    private readonly settings: SupportBundleSettings,
    private readonly log: Logger,
  ) {}

  /**
   * Disconnects checked in batches: nearly every agent that drops (10 000 in a restart's storm) has
   * no bundle in collection, and a statement each would take the pool from the agents coming back.
   */
  private readonly disconnects = new Batcher<string, void>(async (installationIds) => {
    const collecting = await this.repo.collectingOf([...new Set(installationIds)]);
    for (const row of collecting) await this.fail(row.id, 'The agent disconnected while collecting the bundle; ask again once it is back', row.installation_id);
    return installationIds.map(() => undefined);
  }, STORM_BATCHING);

  async request(actor: Actor, installationId: string, body: CreateSupportBundleBody): Promise<SupportBundle> {
    const installation = await this.installations.row(actor, installationId);
    if (installation.agent_id === null) throw new AppError('CONFLICT', `Installation "${installation.name}" has no agent yet: connect one first`);
    if (installation.lifecycle === 'uninstalling') throw new AppError('CONFLICT', `Installation "${installation.name}" is being uninstalled`);
    // The customer's own admins are the approvers: only the vendor's requests wait for them.
    const byCustomer = actor.customerId !== null;
    const needsApproval = !byCustomer && (await this.repo.policy(actor.vendorId, installation.customer_id)) === true;
    const row = await this.repo.create({
      vendorId: actor.vendorId,
      customerId: installation.customer_id,
      installationId,
      status: needsApproval ? 'awaiting-approval' : 'collecting',
      logLines: body.logLines ?? DEFAULT_BUNDLE_LOG_LINES,
      requestedBy: actor.userId,
      requestedByCustomer: byCustomer,
    });
    this.changed(row);
    if (row.status === 'collecting') this.dispatch(row, installation.agent_id);
    return this.view(row);
  }

  async list(scope: Scope, installationId: string): Promise<SupportBundleList> {
    await this.installations.row(scope, installationId);
    return { items: (await this.repo.list(scope.vendorId, installationId)).map((r) => this.view(r)) };
  }

  async get(scope: Scope, id: string): Promise<SupportBundleDetail> {
    return toSupportBundleDetail(await this.row(scope, id), this.settings.retentionMs);
  }

  async download(scope: Scope, id: string): Promise<BundleDownload> {
    const row = await this.row(scope, id);
    if (row.status !== 'ready') throw new AppError('CONFLICT', `The support bundle is ${row.status}; only a ready bundle can be downloaded`);
    const installation = await this.installations.row(scope, row.installation_id);
    const slug = installation.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'installation';
    const stamp = row.created_at.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
    return { filename: `support-bundle-${slug}-${stamp}.tar.gz`, bytes: Number(row.bytes), body: this.repo.chunks(row.id) };
  }

  async approve(actor: Actor, id: string): Promise<SupportBundle> {
    const row = await this.decide(actor, id, 'collecting', null);
    const installation = await this.installations.row(actor, row.installation_id);
    if (installation.agent_id === null) {
      return this.view((await this.fail(row.id, 'The installation has no agent to collect the bundle')) ?? row);
    }
    this.dispatch(row, installation.agent_id);
    return this.view(row);
  }

  async reject(actor: Actor, id: string, reason: string | undefined): Promise<SupportBundle> {
    return this.view(await this.decide(actor, id, 'rejected', reason?.trim() ? `Rejected: ${reason.trim()}` : 'Rejected by the customer'));
  }

  async policy(scope: Scope, customerId: string): Promise<SupportBundlePolicy> {
    if (!isUuid(customerId) || (scope.customerId !== null && scope.customerId !== customerId)) throw new AppError('NOT_FOUND', 'Customer not found');
    const requireApproval = await this.repo.policy(scope.vendorId, customerId);
    if (requireApproval === undefined) throw new AppError('NOT_FOUND', 'Customer not found');
    return { customerId, requireApproval };
  }

  async setPolicy(actor: Actor, customerId: string, body: UpdateSupportBundlePolicyBody): Promise<SupportBundlePolicy> {
    await this.policy(actor, customerId); // another tenant's customer is NOT_FOUND before any FORBIDDEN
    if (actor.customerId === null) throw new AppError('FORBIDDEN', "Only the customer's admins decide whether support bundles need their approval");
    if (!(await this.repo.setPolicy(actor.vendorId, customerId, body.requireApproval))) throw new AppError('NOT_FOUND', 'Customer not found');
    return { customerId, requireApproval: body.requireApproval };
  }

  // ---- the agent's side ---------------------------------------------------------------------------

  /** The archive's next chunk; an error ack stops the agent (the bundle is gone, failed, or too large). */
  async chunk(identity: AgentIdentity, chunk: BundleChunk): Promise<OkAck> {
    if (!isUuid(chunk.bundleId)) throw new AppError('NOT_FOUND', 'No such support bundle');
    const data = Buffer.from(chunk.data, 'base64');
    const result = await this.repo.appendChunk(identity.installationId, chunk.bundleId, chunk.seq, data, this.settings.maxBytes);
    if (result.stored || result.why === 'duplicate') return OK;
    if (result.why === 'gone') throw new AppError('NOT_FOUND', 'The support bundle is no longer being collected');
    if (result.why === 'out-of-order') {
      await this.fail(chunk.bundleId, `The agent sent chunk ${chunk.seq} out of order`, identity.installationId);
      throw new AppError('CONFLICT', 'Chunk out of order: the bundle failed');
    }
    const limit = this.settings.maxBytes;
    await this.fail(chunk.bundleId, `The bundle exceeds the hub's size limit of ${limit} bytes (SUPPORT_BUNDLE_MAX_BYTES); ask for fewer log lines`, identity.installationId);
    throw new AppError('PAYLOAD_TOO_LARGE', `The bundle exceeds the hub's size limit of ${limit} bytes`);
  }

  /** The last chunk was sent: the stored archive must be what the agent made (size and digest). */
  async end(identity: AgentIdentity, end: BundleEnd): Promise<OkAck> {
    if (!isUuid(end.bundleId)) throw new AppError('NOT_FOUND', 'No such support bundle');
    const row = (await this.repo.collectingOf([identity.installationId])).find((r) => r.id === end.bundleId);
    if (!row) throw new AppError('NOT_FOUND', 'The support bundle is no longer being collected');
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const data of this.repo.chunks(row.id)) {
      hash.update(data);
      bytes += data.length;
    }
    const digest = hash.digest('hex');
    if (bytes !== end.bytes || row.chunks !== end.chunks || digest !== end.sha256) {
      await this.fail(row.id, `The archive arrived incomplete or damaged (${bytes} of ${end.bytes} bytes, ${row.chunks} of ${end.chunks} chunks, digest ${digest === end.sha256 ? 'matches' : 'differs'})`, identity.installationId);
      throw new AppError('CONFLICT', 'The stored archive does not match: the bundle failed');
    }
    const done = await this.repo.complete(identity.installationId, row.id, digest, end.manifest);
    if (done) this.changed(done);
    return OK;
  }

  async failed(identity: AgentIdentity, failure: BundleFailed): Promise<OkAck> {
    if (isUuid(failure.bundleId)) await this.fail(failure.bundleId, `The agent could not collect the bundle: ${failure.message}`, identity.installationId);
    return OK;
  }

  /** The agent's connection dropped: what it was collecting cannot arrive any more. */
  agentDisconnected(installationId: string): Promise<void> {
    return this.disconnects.submit(installationId);
  }

  /** Fails bundles whose agent went silent and deletes those past retention (every minute). */
  async housekeeping(now = new Date()): Promise<{ timedOut: number; deleted: number }> {
    const minutes = Math.round((this.settings.timeoutMs / 60_000) * 100) / 100;
    const silent = await this.repo.silentSince(new Date(now.getTime() - this.settings.timeoutMs));
    let timedOut = 0;
    for (const row of silent) if (await this.fail(row.id, `The agent sent nothing for ${minutes} minutes (SUPPORT_BUNDLE_TIMEOUT_MINUTES)`)) timedOut++;
    const deleted = await this.repo.deleteOlderThan(new Date(now.getTime() - this.settings.retentionMs));
    if (timedOut > 0 || deleted > 0) this.log.info({ timedOut, deleted }, 'support bundle housekeeping');
    return { timedOut, deleted };
  }

  // ---- internals -----------------------------------------------------------------------------------

  private async row(scope: Scope, id: string): Promise<SupportBundleRow> {
    const row = isUuid(id) ? await this.repo.get(scope, id) : undefined;
    if (!row) throw new AppError('NOT_FOUND', 'Support bundle not found');
    return row;
  }

  private async decide(actor: Actor, id: string, to: 'collecting' | 'rejected', message: string | null): Promise<SupportBundleRow> {
    const current = await this.row(actor, id);
    if (actor.customerId === null) throw new AppError('FORBIDDEN', "Only the customer's admins approve or reject support bundles");
    const row = await this.repo.decide(actor, current.id, to, actor.userId, message);
    if (!row) throw new AppError('CONFLICT', `The support bundle is ${current.status}, not awaiting approval`);
    this.changed(row);
    return row;
  }

  /** Asks the agent to collect; a refusal or no answer fails the bundle with the reason. */
  private dispatch(row: SupportBundleRow, agentId: string): void {
    const request = { bundleId: row.id, logLines: row.log_lines, redactPatterns: this.settings.redactPatterns, maxBytes: this.settings.maxBytes };
    this.notifier
      .collectSupportBundle(agentId, request)
      .then(async (ack) => {
        if (ack === null) await this.fail(row.id, 'The agent is offline or did not answer; ask again once it is connected');
        else if (!ack.accepted) await this.fail(row.id, `The agent refused: ${ack.reason ?? 'no reason given'}`);
      })
      .catch((err: unknown) => this.log.error({ err, bundleId: row.id }, 'could not ask the agent for a support bundle'));
  }

  private async fail(id: string, message: string, installationId?: string): Promise<SupportBundleRow | undefined> {
    const row = await this.repo.fail(id, message, installationId);
    if (row) {
      this.log.info({ bundleId: id, installationId: row.installation_id, message }, 'support bundle failed');
      this.changed(row);
    }
    return row;
  }

  private changed(row: SupportBundleRow): void {
    this.notifier.supportBundleChanged({ vendorId: row.vendor_id, customerId: row.customer_id }, this.view(row));
  }

  private view(row: SupportBundleRow): SupportBundle {
    return toSupportBundle(row, this.settings.retentionMs);
  }
}
