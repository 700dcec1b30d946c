import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { serve } from './rpc.js';
import { PollingAgent, SocketAgent } from './sim-agent.js';
import type { AgentIdentity } from './seed.js';

/**
 * One child process hosting many simulated agents (and, for the floor measurement, bare Socket.IO
 * clients). Connections use source addresses 127.0.0.<first…first+spread> so tens of thousands of
 * them fit the ephemeral port range.
 */
let sockets: SocketAgent[] = [];
let pollers: PollingAgent[] = [];
let floorClients: { socket: Socket; receipts: Map<number, number> }[] = [];

const address = (first: number, spread: number, i: number) => `127.0.0.${first + (i % spread)}`;

export interface StartArgs {
  agents: AgentIdentity[];
  /** Agent i connects to hubUrls[i % hubUrls.length]. */
  hubUrls: string[];
  firstAddress: number;
  addressSpread: number;
  statusIntervalMs: number;
}

export interface Counts {
  total: number;
  helloed: number;
  hellos: number;
  helloMs: number[];
  /** Agents connected whose last hello was acked at or after `since` (0 when not asked). */
  helloedSince: number;
}

export interface Receipts {
  /** Epoch ms of each agent's first receipt of the revision (agents that got it). */
  times: number[];
  missing: number;
}

/** Usage reports of the agents in one worker (see SocketAgent.startMetrics). */
export interface MetricsCounts {
  sent: number;
  acked: number;
  failed: number;
}

export interface Applies {
  agents: number;
  appliedOnce: number;
  appliedTwice: number;
  notApplied: number;
  duplicateDeliveries: number;
}

serve({
  'start-sockets': (a: StartArgs) => {
    sockets = a.agents.map((id, i) => new SocketAgent(id, a.hubUrls[i % a.hubUrls.length] ?? '', address(a.firstAddress, a.addressSpread, i), a.statusIntervalMs));
    for (const s of sockets) s.start();
    return sockets.length;
  },
  counts: (a: { since?: number } = {}): Counts => ({
    total: sockets.length,
    helloedSince: a.since === undefined ? 0 : sockets.filter((s) => s.helloed && s.lastHelloAt >= (a.since ?? 0)).length,
    helloed: sockets.filter((s) => s.helloed).length,
    hellos: sockets.reduce((n, s) => n + s.hellos, 0),
    helloMs: sockets.flatMap((s) => (s.firstHelloMs === undefined ? [] : [s.firstHelloMs])),
  }),
  /** The installation ids → revision applied (to find each agent's fan-out target). */
  'receipts-since': (a: { since: number }): Receipts => {
    const all = [...sockets, ...pollers];
    const times: number[] = [];
    let missing = 0;
    for (const s of all) {
      const t = [...s.seen.firstReceipt.values()].filter((v) => v >= a.since);
      if (t.length === 0) missing += 1;
      else times.push(Math.min(...t));
    }
    return { times, missing };
  },
  applies: (a: { since: number }): Applies => {
    const all = [...sockets, ...pollers];
    const r: Applies = { agents: all.length, appliedOnce: 0, appliedTwice: 0, notApplied: 0, duplicateDeliveries: 0 };
    for (const s of all) {
      const revisions = [...s.seen.firstReceipt.entries()].filter(([, t]) => t >= a.since).map(([rev]) => rev);
      const counts = revisions.map((rev) => s.seen.applies.get(rev) ?? 0);
      if (counts.length === 0 || counts.every((c) => c === 0)) r.notApplied += 1;
      else if (counts.some((c) => c > 1)) r.appliedTwice += 1;
      else r.appliedOnce += 1;
      r.duplicateDeliveries += s.seen.duplicateDeliveries;
    }
    return r;
  },
  flood: async (a: { durationMs: number }) => {
    const deadline = Date.now() + a.durationMs;
    const results = await Promise.all(sockets.map((s) => s.flood(deadline)));
    return {
      acked: results.reduce((n, r) => n + r.acked, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      lastSeq: sockets.map((s, i) => ({ installationId: s.installationId, seq: results[i]?.lastAckedSeq ?? 0 })),
    };
  },
  'end-flood': () => {
    for (const s of sockets) s.endFlood();
    return true;
  },
  /** Up to 5 agents not helloed since `since`, described (why a wait did not end). */
  stragglers: (a: { since: number }) =>
    sockets
      .filter((s) => !(s.helloed && s.lastHelloAt >= a.since))
      .slice(0, 5)
      .map((s) => s.describe()),
  'drop-out': () => {
    for (const s of sockets) s.dropOut();
    return sockets.length;
  },
  'come-back': () => {
    for (const s of sockets) s.comeBack();
    return sockets.length;
  },
  'start-metrics': (a: { intervalMs: number }) => {
    for (const s of sockets) s.startMetrics(a.intervalMs);
    return sockets.length;
  },
  'stop-metrics': () => {
    for (const s of sockets) s.stopMetrics();
    return true;
  },
  'metrics-counts': (): MetricsCounts => ({
    sent: sockets.reduce((n, s) => n + s.metrics.sent, 0),
    acked: sockets.reduce((n, s) => n + s.metrics.acked, 0),
    failed: sockets.reduce((n, s) => n + s.metrics.failed, 0),
  }),
  'stop-sockets': () => {
    for (const s of sockets) s.close();
    sockets = [];
    return true;
  },
  'start-pollers': (a: StartArgs & { intervalMs: number }) => {
    const agents = Array.from({ length: a.addressSpread }, (_, i) => new http.Agent({ keepAlive: true, localAddress: address(a.firstAddress, a.addressSpread, i) }));
    pollers = a.agents.map((id, i) => new PollingAgent(id, a.hubUrls[i % a.hubUrls.length] ?? '', agents[i % agents.length] as http.Agent, a.intervalMs));
    for (const p of pollers) p.start();
    return pollers.length;
  },
  'poller-counts': () => ({ polls: pollers.reduce((n, p) => n + p.polls, 0), errors: pollers.reduce((n, p) => n + p.errors, 0) }),
  'stop-pollers': () => {
    for (const p of pollers) p.close();
    pollers = [];
    return true;
  },
  'floor-connect': async (a: { url: string; count: number; firstAddress: number; addressSpread: number }) => {
    floorClients = Array.from({ length: a.count }, (_, i) => {
      const socket = io(a.url, { transports: ['websocket'], reconnection: false, forceNew: true, localAddress: address(a.firstAddress, a.addressSpread, i) } as Parameters<typeof io>[1]);
      const receipts = new Map<number, number>();
      socket.on('tick', (seq: number) => receipts.set(seq, Date.now()));
      return { socket, receipts };
    });
    const deadline = Date.now() + 120_000;
    while (floorClients.some((c) => !c.socket.connected)) {
      if (Date.now() > deadline) throw new Error('floor clients did not all connect within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    return floorClients.length;
  },
  'floor-receipts': (a: { seq: number }): Receipts => {
    const times = floorClients.flatMap((c) => {
      const t = c.receipts.get(a.seq);
      return t === undefined ? [] : [t];
    });
    return { times, missing: floorClients.length - times.length };
  },
  'floor-close': () => {
    for (const c of floorClients) c.socket.close();
    floorClients = [];
    return true;
  },
});
