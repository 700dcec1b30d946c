import { describe, expect, it } from 'vitest';
import { reasonMessage, sortByRequiredPath, sortEligible, type Candidate } from './eligibility.js';

const c = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  id, name: id, customer_id: 'cus', customer_name: 'Globex', track_id: 't', agent_kind: 'compose', lifecycle: 'active', release_id: null, ...over,
});
const input = { trackId: 't', kinds: new Set(['compose'] as const), entitledCustomers: new Set(['cus', 'lapsed']), blockedCustomers: new Set(['lapsed']) };

describe('sortEligible', () => {
  it('keeps eligible candidates in order and gives each other one its reason', () => {
    const out = sortEligible(
      [c('a'), c('b', { track_id: null }), c('c', { track_id: 'other' }), c('d', { agent_kind: 'helm' }), c('e', { customer_id: 'poor' }), c('f', { lifecycle: 'uninstalling' }), c('g')],
      input,
    );
    expect(out.eligible.map((x) => x.id)).toEqual(['a', 'g']);
    expect(out.ineligible.map((x) => [x.candidate.id, x.reason])).toEqual([
      ['b', 'no-track'],
      ['c', 'other-track'],
      ['d', 'wrong-agent-kind'],
      ['e', 'not-entitled'],
      ['f', 'uninstalling'],
    ]);
  });

  it('reports the first reason that applies: uninstalling, then track, then agent kind, then entitlement', () => {
    const reason = (over: Partial<Candidate>) => sortEligible([c('x', over)], input).ineligible[0]?.reason;
    expect(reason({ lifecycle: 'uninstalling', track_id: null, agent_kind: 'helm', customer_id: 'poor' })).toBe('uninstalling');
    expect(reason({ track_id: null, agent_kind: 'helm', customer_id: 'poor' })).toBe('no-track');
    expect(reason({ track_id: 'other', agent_kind: 'helm', customer_id: 'poor' })).toBe('other-track');
    expect(reason({ agent_kind: 'helm', customer_id: 'poor' })).toBe('wrong-agent-kind');
    expect(reason({ customer_id: 'poor' })).toBe('not-entitled');
    expect(reason({ customer_id: 'lapsed' })).toBe('license-expired');
    expect(reason({ customer_id: 'lapsed', agent_kind: 'helm' })).toBe('wrong-agent-kind');
    expect(reason({})).toBeUndefined();
  });

  it('a release with components of both kinds takes both agents', () => {
    const out = sortEligible([c('a'), c('b', { agent_kind: 'helm' })], { ...input, kinds: new Set(['compose', 'helm'] as const) });
    expect(out.eligible.map((x) => x.id)).toEqual(['a', 'b']);
  });
});

describe('reasonMessage', () => {
  it('says why in plain words', () => {
    const r = { version: '1.2.0' };
    expect(reasonMessage('no-track', c('a'), r)).toBe('not on a release track');
    expect(reasonMessage('other-track', c('a'), r)).toBe("on another track than this release's");
    expect(reasonMessage('wrong-agent-kind', c('a', { agent_kind: 'helm' }), r)).toBe('release 1.2.0 has no component for its helm agent');
    expect(reasonMessage('not-entitled', c('a'), r)).toBe('Globex is not entitled to release 1.2.0');
    expect(reasonMessage('uninstalling', c('a'), r)).toBe('being uninstalled');
    expect(reasonMessage('license-expired', c('a'), r)).toBe("Globex's license expired and blocks updates");
  });
});

describe('sortByRequiredPath', () => {
  const rel = (version: string, required = false, status: 'ready' | 'hold' = 'ready') => ({ id: `r${version}`, version, required, status });
  const track = [rel('1.0.0'), rel('2.0.0', true), rel('3.0.0'), rel('4.0.0', true, 'hold'), rel('5.0.0')];

  it('gives each installation the required releases it runs first, and leaves out those it cannot take', () => {
    const out = sortByRequiredPath([c('fresh'), c('on1', { release_id: 'r1.0.0' }), c('on2', { release_id: 'r2.0.0' }), c('on3', { release_id: 'r3.0.0' })], track, { version: '3.0.0' });
    expect(out.eligible.map((e) => [e.candidate.id, e.steps.map((s) => s.version)])).toEqual([['fresh', []], ['on1', ['2.0.0']], ['on2', []], ['on3', []]]);
    expect(out.ineligible).toEqual([]);
  });
  it('going back below a required release it runs, or past one on hold, leaves it out saying which', () => {
    const back = sortByRequiredPath([c('on3', { release_id: 'r3.0.0' }), c('on1', { release_id: 'r1.0.0' })], track, { version: '1.0.0' });
    expect(back.ineligible.map((i) => [i.candidate.id, i.reason, i.blocking.version])).toEqual([['on3', 'below-required-release', '2.0.0']]);
    expect(reasonMessage('below-required-release', c('on3'), { version: '1.0.0' }, { version: '2.0.0' })).toBe('it runs required release 2.0.0 or newer: it cannot go back to 1.0.0');
    const held = sortByRequiredPath([c('on3', { release_id: 'r3.0.0' })], track, { version: '5.0.0' });
    expect(held.ineligible.map((i) => [i.reason, i.blocking.version])).toEqual([['required-release-on-hold', '4.0.0']]);
  });
});
