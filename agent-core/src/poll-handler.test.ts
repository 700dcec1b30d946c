import { describe, expect, it } from 'vitest';
import type { AgentPollResponse, Command, CommandAck, CommandProgress, DesiredState } from '@flotilla/protocol';
import { createLogger } from './logger.js';
import { takePoll } from './poll-handler.js';

const desired: DesiredState = { installationId: 'i1', revision: 3, components: [] };

function harness(acks: Record<string, CommandAck>, known: string[] = []) {
  const accepted: DesiredState[] = [];
  const taken: string[] = [];
  const progress: CommandProgress[] = [];
  const deps = {
    acceptDesired: (d: DesiredState) => void accepted.push(d),
    takeCommand: (c: Command) => {
      taken.push(c.id);
      return Promise.resolve(acks[c.id] ?? { accepted: true });
    },
    known: (id: string) => known.includes(id),
    progress: (p: CommandProgress) => {
      progress.push(p);
      return Promise.resolve(true);
    },
    logger: createLogger('silent'),
  };
  return { deps, accepted, taken, progress };
}

const poll = (commands: Command[], d: DesiredState | null = desired): AgentPollResponse => ({ desired: d, commands, pollIntervalSeconds: 5 });

describe('takePoll', () => {
  it('hands the desired state and the commands over like a hello ack', async () => {
    const h = harness({});
    await takePoll(poll([{ id: 'a', type: 'redeploy' }, { id: 'b', type: 'restart' }]), h.deps);
    expect(h.accepted).toEqual([desired]);
    expect(h.taken).toEqual(['a', 'b']);
    expect(h.progress).toEqual([]);
  });

  it('takes no desired state when the hub has none', async () => {
    const h = harness({});
    await takePoll(poll([], null), h.deps);
    expect(h.accepted).toEqual([]);
  });

  it('reports a refused command failed with the reason (no acks over HTTP)', async () => {
    const h = harness({ a: { accepted: false, reason: 'unsupported: nope' } });
    await takePoll(poll([{ id: 'a', type: 'rollback' }]), h.deps);
    expect(h.progress).toEqual([{ id: 'a', status: 'failed', message: 'refused by the agent: unsupported: nope' }]);
  });

  it('refuses a new collect-logs without running it, but leaves one taken before to the runner', async () => {
    const h = harness({}, ['old']);
    await takePoll(poll([{ id: 'new', type: 'collect-logs' }, { id: 'old', type: 'collect-logs' }]), h.deps);
    expect(h.taken).toEqual(['old']);
    expect(h.progress).toHaveLength(1);
    expect(h.progress[0]).toMatchObject({ id: 'new', status: 'failed' });
    expect(h.progress[0]?.message).toMatch(/needs the websocket/);
  });
});
