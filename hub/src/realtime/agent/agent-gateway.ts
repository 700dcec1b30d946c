import { AgentAuth, AgentHello, BundleChunk, BundleEnd, BundleFailed, CommandProgress, LogsChunk, LogStreamChunk, StatusReport, summarizeIssues, type OkAck } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AgentSessionService } from '../../domain/agents/agent-session-service.js';
import type { AgentIdentity } from '../../domain/agents/agent-repository.js';
import { socketError } from '../socket-error.js';
import { handshakeAddress } from '../client-address.js';
import { onValidatedEvents, validatedEvent, type ValidatedEvent } from '../validated.js';
import { agentRoom } from '../notifier.js';
import type { AgentNamespace, AgentSocket } from '../namespaces.js';
import { AgentSockets, type AgentSocketTicket } from './agent-sockets.js';
import type { HandshakeStage } from '../../infra/metrics.js';

/** Where the support bundle events of agents go (SupportBundleService). */
export interface AgentBundleEvents {
  chunk(identity: AgentIdentity, chunk: BundleChunk): Promise<OkAck>;
  end(identity: AgentIdentity, end: BundleEnd): Promise<OkAck>;
  failed(identity: AgentIdentity, failure: BundleFailed): Promise<OkAck>;
  /** The agent's connection dropped: bundles it was collecting cannot arrive. */
  agentDisconnected(installationId: string): Promise<void>;
}

interface Handshake {
  ticket: AgentSocketTicket<AgentSocket>;
  /** Closes the session of a connection that ends before it completes (it never emits 'disconnect'). */
  onEarlyClose(): void;
}

/**
 * The `/agent` namespace: handshake authentication (agent id + secret) and session, one room per
 * agent, one live socket per agent, and the agent → hub events, each validated before it reaches
 * the session service. `clustered`: other hub processes share this namespace through the adapter.
 */
