import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { BUNDLE_CHUNK_BYTES, BundleCollect, ErrorAck, OkAck, summarizeIssues, type BundleManifest, type CommandAck } from '@flotilla/protocol';
import { z } from 'zod';
import type { AgentSocket } from '../connection.js';
import type { Logger } from '../logger.js';
import { buildBundleFiles } from './bundle-files.js';
import { collectBundle, type BundleSources } from './collect.js';
import { packBundle } from './pack.js';
import { Redactor, secretValuesOf } from './redact.js';

export interface SupportBundlesOptions {
  logger: Logger;
  /** What to collect from, read when a bundle starts (null before the agent started). */
  sources(): BundleSources | null;
  ackTimeoutMs: number;
  /** Where archives are staged (default: the OS temporary folder). */
  tmpDir?: string;
}

const ChunkReply = z.union([OkAck, ErrorAck]);
/** Sends of one chunk before giving up (an unacknowledged chunk is sent again; the hub ignores a duplicate). */
const CHUNK_ATTEMPTS = 3;

/** Stops a bundle without telling the hub (it already knows: it refused a chunk, or the socket is gone). */
class Stopped extends Error {}

/**
 * Support bundles the hub asks for: collected, redacted and packed here, then streamed on the socket
 * that asked, one acknowledged chunk at a time (the hub stores each before the next is read). A lost
 * socket stops the bundle (the hub fails it); a failure is reported with `bundle:failed`.
 */
export class SupportBundles {
  private readonly active = new Set<string>();

  constructor(private readonly opts: SupportBundlesOptions) {}

  attach(socket: AgentSocket): void {
    socket.on('bundle:collect', (payload: unknown, ack: unknown) => {
      const reply = (response: CommandAck) => {
        if (typeof ack === 'function') ack(response);
      };
      const parsed = BundleCollect.safeParse(payload);
      if (!parsed.success) {
        this.opts.logger.warn({ event: 'bundle:collect', issues: summarizeIssues(parsed.error.issues) }, 'ignoring invalid payload from hub');
        reply({ accepted: false, reason: `invalid payload: ${summarizeIssues(parsed.error.issues)}` });
        return;
      }
      const request = parsed.data;
      if (this.active.has(request.bundleId)) return reply({ accepted: true });
      const sources = this.opts.sources();
      if (sources === null) return reply({ accepted: false, reason: 'the agent is still starting' });
      this.active.add(request.bundleId);
      reply({ accepted: true });
      void this.run(request, sources, socket).finally(() => this.active.delete(request.bundleId));
    });
  }

  get size(): number {
    return this.active.size;
  }

  private async run(request: BundleCollect, sources: BundleSources, socket: AgentSocket): Promise<void> {
    const { logger } = this.opts;
    const started = Date.now();
    logger.info({ bundleId: request.bundleId, logLines: request.logLines }, 'collecting a support bundle');
    let packed: Awaited<ReturnType<typeof packBundle>> | undefined;
    try {
      const redactor = new Redactor(request.redactPatterns, []);
      const withSecrets = new Redactor(request.redactPatterns, secretValuesOf(sources.state.components, redactor));
      const { files: raw, problems } = await collectBundle(sources, request.logLines);
      const { files, manifest } = buildBundleFiles(raw, withSecrets, {
        bundleId: request.bundleId,
        installationId: sources.state.installationId,
        createdAt: new Date().toISOString(),
        agentKind: sources.driver.kind,
        agentVersion: sources.agentVersion,
        logLines: request.logLines,
        redactPatterns: request.redactPatterns,
        problems,
      });
      packed = await packBundle(files, `support-bundle-${request.bundleId.slice(0, 8)}`, this.opts.tmpDir);
      const sent = await this.stream(packed.file, request, socket);
      await this.end(socket, { bundleId: request.bundleId, ...sent, manifest });
      logger.info({ bundleId: request.bundleId, bytes: sent.bytes, chunks: sent.chunks, ms: Date.now() - started }, 'support bundle sent');
    } catch (err) {
      if (err instanceof Stopped) {
        logger.warn({ bundleId: request.bundleId, reason: err.message }, 'support bundle stopped');
        return;
      }
      const text = err instanceof Error ? err.message : String(err);
      logger.warn({ bundleId: request.bundleId, err: text }, 'support bundle failed');
      if (socket.connected) socket.timeout(this.opts.ackTimeoutMs).emit('bundle:failed', { bundleId: request.bundleId, message: text.slice(0, 2000) }, () => undefined);
    } finally {
      await packed?.dispose();
    }
  }

  /** Reads the archive chunk by chunk, hashing it, each chunk sent once the previous one was stored. */
  private async stream(file: string, request: BundleCollect, socket: AgentSocket): Promise<{ sha256: string; bytes: number; chunks: number }> {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > request.maxBytes) throw new Error(`the bundle is ${size} bytes, over the hub's limit of ${request.maxBytes} bytes; ask for fewer log lines`);
      const hash = createHash('sha256');
      const buffer = Buffer.alloc(BUNDLE_CHUNK_BYTES);
      let seq = 0;
      let bytes = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, BUNDLE_CHUNK_BYTES, bytes);
        if (bytesRead === 0) break;
        const data = buffer.subarray(0, bytesRead);
        hash.update(data);
        await this.sendChunk(socket, { bundleId: request.bundleId, seq, data: data.toString('base64') });
        bytes += bytesRead;
        seq++;
      }
      return { sha256: hash.digest('hex'), bytes, chunks: seq };
    } finally {
      await handle.close();
    }
  }

  private async sendChunk(socket: AgentSocket, chunk: { bundleId: string; seq: number; data: string }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (!socket.connected) throw new Stopped('the connection to the hub was lost');
      let raw: unknown;
      try {
        raw = await socket.timeout(this.opts.ackTimeoutMs).emitWithAck('bundle:chunk', chunk);
      } catch {
        if (attempt >= CHUNK_ATTEMPTS) throw new Error(`the hub did not acknowledge chunk ${chunk.seq}`);
        continue;
      }
      const reply = ChunkReply.safeParse(raw);
      if (reply.success && 'ok' in reply.data) return;
      throw new Stopped(reply.success && 'error' in reply.data ? `the hub refused chunk ${chunk.seq}: ${reply.data.error.message}` : `unexpected answer to chunk ${chunk.seq}`);
    }
  }

  private async end(socket: AgentSocket, end: { bundleId: string; sha256: string; bytes: number; chunks: number; manifest: BundleManifest }): Promise<void> {
    if (!socket.connected) throw new Stopped('the connection to the hub was lost');
    const reply = ChunkReply.safeParse(await socket.timeout(this.opts.ackTimeoutMs).emitWithAck('bundle:end', end));
    if (reply.success && 'error' in reply.data) throw new Stopped(`the hub refused the bundle: ${reply.data.error.message}`);
  }
}
