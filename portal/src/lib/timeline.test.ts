import { describe, expect, it } from 'vitest';
import type { InstallationEvent } from '@flotilla/protocol';
import { eventLabel, mergeEvents } from './timeline';
import { T0 } from '../testing/fixtures';

const ev = (id: number, type = 'connected'): InstallationEvent => ({ id: String(id), installationId: 'a', type, health: null, message: null, at: T0 });

describe('eventLabel', () => {
  it('says what happened', () => {
    expect(eventLabel({ type: 'connected', health: null })).toEqual({ title: 'Agent connected', tone: 'success' });
    expect(eventLabel({ type: 'disconnected', health: null }).title).toBe('Agent disconnected');
    expect(eventLabel({ type: 'deployed', health: null }).title).toBe('Revision deployed');
    expect(eventLabel({ type: 'health', health: 'failed' })).toEqual({ title: 'Health changed to failed', tone: 'danger' });
    expect(eventLabel({ type: 'command', health: null }).title).toBe('Command');
    expect(eventLabel({ type: 'uninstall-requested', health: null }).title).toBe('uninstall-requested');
  });
});

describe('mergeEvents', () => {
  it('puts live arrivals on top and older pages at the bottom, without repeats', () => {
    const shown = [ev(5), ev(4)];
    expect(mergeEvents(shown, [ev(7), ev(6), ev(5)]).map((e) => e.id)).toEqual(['7', '6', '5', '4']);
    expect(mergeEvents(shown, [ev(3), ev(2)]).map((e) => e.id)).toEqual(['5', '4', '3', '2']);
    expect(mergeEvents(shown, [ev(4)])).toEqual(shown);
  });
  it('orders by the numeric id (10 after 9)', () => {
    expect(mergeEvents([ev(9)], [ev(10)]).map((e) => e.id)).toEqual(['10', '9']);
  });
});
