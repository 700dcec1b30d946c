import { describe, expect, it } from 'vitest';
import { requiredPath, versionList, type TrackRelease } from './required-steps.js';

const r = (version: string, required = false, status: TrackRelease['status'] = 'ready'): TrackRelease => ({ id: `r-${version}`, version, required, status });
const versions = (p: ReturnType<typeof requiredPath>) => (p.kind === 'below' ? `below ${p.floor.version}` : p.steps.map((s) => s.version));

describe('requiredPath', () => {
  const track = [r('1.0.0'), r('2.0.0', true), r('2.5.0'), r('3.0.0', true), r('4.0.0')];

  it('an installation two releases behind gets the required one first, then the target', () => {
    expect(versions(requiredPath([r('1.0.0'), r('2.0.0', true), r('3.0.0')], '1.0.0', '3.0.0'))).toEqual(['2.0.0']);
  });
  it('every required release strictly between current and target, oldest first, whatever the input order', () => {
    expect(versions(requiredPath([...track].reverse(), '1.0.0', '4.0.0'))).toEqual(['2.0.0', '3.0.0']);
    expect(versions(requiredPath(track, '2.0.0', '4.0.0'))).toEqual(['3.0.0']);
    expect(versions(requiredPath(track, '2.5.0', '3.0.0'))).toEqual([]);
  });
  it('the target itself, or a required release not between them, is no step', () => {
    expect(versions(requiredPath(track, '1.0.0', '2.0.0'))).toEqual([]);
    expect(versions(requiredPath(track, '3.0.0', '4.0.0'))).toEqual([]);
    expect(versions(requiredPath(track, '4.0.0', '4.0.0'))).toEqual([]);
  });
  it('semver order, not text order (10.0.0 is after 9.0.0) and prereleases before their release', () => {
    const t = [r('9.0.0'), r('9.5.0', true), r('10.0.0'), r('10.0.0-rc.1', true)];
    expect(versions(requiredPath(t, '9.0.0', '10.0.0'))).toEqual(['9.5.0', '10.0.0-rc.1']);
  });
  it('drafts and rescinded releases are never steps; a required release on hold blocks the way', () => {
    expect(versions(requiredPath([r('2.0.0', true, 'draft'), r('2.1.0', true, 'rescinded')], '1.0.0', '3.0.0'))).toEqual([]);
    const held = requiredPath([r('2.0.0', true), r('2.1.0', true, 'hold')], '1.0.0', '3.0.0');
    expect(held).toMatchObject({ kind: 'on-hold', onHold: { version: '2.1.0' } });
    expect(versions(held)).toEqual(['2.0.0', '2.1.0']);
  });
  it('an installation on no release is behind nothing', () => {
    expect(versions(requiredPath(track, null, '4.0.0'))).toEqual([]);
  });

  describe('going back', () => {
    it('never crosses a required release at or below the current one: the newest is the floor', () => {
      expect(versions(requiredPath(track, '4.0.0', '1.0.0'))).toBe('below 3.0.0');
      expect(versions(requiredPath(track, '3.0.0', '2.5.0'))).toBe('below 3.0.0');
      expect(versions(requiredPath(track, '2.5.0', '1.0.0'))).toBe('below 2.0.0');
    });
    it('down to the floor itself, or between required releases, is allowed', () => {
      expect(versions(requiredPath(track, '4.0.0', '3.0.0'))).toEqual([]);
      expect(versions(requiredPath(track, '2.5.0', '2.0.0'))).toEqual([]);
      expect(versions(requiredPath([r('1.0.0'), r('1.5.0'), r('2.0.0')], '2.0.0', '1.0.0'))).toEqual([]);
    });
    it('a rescinded required release is no floor', () => {
      expect(versions(requiredPath([r('2.0.0', true, 'rescinded')], '3.0.0', '1.0.0'))).toEqual([]);
    });
  });
});

describe('versionList', () => {
  it('reads as a sentence', () => {
    expect(versionList([r('2.0.0')])).toBe('2.0.0');
    expect(versionList([r('2.0.0'), r('2.1.0'), r('2.2.0')])).toBe('2.0.0, 2.1.0 and 2.2.0');
  });
});
