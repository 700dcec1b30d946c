import { describe, expect, it } from 'vitest';
import { reasonMessage, sortEligible, type Candidate } from './eligibility.js';

const c = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  id, name: id, customer_id: 'cus', customer_name: 'Globex', track_id: 't', agent_kind: 'compose', lifecycle: 'active', ...over,
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