export function registerAgentGateway(
  ns: AgentNamespace,
  sessions: AgentSessionService,
  hubNode: string,
  log: Logger,
  clustered: boolean,
  trustProxy: boolean,
  /** Passes a live log follow's chunk on to its clients; the answer is the agent's ack. */
  relayLogStream: (identity: AgentIdentity, chunk: LogStreamChunk) => OkAck,
  bundles?: AgentBundleEvents,
  /** Told how long each stage of a handshake that succeeded took (metrics). */
  onStage: (stage: HandshakeStage, seconds: number) => void = () => undefined,
): void {
  const since = (start: number) => (performance.now() - start) / 1000;
  // Agent → hub events, behind their schemas; each gets the connection's socket.data.
  const events = new Map<string, ValidatedEvent<AgentSocket['data']>>([
    [
      'agent:hello',
      validatedEvent(AgentHello, async ({ identity, agentVersion }, hello) => {
        const started = performance.now();
        const ack = await sessions.hello(identity, agentVersion, hello);
        onStage('hello', since(started));
        return ack;
      }),
    ],
    ['status:report', validatedEvent(StatusReport, ({ identity }, report) => sessions.report(identity, report))],
    ['command:progress', validatedEvent(CommandProgress, ({ identity }, progress) => sessions.progress(identity, progress))],
    ['logs:chunk', validatedEvent(LogsChunk, ({ identity }, chunk) => sessions.logs(identity, chunk))],
    ['logs:stream', validatedEvent(LogStreamChunk, ({ identity }, chunk) => relayLogStream(identity, chunk))],
  ]);
  if (bundles) {
    events.set('bundle:chunk', validatedEvent(BundleChunk, ({ identity }, chunk) => bundles.chunk(identity, chunk)));
    events.set('bundle:end', validatedEvent(BundleEnd, ({ identity }, end) => bundles.end(identity, end)));
    events.set('bundle:failed', validatedEvent(BundleFailed, ({ identity }, failure) => bundles.failed(identity, failure)));
  }
  // One connection per agent: a reconnect replaces a socket the hub has not noticed is dead yet.
  // The session is opened during the handshake, so an agent that connects again (it heard the
  // first connect) always opens a later session; the process holding an older socket drops it as
  // soon as it hears of the newer session: from its own handshake, or from the process that opened
  // it, which tells the others only when the session table showed it a session elsewhere (a
  // broadcast per connect would be thousands of Redis messages in a reconnect storm).
  const live = new AgentSockets<AgentSocket>();
  ns.on('agent:replaced', (agentId, sessionId) => live.replaced(agentId, sessionId));
  const handshakes = new WeakMap<AgentSocket, Handshake>();

  const openSession = async (socket: AgentSocket, identity: AgentIdentity, agentVersion: string): Promise<number> => {
    // Gone while it was authenticated: socket.io will not connect it, so no session is opened.
    if (socket.conn.readyState !== 'open') throw new AppError('UNAUTHORIZED', 'Connection closed during the handshake');
    const ticket = live.reserve(identity.agentId);
    const opened = sessions.connected(identity, hubNode, handshakeAddress(socket.handshake, trustProxy), agentVersion);
    const close = (reason: string) =>
      void opened.then(({ sessionId }) => sessions.disconnected(identity, sessionId, hubNode, reason)).catch((err: unknown) => log.error({ err, agentId: identity.agentId }, 'could not close agent session'));
    const onEarlyClose = () => {
      ticket.release();
      close('connection closed during handshake');
    };
    socket.conn.once('close', onEarlyClose);
    const refuse = () => {
      socket.conn.off('close', onEarlyClose);
      ticket.release();
    };
    let session: Awaited<typeof opened>;
    try {
      session = await opened;
    } catch (err) {
      refuse();
      throw err;
    }
    if (!ticket.opened(session.sessionId)) {
      refuse();
      close('replaced by a newer connection');
      throw new AppError('CONFLICT', 'A newer connection of this agent replaced this one');
    }
    if (clustered && session.otherNodes.some((node) => node !== hubNode)) ns.serverSideEmit('agent:replaced', identity.agentId, session.sessionId);
    handshakes.set(socket, { ticket, onEarlyClose });
    return session.sessionId;
  };

  ns.use((socket, next) => {
    const parsed = AgentAuth.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      next(socketError(new AppError('UNAUTHORIZED', `Invalid agent handshake: ${summarizeIssues(parsed.error.issues)}`)));
      return;
    }
    const started = performance.now();
    sessions
      .authenticate(parsed.data, handshakeAddress(socket.handshake, trustProxy))
      .then(async (identity) => {
        onStage('authenticate', since(started));
        const authenticated = performance.now();
        const sessionId = await openSession(socket, identity, parsed.data.agentVersion);
        onStage('session', since(authenticated));
        socket.data = { identity, agentVersion: parsed.data.agentVersion, sessionId };
        next();
      })
      .catch((err: unknown) => {
        if (!(err instanceof AppError)) log.error({ err }, 'agent handshake failed');
        next(socketError(err instanceof AppError ? err : new AppError('INTERNAL', 'Internal error')));
      });
  });

  ns.on('connection', (socket) => {
    const { identity, sessionId } = socket.data;
    // Made on first use: a child logger per connection costs memory 10 000 idle agents do not need.
    let child: Logger | undefined;
    const agentLog = () => (child ??= log.child({ agentId: identity.agentId, installationId: identity.installationId }));
    const handshake = handshakes.get(socket);
    handshakes.delete(socket);
    if (handshake) socket.conn.off('close', handshake.onEarlyClose);
    void socket.join(agentRoom(identity.agentId));

    // One listener for all of them: per-event listeners and closures would be kept for every socket.
    onValidatedEvents(socket, events, socket.data, agentLog);

    socket.on('disconnect', (reason) => {
      handshake?.ticket.release();
      // A hub shutting down closes all of its sessions in one statement (app.close): 10 000 agents
      // must not cost 10 000 writes and live messages on the way out.
      if (reason === 'server shutting down') return;
      sessions.disconnected(identity, sessionId, hubNode, reason).catch((err: unknown) => agentLog().error({ err }, 'could not close agent session'));
      bundles?.agentDisconnected(identity.installationId).catch((err: unknown) => agentLog().error({ err }, 'could not fail the support bundles of a disconnected agent'));
    });
    // A newer session of the agent opened while this socket was connecting: it is not kept.
    if (!handshake?.ticket.attach(socket)) socket.disconnect(true);
    // Only when debug is on: building the child logger for an idle agent is what agentLog avoids.
    else if (log.isLevelEnabled('debug')) agentLog().debug('agent connected');
  });
}
