import { io, type Socket } from 'socket.io-client';
import {
  Alert,
  AgentPresence,
  Installation,
  InstallationCommand,
  InstallationRemoved,
  InstallationStatus,
  RolloutProgress,
  SupportBundle,
  LiveLogFollowAck,
  LiveLogLines,
  ErrorAck,
  type LiveLogFollow,
  type LiveClientToServerEvents,
  type LiveServerToClientEvents,
} from '@flotilla/protocol';
import { z } from 'zod';


export type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** What the connection indicator shows; `offline` only after close(). */
export type LiveConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export const LIVE_NAMESPACE = '/live';

export interface LiveHandlers {
  onStatus(status: InstallationStatus): void;
  onPresence(presence: AgentPresence): void;
  /** A rollout moved (`rollout:progress`): its status, waves and the targets that changed. */
  onRolloutProgress?(progress: RolloutProgress): void;
  /** A command to an agent was created or changed status (`command:changed`). */
  onCommand?(command: InstallationCommand): void;
  /** An installation was created or changed: name, track, agent, lifecycle… (`installation:changed`, the REST shape). */
  onInstallation?(installation: Installation): void;
  /** An installation was deleted, at once or once its agent uninstalled it (`installation:removed`). */
  onInstallationRemoved?(removed: InstallationRemoved): void;
  /** Alerts fired or resolved (`alert:changed`, or several at once in `alert:changes`). */
  onAlerts?(alerts: Alert[]): void;
  /** A support bundle was asked for or changed status (`support-bundle:changed`). */
  onSupportBundle?(bundle: SupportBundle): void;
  onState(state: LiveConnectionState): void;
  /** A connection after the first one: events may have been missed meanwhile. */
  onReconnected?(): void;
  /** A payload the protocol schema rejected; it is dropped. */
  onInvalid?(event: string, issues: string): void;
}

export interface LiveClient {
  readonly socket: LiveSocket;
  close(): void;
}

interface LiveRoute<T> {
  /** What the payload must be (checked against the event's declared type below). */
  schema: z.ZodType<T>;
  /** Validates a payload and hands it to its handler; returns why it was dropped, if it was. */
  receive(handlers: LiveHandlers, payload: unknown): string | undefined;
}
const route = <T>(schema: z.ZodType<T>, deliver: (handlers: LiveHandlers, payload: T) => void): LiveRoute<T> => ({
  schema,
  receive(handlers, payload) {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return parsed.error.message;
    deliver(handlers, parsed.data);
    return undefined;
  },
});

/**
 * What the portal does with each live event: the schema its payload must pass, and the handler it
 * goes to. A batch (`…:statuses`, `…:presences`) reaches the same handler item by item. Every event
 * the protocol declares is here (a new one does not compile until routed), but a follow's log lines:
 * those belong to the follow that asked for them (`followLogs`).
 */
type LogFollowEvent = 'logs:lines';
const LIVE_EVENTS = {
  'installation:status': route(InstallationStatus, (h, status) => h.onStatus(status)),
  'installation:statuses': route(z.array(InstallationStatus), (h, all) => all.forEach((status) => h.onStatus(status))),
  'agent:presence': route(AgentPresence, (h, presence) => h.onPresence(presence)),
  'agent:presences': route(z.array(AgentPresence), (h, all) => all.forEach((presence) => h.onPresence(presence))),
  'alert:changed': route(Alert, (h, alert) => h.onAlerts?.([alert])),
  'alert:changes': route(z.array(Alert), (h, alerts) => h.onAlerts?.(alerts)),
  'support-bundle:changed': route(SupportBundle, (h, bundle) => h.onSupportBundle?.(bundle)),
  'command:changed': route(InstallationCommand, (h, command) => h.onCommand?.(command)),
  'installation:changed': route(Installation, (h, installation) => h.onInstallation?.(installation)),
  'installation:removed': route(InstallationRemoved, (h, removed) => h.onInstallationRemoved?.(removed)),
  'rollout:progress': route(RolloutProgress, (h, progress) => h.onRolloutProgress?.(progress)),
} satisfies { [E in Exclude<keyof LiveServerToClientEvents, LogFollowEvent>]: LiveRoute<Parameters<LiveServerToClientEvents[E]>[0]> };

/** Retry delays when socket.io gives up by itself (server-side disconnect or a refused handshake). */
const MANUAL_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

