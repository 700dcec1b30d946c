import { AgentAuth, AgentHello, CommandProgress, LogsChunk, StatusReport, summarizeIssues } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AgentSessionService } from '../../domain/agents/agent-session-service.js';
import { socketError } from '../socket-error.js';
import { onValidated } from '../validated.js';
import { agentRoom } from '../notifier.js';
import type { AgentNamespace } from '../namespaces.js';

/**
 * The `/agent` namespace: handshake authentication (agent id + secret), one room per agent, and
 * the agent → hub events, each validated before it reaches the session service.
 */
export function registerAgentGateway(ns: AgentNamespace, sessions: AgentSessionService, hubNode: string, log: Logger): void {
  ns.use((socket, next) => {
    const parsed = AgentAuth.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      next(socketError(new AppError('UNAUTHORIZED', `Invalid agent handshake: ${summarizeIssues(parsed.error.issues)}`)));
      return;
    }
    sessions.authenticate(parsed.data, socket.handshake.address).then(
      (identity) => {
        socket.data = { identity, agentVersion: parsed.data.agentVersion };
        next();
      },
      (err: unknown) => {
        if (!(err instanceof AppError)) log.error({ err }, 'agent authentication failed');
        next(socketError(err instanceof AppError ? err : new AppError('INTERNAL', 'Internal error')));
      },
    );
  });

  ns.on('connection', (socket) => {
    const { identity, agentVersion } = socket.data;
    // Made on first use: a child logger per connection costs memory 10 000 idle agents do not need.
    let child: Logger | undefined;
    const agentLog = () => (child ??= log.child({ agentId: identity.agentId, installationId: identity.installationId }));
    const room = agentRoom(identity.agentId);
    // One connection per agent: a reconnect replaces a socket the hub has not noticed is dead yet.
    // A stale socket on this process is dropped at once; one on another process only when the
    // session table says there is one (a broadcast per connect would be thousands of Redis messages
    // in a reconnect storm). With the Redis adapter a broadcast is applied asynchronously (possibly
    // after the join below), so the new socket is excluded by its own id, not by ordering.
    ns.local.in(room).except(socket.id).disconnectSockets(true);
    void socket.join(room);

    // Handlers are registered at once (events sent right after connect must not be lost) and wait
    // for the session row before touching the database.
    const session = sessions.connected(identity, hubNode, socket.handshake.address, agentVersion).then(({ sessionId, otherNodes }) => {
      if (otherNodes.some((node) => node !== hubNode)) ns.in(room).except(socket.id).disconnectSockets(true);
      return sessionId;
    });
    session.catch((err: unknown) => agentLog().error({ err }, 'could not record agent session'));
    const after = <T>(fn: () => Promise<T>) => session.then(fn);

    onValidated(socket, 'agent:hello', AgentHello, (hello) => after(() => sessions.hello(identity, agentVersion, hello)), agentLog);
    onValidated(socket, 'status:report', StatusReport, (report) => after(() => sessions.report(identity, report)), agentLog);
    onValidated(socket, 'command:progress', CommandProgress, (p) => after(() => sessions.progress(identity, p)), agentLog);
    onValidated(socket, 'logs:chunk', LogsChunk, (chunk) => after(() => sessions.logs(identity, chunk)), agentLog);

    socket.on('disconnect', (reason) => {
      // A hub shutting down closes all of its sessions in one statement (app.close): 10 000 agents
      // must not cost 10 000 writes and live messages on the way out.
      if (reason === 'server shutting down') return;
      session
        .then((id) => sessions.disconnected(identity, id, hubNode, reason))
        .catch((err: unknown) => agentLog().error({ err }, 'could not close agent session'));
    });
    agentLog().debug('agent connected');
  });
}
