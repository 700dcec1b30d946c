import { describe, expect, it } from 'vitest';
import { AgentSockets } from './agent-sockets.js';

class FakeSocket {
  dropped = false;
  disconnect(): void {
    this.dropped = true;
  }
}

describe('AgentSockets', () => {
  it('a newer session here drops the older socket of the agent, and only that agent’s', () => {
    const live = new AgentSockets<FakeSocket>();
    const [old, other, next] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    const a = live.reserve('a');
    expect(a.opened(1)).toBe(true);
    expect(a.attach(old)).toBe(true);
    const b = live.reserve('b');
    b.opened(2);
    b.attach(other);
    const a2 = live.reserve('a');
    expect(a2.opened(3)).toBe(true);
    expect(a2.attach(next)).toBe(true);
    expect([old.dropped, other.dropped, next.dropped]).toEqual([true, false, false]);
  });

  it('news of a newer session elsewhere drops the socket, even when it arrives before this session’s open returns', () => {
    const live = new AgentSockets<FakeSocket>();
    const attached = live.reserve('a');
    attached.opened(5);
    const socket = new FakeSocket();
    attached.attach(socket);
    const inFlight = live.reserve('a');
    live.replaced('a', 7);
    expect(socket.dropped).toBe(true);
    // The open that was in flight turns out older than the news: it is refused.
    expect(inFlight.opened(6)).toBe(false);
  });

  it('an older session heard of later leaves the newer socket alone', () => {
    const live = new AgentSockets<FakeSocket>();
    const t = live.reserve('a');
    live.replaced('a', 3);
    expect(t.opened(4)).toBe(true);
    const socket = new FakeSocket();
    expect(t.attach(socket)).toBe(true);
    live.replaced('a', 2);
    expect(socket.dropped).toBe(false);
  });

  it('a socket replaced between its open and its connect is not kept', () => {
    const live = new AgentSockets<FakeSocket>();
    const t = live.reserve('a');
    expect(t.opened(1)).toBe(true);
    live.replaced('a', 2);
    expect(t.attach(new FakeSocket())).toBe(false);
  });

  it('forgets agents whose sockets are all released', () => {
    const live = new AgentSockets<FakeSocket>();
    const t = live.reserve('a');
    t.opened(1);
    t.release();
    expect(live.size).toBe(0);
  });
});