/**
 * Connects to the hub's `/live` namespace on the page's own origin over websocket only. The session
 * cookie goes along with the same-origin upgrade request; the hub joins the socket to the rooms the
 * user may see. Payloads are validated with the protocol's schemas before they reach a handler.
 */
export function connectLive(handlers: LiveHandlers, url: string = LIVE_NAMESPACE): LiveClient {
  const socket: LiveSocket = io(url, {
    transports: ['websocket'],
    withCredentials: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 30_000,
    randomizationFactor: 0.5,
  });

  let connectedBefore = false;
  let closed = false;
  let retries = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const retryLater = (): void => {
    if (closed || socket.active) return;
    const delay = MANUAL_RETRY_MS[Math.min(retries, MANUAL_RETRY_MS.length - 1)] ?? 60_000;
    retries++;
    retryTimer = setTimeout(() => {
      if (!closed) socket.connect();
    }, delay);
  };

  handlers.onState('connecting');

  socket.on('connect', () => {
    retries = 0;
    handlers.onState('live');
    if (connectedBefore) handlers.onReconnected?.();
    connectedBefore = true;
  });
  socket.on('disconnect', () => {
    if (closed) return;
    handlers.onState('reconnecting');
    retryLater();
  });
  socket.on('connect_error', () => {
    if (closed) return;
    handlers.onState('reconnecting');
    retryLater();
  });

  // Every event through its schema to its handler (the table below); a malformed payload is dropped.
  const untyped = socket as unknown as Socket;
  for (const [event, route] of Object.entries(LIVE_EVENTS)) {
    untyped.on(event, (payload: unknown) => {
      const dropped = route.receive(handlers, payload);
      if (dropped !== undefined) handlers.onInvalid?.(event, dropped);
    });
  }

  return {
    socket,
    close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
      handlers.onState('offline');
    },
  };
}

export interface LogFollowHandlers {
  onLines(chunk: LiveLogLines): void;
  /** The follow is over: the agent ended it (its reason), the hub refused it, or the connection dropped. */
  onEnded(reason: string): void;
}

export interface LogFollow {
  /** Stops following (tells the hub, which stops the agent). Idempotent. */
  stop(): void;
}

const FOLLOW_ACK_TIMEOUT_MS = 20_000;

/**
 * Follows one component's logs over the live connection: asks `logs:follow`, passes on the
 * `logs:lines` of that follow (validated), and ends when stopped, when the agent ends it, or when
 * the connection drops (the hub stops a follow whose client went away).
 */
export function followLogs(socket: LiveSocket, request: LiveLogFollow, handlers: LogFollowHandlers): LogFollow {
  let followId: string | undefined;
  let over = false;
  const end = (reason: string) => {
    if (over) return;
    over = true;
    socket.off('logs:lines', onLines);
    socket.off('disconnect', onDisconnect);
    handlers.onEnded(reason);
  };
  // The agent starts sending as soon as it accepted, so lines can arrive before the hub's answer
  // naming the follow: they wait here until it does.
  let early: LiveLogLines[] = [];
  const take = (chunk: LiveLogLines) => {
    if (over) return;
    handlers.onLines(chunk);
    if (chunk.end) end(chunk.end.reason);
  };
  const onLines = (payload: unknown) => {
    const parsed = LiveLogLines.safeParse(payload);
    if (!parsed.success) return;
    if (followId === undefined) early.push(parsed.data);
    else if (parsed.data.followId === followId) take(parsed.data);
  };
  const onDisconnect = () => end('the live connection was lost');
  socket.on('logs:lines', onLines);
  socket.on('disconnect', onDisconnect);
  socket
    .timeout(FOLLOW_ACK_TIMEOUT_MS)
    .emitWithAck('logs:follow', request)
    .then((response: unknown) => {
      const ok = LiveLogFollowAck.safeParse(response);
      if (!ok.success) {
        const refused = ErrorAck.safeParse(response);
        end(refused.success ? refused.data.error.message : 'the hub did not start the follow');
        return;
      }
      followId = ok.data.followId;
      // Stopped while the hub was starting it: stop it there too.
      if (over) socket.emit('logs:unfollow', { followId });
      for (const chunk of early) if (chunk.followId === followId) take(chunk);
      early = [];
    })
    .catch(() => end('the hub did not answer'));
  return {
    stop() {
      if (over) return;
      if (followId !== undefined) socket.emit('logs:unfollow', { followId });
      end('stopped');
    },
  };
}
