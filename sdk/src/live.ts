import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  Alert,
  AgentPresence,
  Installation,
  InstallationCommand,
  InstallationRemoved,
  InstallationStatus,
  LiveLogLines,
  RolloutProgress,
  SupportBundle,
  type LiveClientToServerEvents,
  type LiveServerToClientEvents,
} from '@flotilla/protocol';
import type { FlotillaClient } from './client.js';

/** Each `/live` event's schema: payloads are checked before a handler sees them. */
const LIVE_SCHEMAS = {
  'installation:status': InstallationStatus,
  'installation:statuses': z.array(InstallationStatus),
  'agent:presence': AgentPresence,
  'agent:presences': z.array(AgentPresence),
  'rollout:progress': RolloutProgress,
  'command:changed': InstallationCommand,
  'installation:changed': Installation,
  'installation:removed': InstallationRemoved,
  'alert:changed': Alert,
  'alert:changes': z.array(Alert),
  'logs:lines': LiveLogLines,
  'support-bundle:changed': SupportBundle,
} as const satisfies Record<keyof LiveServerToClientEvents, z.ZodType>;

export type LiveEventName = keyof LiveServerToClientEvents;
export type LivePayload<E extends LiveEventName> = Parameters<LiveServerToClientEvents[E]>[0];
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LiveOptions {
  /** Reconnection delays (socket.io's exponential backoff with jitter). */
  reconnectionDelayMs?: number;
  reconnectionDelayMaxMs?: number;
}

/** A gap: the connection was lost and is back; events sent meanwhile were missed. */
export interface LiveGap {
  disconnectedAt: Date;
  reconnectedAt: Date;
}

/**
 * Typed client of the hub's `/live` namespace (Node and browsers), authenticated like the REST
 * client it is made from (token, or session cookie). It reconnects by itself, also after the hub
 * refused or dropped it, and reports each gap so that followers can catch up from REST
 * (`followRollout` does, from the rollout's persisted timeline).
 */
export class LiveClient {
  readonly socket: Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
  private readonly gapHandlers = new Set<(gap: LiveGap) => void>();
  private readonly stateHandlers = new Set<(state: LiveState, reason?: string) => void>();
  private readonly invalidHandlers = new Set<(event: string, message: string) => void>();
  private disconnectedAt: Date | undefined;
  private connectedOnce = false;
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly ready: Promise<void>;

  constructor(client: FlotillaClient, opts: LiveOptions = {}) {
    const { auth, headers } = client.liveAuth();
    this.socket = io(`${client.url}/live`, {
      transports: ['websocket'],
      withCredentials: true,
      reconnectionDelay: opts.reconnectionDelayMs ?? 1_000,
      reconnectionDelayMax: opts.reconnectionDelayMaxMs ?? 30_000,
      randomizationFactor: 0.5,
      ...(auth ? { auth } : {}),
      ...(headers ? { extraHeaders: headers } : {}),
    });
    this.ready = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('connect', () => {
      this.emitState('live');
      const since = this.disconnectedAt;
      this.disconnectedAt = undefined;
      if (this.connectedOnce && since) for (const h of this.gapHandlers) h({ disconnectedAt: since, reconnectedAt: new Date() });
      this.connectedOnce = true;
    });
    this.socket.on('disconnect', (reason) => this.lost(reason));
    this.socket.on('connect_error', (err) => this.lost(err.message));
    this.emitState('connecting');
  }

  /** Resolves once connected the first time. */
  connected(): Promise<void> {
    return this.ready;
  }

  /** Subscribes to one event, its payload validated; returns the unsubscribe function. */
  on<E extends LiveEventName>(event: E, handler: (payload: LivePayload<E>) => void): () => void {
    const schema: z.ZodType = LIVE_SCHEMAS[event];
    const listener = (payload: unknown) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) handler(parsed.data as LivePayload<E>);
      else for (const h of this.invalidHandlers) h(event, parsed.error.message);
    };
    // Untyped on purpose: the payload is unknown until its schema has checked it.
    const s = this.socket as unknown as { on(e: string, l: (p: unknown) => void): void; off(e: string, l: (p: unknown) => void): void };
    s.on(event, listener);
    return () => void s.off(event, listener);
  }

  /** Called after every reconnection: what happened meanwhile must be read from REST. */
  onGap(handler: (gap: LiveGap) => void): () => void {
    this.gapHandlers.add(handler);
    return () => void this.gapHandlers.delete(handler);
  }

  onState(handler: (state: LiveState, reason?: string) => void): () => void {
    this.stateHandlers.add(handler);
    return () => void this.stateHandlers.delete(handler);
  }

  /** A payload its schema refused (it is dropped). */
  onInvalid(handler: (event: string, message: string) => void): () => void {
    this.invalidHandlers.add(handler);
    return () => void this.invalidHandlers.delete(handler);
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.emitState('closed');
  }

  private lost(reason: string): void {
    if (this.closed) return;
    this.disconnectedAt ??= new Date();
    this.emitState('reconnecting', reason);
    // socket.io retries by itself except after a server-side disconnect or a refused handshake.
    if (!this.socket.active && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        if (!this.closed) this.socket.connect();
      }, 2_000);
    }
  }

  private emitState(state: LiveState, reason?: string): void {
    for (const h of this.stateHandlers) h(state, reason);
  }
}
