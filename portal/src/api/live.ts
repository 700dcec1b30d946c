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

const InstallationStatusList = z.array(InstallationStatus);
const AgentPresenceList = z.array(AgentPresence);
const AlertList = z.array(Alert);

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

  socket.on('installation:status', (payload) => {
    const parsed = InstallationStatus.safeParse(payload);
    if (parsed.success) handlers.onStatus(parsed.data);
    else handlers.onInvalid?.('installation:status', parsed.error.message);
  });
  socket.on('installation:statuses', (payload) => {
    const parsed = InstallationStatusList.safeParse(payload);
    if (parsed.success) for (const status of parsed.data) handlers.onStatus(status);
    else handlers.onInvalid?.('installation:statuses', parsed.error.message);
  });
  socket.on('agent:presence', (payload) => {
    const parsed = AgentPresence.safeParse(payload);
    if (parsed.success) handlers.onPresence(parsed.data);
    else handlers.onInvalid?.('agent:presence', parsed.error.message);
  });
  socket.on('agent:presences', (payload) => {
    const parsed = AgentPresenceList.safeParse(payload);
    if (parsed.success) for (const presence of parsed.data) handlers.onPresence(presence);
    else handlers.onInvalid?.('agent:presences', parsed.error.message);
  });
  socket.on('alert:changed', (payload) => {
    const parsed = Alert.safeParse(payload);
    if (parsed.success) handlers.onAlerts?.([parsed.data]);
    else handlers.onInvalid?.('alert:changed', parsed.error.message);
  });
  socket.on('alert:changes', (payload) => {
    const parsed = AlertList.safeParse(payload);
    if (parsed.success) handlers.onAlerts?.(parsed.data);
    else handlers.onInvalid?.('alert:changes', parsed.error.message);
  });
  socket.on('support-bundle:changed', (payload) => {
    const parsed = SupportBundle.safeParse(payload);
    if (parsed.success) handlers.onSupportBundle?.(parsed.data);
    else handlers.onInvalid?.('support-bundle:changed', parsed.error.message);
  });
  socket.on('command:changed', (payload) => {
    const parsed = InstallationCommand.safeParse(payload);
    if (parsed.success) handlers.onCommand?.(parsed.data);
    else handlers.onInvalid?.('command:changed', parsed.error.message);
  });
  socket.on('installation:changed', (payload) => {
    const parsed = Installation.safeParse(payload);
    if (parsed.success) handlers.onInstallation?.(parsed.data);
    else handlers.onInvalid?.('installation:changed', parsed.error.message);
  });
  socket.on('installation:removed', (payload) => {
    const parsed = InstallationRemoved.safeParse(payload);
    if (parsed.success) handlers.onInstallationRemoved?.(parsed.data);
    else handlers.onInvalid?.('installation:removed', parsed.error.message);
  });
  socket.on('rollout:progress', (payload) => {
    const parsed = RolloutProgress.safeParse(payload);
    if (parsed.success) handlers.onRolloutProgress?.(parsed.data);
    else handlers.onInvalid?.('rollout:progress', parsed.error.message);
  });

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
