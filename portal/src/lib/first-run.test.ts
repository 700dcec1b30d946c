import { describe, expect, it } from 'vitest';
import { installation } from '../testing/fixtures';
import { currentStep, firstRunSteps, type FirstRunFacts } from './first-run';

const empty: FirstRunFacts = { applicationIds: [], applicationsWithVersions: [], customerIds: [], installations: [] };
const done = (facts: FirstRunFacts) => firstRunSteps(facts).filter((s) => s.done).map((s) => s.key);

describe('firstRunSteps', () => {
  it('starts with nothing done and the application as the current step', () => {
    const steps = firstRunSteps(empty);
    expect(steps.map((s) => s.key)).toEqual(['application', 'version', 'customer', 'installation', 'agent', 'deploy']);
    expect(done(empty)).toEqual([]);
    expect(currentStep(steps)).toMatchObject({ key: 'application', to: '/applications' });
  });

  it('ticks each step from real data and links to where the next is done', () => {
    const facts = { ...empty, applicationIds: ['a1'], customerIds: ['c1'] };
    expect(done(facts)).toEqual(['application', 'customer']);
    expect(currentStep(firstRunSteps(facts))).toMatchObject({ key: 'version', to: '/applications/a1' });
    const withInstallation = { ...facts, applicationsWithVersions: ['a1'], installations: [installation('i1')] };
    expect(done(withInstallation)).toEqual(['application', 'version', 'customer', 'installation']);
    expect(currentStep(firstRunSteps(withInstallation))).toMatchObject({ key: 'agent', to: '/installations/i1' });
  });

  it('counts an agent that connected once, online or not, and a deployed revision', () => {
    const seen = installation('i2', { status: { online: false, lastSeenAt: '2026-01-01T00:00:00.000Z' } });
    const facts = { applicationIds: ['a1'], applicationsWithVersions: ['a1'], customerIds: ['c1'], installations: [installation('i1'), seen] };
    expect(currentStep(firstRunSteps(facts))).toMatchObject({ key: 'deploy', to: '/installations/i2' });
    const deployed = { ...facts, installations: [installation('i1', { status: { online: true, desiredRevision: 1 } })] };
    expect(currentStep(firstRunSteps(deployed))).toBeUndefined();
  });
});
