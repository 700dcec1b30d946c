import { describe, expect, it } from 'vitest';
import type { ComponentState } from '@flotilla/protocol';
import { foldObservations, type Observed } from './observations.js';

const comp = (health: ComponentState['health'], over: Partial<ComponentState> = {}): ComponentState => ({ name: 'web', version: '1.0.0', health, ...over });
const obs = (health: ComponentState['health'], over: Partial<Observed> = {}, c: Partial<ComponentState> = {}): Observed => ({ appliedRevision: 1, components: [comp(health, c)], health, runningVersion: '1.0.0', ...over });

describe('foldObservations', () => {
  it('stores the last report and records every health transition in order', () => {
    const f = foldObservations(obs('healthy'), [obs('failed', {}, { message: 'exited 1' }), obs('healthy')]);
    expect(f.final.health).toBe('healthy');
    expect(f.events.map((e) => [e.type, e.health, e.message])).toEqual([
      ['health', 'failed', 'exited 1'],
      ['health', 'healthy', null],
    ]);
    expect(f.healthChanged).toBe(true);
    expect(f.progressed).toBe(true);
  });

  it('a repeated report is stored but is not progress (rollouts need not look)', () => {
    const f = foldObservations(obs('healthy'), [obs('healthy', {}, { message: 'seq 1' }), obs('healthy', {}, { message: 'seq 2' })]);
    expect(f.events).toEqual([]);
    expect(f.healthChanged).toBe(false);
    expect(f.progressed).toBe(false);
    expect(f.final.components[0]?.message).toBe('seq 2');
  });

  it('a new applied revision or component version is progress', () => {
    expect(foldObservations(obs('healthy'), [obs('healthy', { appliedRevision: 2 })]).progressed).toBe(true);
    expect(foldObservations(obs('healthy'), [obs('healthy', {}, { version: '1.1.0' })]).progressed).toBe(true);
  });

  it('records drift appearing and clearing', () => {
    const drift = { appliedRevision: 5, actualRevision: 7 };
    const f = foldObservations(obs('healthy'), [obs('degraded', {}, { drift }), obs('healthy')]);
    expect(f.events.filter((e) => e.type === 'drift').map((e) => e.data)).toEqual([
      { component: 'web', drifted: true },
      { component: 'web', drifted: false },
    ]);
  });
});

describe('foldObservations and late copies', () => {
  it('a report of an older revision than the stored one is a late copy: not stored, no events, no progress', () => {
    const f = foldObservations(obs('healthy', { appliedRevision: 2 }), [obs('failed', { appliedRevision: 1 }, { message: 'stale' })]);
    expect(f.final.appliedRevision).toBe(2);
    expect(f.final.health).toBe('healthy');
    expect(f.events).toEqual([]);
    expect(f.progressed).toBe(false);
    // later reports in the same batch still count
    expect(foldObservations(obs('healthy', { appliedRevision: 2 }), [obs('healthy', { appliedRevision: 1 }), obs('failed', { appliedRevision: 2 })]).final.health).toBe('failed');
  });

  it('a hello states what runs now, even an older revision (an agent that lost its state starts over)', () => {
    const f = foldObservations(obs('healthy', { appliedRevision: 5 }), [{ ...obs('unknown', { appliedRevision: 0 }), components: [], hello: true }]);
    expect(f.final.appliedRevision).toBe(0);
    expect(f.final).not.toHaveProperty('hello');
    expect(f.progressed).toBe(true);
  });
});
