/**
 * One live socket per agent: the socket of the agent's newest session wins, and every hub process
 * drops the older sockets it holds as soon as it learns of a newer session, whether it learns it
 * from its own handshakes or from another process.
 *
 * Session ids come from one PostgreSQL sequence, and the sessions of one agent are opened one at a
 * time (AgentRepository.openSessions locks the agent), so a higher id is a later session. A socket
 * is reserved before its session is opened: news of a newer session that arrives while the open is
 * in flight (its reply still on the wire) is kept on the reservation and applied when it completes.
 */
export interface Droppable {
  disconnect(close: boolean): unknown;
}

export interface AgentSocketTicket<S extends Droppable> {
  /** The session is open: false when a newer one is already known (refuse the socket). Drops older local sockets. */
  opened(sessionId: number): boolean;
  /** The socket is connected: false when a newer session came meanwhile (it was not kept). */
  attach(socket: S): boolean;
  /** The socket is gone (or never came). */
  release(): void;
}

interface Entry<S> {
  sessionId: number | undefined;
  /** The newest session of the agent heard of while this one was unknown or not yet attached. */
  newerSeen: number;
  socket: S | undefined;
}

export class AgentSockets<S extends Droppable> {
  private readonly byAgent = new Map<string, Set<Entry<S>>>();

  reserve(agentId: string): AgentSocketTicket<S> {
    const entry: Entry<S> = { sessionId: undefined, newerSeen: 0, socket: undefined };
    const entries = this.byAgent.get(agentId) ?? new Set();
    entries.add(entry);
    this.byAgent.set(agentId, entries);
    const superseded = () => entry.sessionId === undefined || entry.newerSeen > entry.sessionId;
    return {
      opened: (sessionId) => {
        entry.sessionId = sessionId;
        if (superseded()) return false;
        this.replaced(agentId, sessionId);
        return true;
      },
      attach: (socket) => {
        if (superseded()) return false;
        entry.socket = socket;
        return true;
      },
      release: () => {
        entries.delete(entry);
        if (entries.size === 0 && this.byAgent.get(agentId) === entries) this.byAgent.delete(agentId);
      },
    };
  }

  /** A session of the agent opened (here or elsewhere): every older socket of it here is dropped. */
  replaced(agentId: string, sessionId: number): void {
    for (const entry of this.byAgent.get(agentId) ?? []) {
      if (entry.sessionId === sessionId) continue;
      if (entry.sessionId !== undefined && entry.sessionId > sessionId) continue;
      entry.newerSeen = Math.max(entry.newerSeen, sessionId);
      if (entry.socket) {
        const socket = entry.socket;
        entry.socket = undefined;
        socket.disconnect(true);
      }
    }
  }

  /** Agents with a reservation or a socket here (for tests and metrics). */
  get size(): number {
    return this.byAgent.size;
  }
}
